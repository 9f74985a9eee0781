-- DynamoDB's answers to update expressions that dynalite's suite (written
-- against DynamoDB) checks: the order of the expression's checks, the
-- operand types of ADD, DELETE and the functions, the secondary index
-- keys, the order of appends past the end of a list, sizes, and an empty
-- write request of BatchWriteItem.  Through execute(raise_errors => false)
-- (the body holds DynamoDB's message) and through the SQL function
-- update_item, which takes the same expressions.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_update_peer;
SET search_path = fidelity_update_peer, public;
CREATE FUNCTION try(op text, req text) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(r ->> '__type', 'ok') || coalesce(': ' || (r ->> 'message'), '')
	FROM singletable.execute(op, req::jsonb, raise_errors => false) AS r
$$;
-- update(expression, values): UpdateItem of item "k" in table up
CREATE FUNCTION upd(expr text, vals text DEFAULT NULL, names text DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
	SELECT try('UpdateItem', jsonb_strip_nulls(jsonb_build_object(
		'TableName', 'uptab', 'Key', '{"pk": {"S": "k"}}'::jsonb, 'UpdateExpression', expr,
		'ExpressionAttributeValues', vals::jsonb, 'ExpressionAttributeNames', names::jsonb))::text)
$$;
-- the same through the SQL function: its error's DETAIL
CREATE FUNCTION sqlupd(expr text, vals text DEFAULT NULL, names text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	d text;
BEGIN
	PERFORM singletable.update_item('uptab', '{"pk": "k"}', expr, NULL, names::jsonb, vals::jsonb);
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RETURN d;
END
$$;
SELECT try('CreateTable', '{"TableName": "uptab",
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
    {"AttributeName": "c", "AttributeType": "S"}, {"AttributeName": "d", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "index1", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
     "Projection": {"ProjectionType": "ALL"}},
    {"IndexName": "index2", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"},
       {"AttributeName": "d", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "ALL"}}]}') AS created;

-- Order of the checks: a syntax error anywhere before an unknown function
SELECT upd('SET a = if_not_exist(a, 100)');
SELECT upd('SET if_not_exist(a, b) = a');
SELECT upd('delete a if_not_exist(b)');
-- an unknown function before a repeated section and undefined names
SELECT upd('set #c = if_not_exist(:c) set c = d');
-- a reserved word before a repeated section
SELECT upd(' set #c = :c set abOrt = true ', '{":a": {"S": "a"}}', '{"#a": "a"}');
SELECT upd('set a = #c set c = :d');
-- undefined names, then values, before the operands of a function
SELECT upd('SET #c = if_not_exists(:c)', '{":a": {"S": "a"}}', '{"#a": "a"}');
SELECT upd('SET #a = if_not_exists(:c)', '{":a": {"S": "a"}}', '{"#a": "a"}');
-- overlapping paths before conflicting ones, and before operands
SELECT upd('set d2[1] = a, d2.b = a, c2[1].a = a, #c = if_not_exists(a)', NULL,
  '{"#c": "c2"}');
SELECT upd('set #c[3].#d = a, #c[3] = a', NULL, '{"#c": "c2", "#d": "[3]"}');
SELECT upd('set #c[3].#d = a, #c.#d[3] = if_not_exists(a)', NULL, '{"#c": "c2", "#d": "[3]"}');
SELECT upd('remove a.#c set a[1] = #d', NULL, '{"#c": "c2", "#d": "[3]"}');
-- the values of ADD and DELETE before the operands of functions
SELECT upd('set b = list_append(:a, a), e = if_not_exists(a) add a.b :a', '{":a": {"S": "a"}}');
SELECT upd('delete a.b :a', '{":a": {"N": "1"}}');
SELECT upd('add a.b :a', '{":a": {"BOOL": true}}');
SELECT upd('delete a.b :a', '{":a": {"L": [{"N": "1"}]}}');
SELECT upd('add a.b :a', '{":a": {"M": {}}}');
-- the operands of functions: their number, a path for if_not_exists, types
SELECT upd('set a = if_not_exists(c2)');
SELECT upd('set a = list_append(c2)');
SELECT upd('set a = list_append(a, b, e)');
SELECT upd('set a = if_not_exists(:a, c2)', '{":a": {"S": "a"}}');
SELECT upd('set a = if_not_exists(if_not_exists(a, b), c2)');
SELECT upd('set a = list_append(:a, a)', '{":a": {"S": "a"}}');
SELECT upd('set a = list_append(a, :a)', '{":a": {"SS": ["a"]}}');
SELECT upd('set a = a + :a', '{":a": {"L": []}}');
SELECT upd('set a = :a - :b', '{":a": {"S": "a"}, ":b": {"B": "YQ=="}}');
SELECT upd('set a = :b - a', '{":b": {"B": "YQ=="}}');
-- the same through the SQL function
SELECT sqlupd('SET a = if_not_exist(a, 100)');
SELECT sqlupd('set #c = if_not_exist(:c) set c = d');
SELECT sqlupd('set a = if_not_exists(c2)');
SELECT sqlupd('set a = if_not_exists(:a, c2)', '{":a": "a"}');
SELECT sqlupd('set a = list_append(:a, a)', '{":a": "a"}');
SELECT sqlupd('add a.b :a', '{":a": "a"}');
SELECT sqlupd('set #c[3].#d = a, #c.#d[3] = if_not_exists(a)', NULL, '{"#c": "c2", "#d": "[3]"}');

-- Secondary index keys, before the item is read: the type SET and ADD
-- give a key attribute (checked first), then paths into one
SELECT try('UpdateItem', '{"TableName": "uptab", "Key": {"pk": {"S": "k"}},
  "AttributeUpdates": {"d": {"Value": {"N": "1"}}, "c": {"Value": {"N": "2"}}}}');
SELECT upd('set d.a = a add c :a', '{":a": {"N": "1"}}');
SELECT upd('set e = c[1], c = a + :a', '{":a": {"N": "1"}}');
SELECT upd('add d.b :a', '{":a": {"N": "1"}}');
SELECT upd('set d[1] = :a', '{":a": {"N": "1"}}');
SELECT upd('set e = list_append(a, b), f = d[1]');
SELECT sqlupd('set e = c[1], c = a + :a', '{":a": 1}');
SELECT sqlupd('set e = d.x');
-- and on the new item: a value read from the item
SELECT upd('set e = :a', '{":a": {"N": "1"}}');
SELECT upd('set c = e');
SELECT upd('set d = if_not_exists(zz, e)');
SELECT sqlupd('set c = e');
-- a key attribute of the table itself is refused first
SELECT upd('set pk = :a, c = :a', '{":a": {"N": "1"}}');
SELECT upd('set c = :c, d = :c', '{":c": {"S": "ok"}}');

-- ADD and DELETE of the wrong type on an existing attribute: DynamoDB's
-- words, and legacy AttributeUpdates' own
SELECT upd('set b = :b, n = :n, ns = :ns', '{":b": {"M": {"a": {"SS": ["1"]}}}, ":n": {"N": "1"},
  ":ns": {"NS": ["1"]}}');
SELECT upd('delete ns :a', '{":a": {"SS": ["1"]}}');
SELECT upd('delete b.a :a', '{":a": {"NS": ["1"]}}');
SELECT upd('add ns :a', '{":a": {"N": "1"}}');
SELECT upd('set e = b - :a', '{":a": {"N": "1"}}');
SELECT upd('set e = list_append(ns, if_not_exists(f, :a))', '{":a": {"L": []}}');
SELECT try('UpdateItem', '{"TableName": "uptab", "Key": {"pk": {"S": "k"}},
  "AttributeUpdates": {"ns": {"Action": "DELETE", "Value": {"SS": ["1"]}}}}');
SELECT try('UpdateItem', '{"TableName": "uptab", "Key": {"pk": {"S": "k"}},
  "AttributeUpdates": {"n": {"Action": "DELETE", "Value": {"NS": ["1"]}}}}');
SELECT try('UpdateItem', '{"TableName": "uptab", "Key": {"pk": {"S": "k"}},
  "AttributeUpdates": {"ns": {"Action": "ADD", "Value": {"N": "1"}}}}');
SELECT sqlupd('delete ns :a', '{":a": {"$SS": ["1"]}}');
-- legacy actions of the wrong value type, before the table is looked up
SELECT try('UpdateItem', '{"TableName": "nosuch", "Key": {},
  "AttributeUpdates": {"a": {"Action": "DELETE", "Value": {"S": "1"}}}}');
SELECT try('UpdateItem', '{"TableName": "nosuch", "Key": {},
  "AttributeUpdates": {"a": {"Action": "DELETE", "Value": {"L": []}}}}');
SELECT try('UpdateItem', '{"TableName": "nosuch", "Key": {},
  "AttributeUpdates": {"a": {"Action": "ADD", "Value": {"B": "Yg=="}}}}');
SELECT try('UpdateItem', '{"TableName": "nosuch", "Key": {},
  "AttributeUpdates": {"a": {"Action": "ADD", "Value": {"M": {}}}}}');

-- DELETE through a missing map or list is an invalid path, as SET's
SELECT upd('set m = :m, l = :l', '{":m": {"M": {"1": {"S": "a"}}}, ":l": {"L": [{"S": "a"}]}}');
SELECT upd('delete y.a :a', '{":a": {"SS": ["a"]}}');
SELECT upd('delete m[1] :a', '{":a": {"SS": ["a"]}}');
SELECT upd('delete l.#1 :a', '{":a": {"SS": ["a"]}}', '{"#1": "1"}');
SELECT sqlupd('delete y[1] :a', '{":a": {"$SS": ["a"]}}');
-- a missing attribute in an existing map is nothing to delete
SELECT upd('delete m.zz :a', '{":a": {"SS": ["a"]}}');

-- SET and ADD past the end of a list append in index order, whichever
-- writes them; UPDATED_NEW shows the new item at the paths as written
SELECT upd('set b = :b, c2 = :c', '{":b": {"M": {"a": {"N": "1"}, "b": {"N": "2"}, "c": {"N": "3"}}},
  ":c": {"L": [{"N": "1"}, {"N": "3"}]}}');
SELECT singletable.execute('UpdateItem', '{"TableName": "uptab", "Key": {"pk": {"S": "k"}},
  "UpdateExpression": "set b.c=((c2[1])+(b.a)),b.a = pk,c2[1] = pk, c2[4] = b.a - b.b, c2[2] = b.c add c2[8] :b, c2[6] :a",
  "ExpressionAttributeValues": {":a": {"N": "2"}, ":b": {"SS": ["a"]}}, "ReturnValues": "UPDATED_NEW"}');
SELECT singletable.get_item('uptab', '{"pk": "k"}') -> 'c2' AS c2;
SELECT singletable.update_item('uptab', '{"pk": "k"}', 'add c2[9] :b, c2[7] :a', NULL, NULL,
  '{":a": 5, ":b": {"$SS": ["b"]}}', 'UPDATED_NEW');

-- The size of the item an UpdateItem makes, in DynamoDB's words for it
SET singletable.max_item_size = '1kB';
SELECT try('UpdateItem', jsonb_build_object('TableName', 'uptab', 'Key', '{"pk": {"S": "big"}}'::jsonb,
  'AttributeUpdates', jsonb_build_object('b', jsonb_build_object('Action', 'PUT',
    'Value', jsonb_build_object('S', repeat('a', 1100)))))::text);
SELECT try('UpdateItem', jsonb_build_object('TableName', 'uptab', 'Key', '{"pk": {"S": "big"}}'::jsonb,
  'UpdateExpression', 'set b = :b',
  'ExpressionAttributeValues', jsonb_build_object(':b', jsonb_build_object('S', repeat('a', 1100))))::text);
SELECT sqlupd('set b = :b', jsonb_build_object(':b', repeat('a', 1100))::text);
-- a PutItem's Item is measured before its Expected is looked at
SELECT try('PutItem', jsonb_build_object('TableName', 'nosuch',
  'Item', jsonb_build_object('a', '{"S": "k"}'::jsonb, 'b', jsonb_build_object('S', repeat('a', 1100))),
  'Expected', '{"a": {}}'::jsonb)::text);
RESET singletable.max_item_size;

-- An empty write request of BatchWriteItem, in DynamoDB's words
SELECT try('BatchWriteItem', '{"RequestItems": {"abc": [{}]}}');
SELECT try('BatchWriteItem', '{"RequestItems": {"abc": [{"PutRequest": {"Item": {}}, "DeleteRequest": {"Key": {}}}]}}');

-- BOOL and NULL take the strings DynamoDB's deserializer reads as booleans
SELECT upd('add a.b :a', '{":a": {"NULL": "1"}}');
SELECT upd('delete a.b :a', '{":a": {"NULL": "yes"}}');
SELECT upd('set a = list_append(:d, a)', '{":d": {"BOOL": "no"}}');
SELECT upd('set a = a - :e', '{":e": {"NULL": "TRUE"}}');
SELECT upd('set t = :t, f = :f', '{":t": {"BOOL": "Yes"}, ":f": {"BOOL": "0"}}');
SELECT singletable.get_item('uptab', '{"pk": "k"}') -> 't' AS t, singletable.get_item('uptab', '{"pk": "k"}') -> 'f' AS f;
SELECT upd('set a = :a', '{":a": {"NULL": "no"}}');
SELECT upd('set a = :a', '{":a": {"BOOL": "maybe"}}');

DROP SCHEMA fidelity_update_peer CASCADE;
