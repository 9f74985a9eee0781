-- Binary and sets keep their type everywhere: {"$B": b64}, {"$SS": [..]},
-- {"$NS": [..]}, {"$BS": [..]} in plain items, {"$M": {..}} as the escape
-- of a map whose only key is a tag name.
SET client_min_messages = warning;
\set VERBOSITY default
CREATE SCHEMA types_test;
SET search_path = types_test, public;

CREATE FUNCTION types_test.try(op text, req jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT singletable.execute(op, req, raise_errors => false)
$$;

---------------------------------------------------------------------------
-- Typed JSON: exact round trip of every type, and the escape.
---------------------------------------------------------------------------
SELECT singletable.from_dynamodb_json(t) AS plain,
	singletable.to_dynamodb_json(singletable.from_dynamodb_json(t)) = t AS round_trip
FROM (VALUES
	('{"b": {"B": "AAH/"}, "e": {"B": ""}, "ss": {"SS": ["b", "a"]}, "ns": {"NS": ["10", "-1.5", "0.001"]},
	  "bs": {"BS": ["/w==", "AA=="]}, "l": {"L": [{"SS": ["x"]}, {"B": "YQ=="}]},
	  "m": {"M": {"deep": {"M": {"bs": {"BS": ["YQ=="]}}}}}}'::jsonb),
	('{"esc": {"M": {"$B": {"S": "not binary"}}}, "esc2": {"M": {"$M": {"N": "1"}}},
	  "two": {"M": {"$B": {"S": "x"}, "y": {"N": "2"}}}, "other": {"M": {"$X": {"S": "x"}}}}')) v(t);
-- numbers in DynamoDB's normalised form, in sets and alone
SELECT singletable.to_dynamodb_json('{"a": 1.0, "b": 1e2, "c": -0, "d": 1.50, "s": {"$NS": [1.0, 2.50]}}');
SELECT singletable.to_dynamodb_json_text('{"a": 1.0, "b": {"$B": "YQ=="}, "s": {"$NS": [1.0, 2.50]}, "m": {"$M": {"$SS": [1]}}}')
	= singletable.to_dynamodb_json('{"a": 1.0, "b": {"$B": "YQ=="}, "s": {"$NS": [1.0, 2.50]}, "m": {"$M": {"$SS": [1]}}}')::text AS text_matches;
-- typed input errors: empty sets, duplicates, bad members
SELECT singletable.from_dynamodb_json('{"s": {"SS": []}}');
SELECT singletable.from_dynamodb_json('{"s": {"SS": ["a", "a"]}}');
SELECT singletable.from_dynamodb_json('{"s": {"NS": ["1", "1.0"]}}');
SELECT singletable.from_dynamodb_json('{"s": {"BS": ["YQ==", "YQ=="]}}');
SELECT singletable.from_dynamodb_json('{"s": {"NS": ["x"]}}');
SELECT singletable.from_dynamodb_json('{"s": {"BS": ["YR=="]}}');

---------------------------------------------------------------------------
-- Storage: every tag checked by the write calls.
---------------------------------------------------------------------------
SELECT singletable.create_table('app');
SELECT singletable.put_item('app', '{"PK": "ok", "SK": "1", "b": {"$B": "AAH/"}, "ss": {"$SS": ["b", "a"]},
	"ns": {"$NS": [3, 1.5]}, "bs": {"$BS": ["/w==", "AA=="]}, "esc": {"$M": {"$B": "text"}},
	"deep": [{"x": {"$SS": ["in a list"]}}], "esc2": {"$M": {"$SS": "a map, not a set"}}}');
SELECT singletable.get_item('app', '{"PK": "ok", "SK": "1"}');
SELECT singletable.put_item('app', '{"PK": "e", "SK": "1", "s": {"$SS": []}}');
SELECT singletable.put_item('app', '{"PK": "e", "SK": "1", "s": {"$SS": ["a", "a"]}}');
SELECT singletable.put_item('app', '{"PK": "e", "SK": "1", "s": {"$NS": [1, 1.00]}}');
SELECT singletable.put_item('app', '{"PK": "e", "SK": "1", "s": {"$NS": ["1"]}}');
SELECT singletable.put_item('app', '{"PK": "e", "SK": "1", "s": {"$NS": [1e200]}}');
SELECT singletable.put_item('app', '{"PK": "e", "SK": "1", "s": {"$SS": [1]}}');
SELECT singletable.put_item('app', '{"PK": "e", "SK": "1", "s": {"$BS": ["YR=="]}}');
SELECT singletable.put_item('app', '{"PK": "e", "SK": "1", "s": {"$BS": ["YQ==", "YQ=="]}}');
SELECT singletable.put_item('app', '{"PK": "e", "SK": "1", "s": {"$SS": "x"}}');
SELECT singletable.put_item('app', '{"PK": "e", "SK": "1", "m": {"deep": {"$B": 7}}}');
SELECT singletable.put_item('app', '{"PK": "e", "SK": "1", "m": {"$B": "not base64"}}');
SELECT singletable.put_item('app', '{"PK": "e", "SK": "1", "m": {"$M": 1}}');
SELECT singletable.put_item('app', '{"PK": "e", "SK": "1", "m": {"$M": {"$SS": []}}}');
-- an attribute of the item itself may be named like a tag; two keys are a map
SELECT singletable.put_item('app', '{"PK": "t", "SK": "1", "$B": "top level", "m": {"$B": 1, "x": 2}}');
SELECT count(*) AS nothing_else_written FROM app WHERE pk = 'e';
-- the same rules through batch_write, transact_write and execute
SELECT singletable.batch_write('{"app": [{"PutRequest": {"Item": {"PK": "e", "SK": "2", "s": {"$SS": []}}}}]}');
SELECT singletable.transact_write('[{"Put": {"TableName": "app", "Item": {"PK": "e", "SK": "3", "s": {"$NS": [2, 2]}}}}]');
SELECT types_test.try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "e"}, "SK": {"S": "4"}, "s": {"SS": ["a", "a"]}}}');
SELECT types_test.try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "e"}, "SK": {"S": "4"}, "s": {"NS": []}}}');

---------------------------------------------------------------------------
-- Keys: a B key is a tagged binary, compared by unsigned bytes.
---------------------------------------------------------------------------
SELECT singletable.create_table('bins', sort_key_type => 'B');
SELECT singletable.put_item('bins', jsonb_build_object('PK', 'p', 'SK', jsonb_build_object('$B', encode(b, 'base64'))))
FROM (VALUES ('\x00'::bytea), ('\x01'), ('\x01ff'), ('\x7f'), ('\x80'), ('\xff'), ('\xff00')) v(b);
SELECT jsonb_path_query_array(singletable.query('bins', 'PK = :p AND SK > :b', "values" => '{":p": "p", ":b": {"$B": "fw=="}}'),
	'$.Items[*].SK."$B"') AS above_7f;
SELECT jsonb_path_query_array(singletable.query('bins', 'PK = :p AND SK BETWEEN :a AND :b',
	"values" => '{":p": "p", ":a": {"$B": "AQ=="}, ":b": {"$B": "gA=="}}'), '$.Items[*].SK."$B"') AS between_01_80;
SELECT jsonb_path_query_array(singletable.query('bins', 'PK = :p AND begins_with(SK, :b)',
	"values" => '{":p": "p", ":b": {"$B": "/w=="}}'), '$.Items[*].SK."$B"') AS prefix_ff;
-- a string where a binary key is required, and a binary where a string is
SELECT singletable.put_item('bins', '{"PK": "p", "SK": "AA=="}');
SELECT singletable.put_item('bins', '{"PK": {"$B": "AA=="}, "SK": {"$B": "AA=="}}');
SELECT singletable.get_item('bins', '{"PK": "p", "SK": "AA=="}');
SELECT singletable.query('bins', 'PK = :p AND SK = :b', "values" => '{":p": "p", ":b": "AA=="}');
SELECT singletable.query('bins', 'PK = :p', "values" => '{":p": {"$B": "AA=="}}');
-- through execute: B keys and LastEvaluatedKey
SELECT types_test.try('Query', '{"TableName": "bins", "KeyConditionExpression": "PK = :p AND SK >= :b", "Limit": 1,
	"ExpressionAttributeValues": {":p": {"S": "p"}, ":b": {"B": "/w=="}}}');
SELECT types_test.try('GetItem', '{"TableName": "bins", "Key": {"PK": {"S": "p"}, "SK": {"B": "AX8="}}}');
SELECT types_test.try('GetItem', '{"TableName": "bins", "Key": {"PK": {"S": "p"}, "SK": {"S": "AA=="}}}') ->> 'message' AS string_for_binary;

---------------------------------------------------------------------------
-- GSI keys of type B.
---------------------------------------------------------------------------
SELECT singletable.create_index('app', 'ByBlob', 'blob', partition_key_type => 'B', sort_key => 'n', sort_key_type => 'N');
SELECT singletable.put_item('app', '{"PK": "g", "SK": "1", "blob": {"$B": "YQ=="}, "n": 1}');
SELECT singletable.put_item('app', '{"PK": "g", "SK": "2", "blob": {"$B": "YQ=="}, "n": 2}');
SELECT singletable.put_item('app', '{"PK": "g", "SK": "3", "blob": "YQ==", "n": 3}');
SELECT gsi_pk, gsi_sk, pk, sk FROM "app__ByBlob" ORDER BY gsi_sk;
SELECT singletable.query('app', '#blob = :b', index => 'ByBlob', names => '{"#blob": "blob"}', "values" => '{":b": {"$B": "YQ=="}}',
	projection => 'SK, #blob');

---------------------------------------------------------------------------
-- Conditions: binary by bytes, size, contains, attribute_type, set equality.
---------------------------------------------------------------------------
\set item '{"b": {"$B": "gA=="}, "b2": {"$B": "AAH/"}, "ss": {"$SS": ["b", "a"]}, "ns": {"$NS": [10, 2]}, "bs": {"$BS": ["YQ==", "/w=="]}, "l": ["a", "b"], "s": "text", "esc": {"$M": {"$B": "x"}}}'
SELECT cond, vals, singletable.matches(:'item', cond, NULL, vals::jsonb) AS result
FROM (VALUES
	('b > :v', '{":v": {"$B": "fw=="}}'),
	('b < :v', '{":v": {"$B": "fw=="}}'),
	('b BETWEEN :a AND :c', '{":a": {"$B": "AA=="}, ":c": {"$B": "/w=="}}'),
	('b = :v', '{":v": {"$B": "gA=="}}'),
	('b = :v', '{":v": "gA=="}'),
	('b > :v', '{":v": "AA=="}'),
	('begins_with(b2, :v)', '{":v": {"$B": "AAE="}}'),
	('begins_with(b2, :v)', '{":v": {"$B": "AQ=="}}'),
	('begins_with(b2, :v)', '{":v": "AAH"}'),
	('size(b2) = :v', '{":v": 3}'),
	('size(ss) = :v', '{":v": 2}'),
	('size(ns) = :v', '{":v": 2}'),
	('size(bs) = :v', '{":v": 2}'),
	('size(esc) = :v', '{":v": 1}'),
	('contains(ss, :v)', '{":v": "a"}'),
	('contains(ss, :v)', '{":v": "c"}'),
	('contains(ns, :v)', '{":v": 10.0}'),
	('contains(ns, :v)', '{":v": "10"}'),
	('contains(bs, :v)', '{":v": {"$B": "/w=="}}'),
	('contains(bs, :v)', '{":v": "/w=="}'),
	('contains(l, :v)', '{":v": "a"}'),
	('attribute_type(b, :t)', '{":t": "B"}'),
	('attribute_type(b, :t)', '{":t": "M"}'),
	('attribute_type(ss, :t)', '{":t": "SS"}'),
	('attribute_type(ns, :t)', '{":t": "NS"}'),
	('attribute_type(bs, :t)', '{":t": "BS"}'),
	('attribute_type(l, :t)', '{":t": "SS"}'),
	('attribute_type(l, :t)', '{":t": "L"}'),
	('attribute_type(esc, :t)', '{":t": "M"}'),
	('ss = :v', '{":v": {"$SS": ["a", "b"]}}'),
	('ss = :v', '{":v": ["a", "b"]}'),
	('ns = :v', '{":v": {"$NS": [2.0, 10]}}'),
	('ns <> :v', '{":v": {"$NS": [2]}}'),
	('ss < :v', '{":v": {"$SS": ["z"]}}')) t(cond, vals);
SELECT singletable.matches(:'item', 'esc.#t = :v', '{"#t": "$B"}', '{":v": "x"}') AS through_escape,
	singletable.matches(:'item', 'attribute_exists(b.#t)', '{"#t": "$B"}') AS binary_has_no_members;
-- malformed tags in expression values are refused, as in items
SELECT singletable.matches(:'item', 'ss = :v', NULL, '{":v": {"$SS": []}}');
SELECT singletable.matches(:'item', 'b = :v', NULL, '{":v": {"$B": "YR=="}}');
SELECT singletable.matches(:'item', 'begins_with(b, :v)', NULL, '{":v": 1}');

---------------------------------------------------------------------------
-- Updates: ADD and DELETE on sets only; a set is never empty.
---------------------------------------------------------------------------
SELECT upd, vals, singletable.apply_update(:'item', upd, NULL, vals::jsonb) - 'l' - 's' - 'b' - 'b2' AS result
FROM (VALUES
	('ADD ss :v', '{":v": {"$SS": ["c", "a"]}}'),
	('ADD ns :v', '{":v": {"$NS": [1, 10.0]}}'),
	('ADD bs :v', '{":v": {"$BS": ["AA==", "YQ=="]}}'),
	('ADD newset :v', '{":v": {"$BS": ["AA=="]}}'),
	('DELETE ss :v', '{":v": {"$SS": ["a"]}}'),
	('DELETE ss :v', '{":v": {"$SS": ["a", "b", "c"]}}'),
	('DELETE bs :v', '{":v": {"$BS": ["YQ=="]}}'),
	('DELETE nothere :v', '{":v": {"$NS": [1]}}'),
	('SET dup = ss', '{}'),
	('SET esc.y = :v', '{":v": 1}')) t(upd, vals);
SELECT singletable.apply_update(:'item', 'ADD l :v', NULL, '{":v": ["c"]}');
SELECT singletable.apply_update(:'item', 'ADD ss :v', NULL, '{":v": ["c"]}');
SELECT singletable.apply_update(:'item', 'DELETE l :v', NULL, '{":v": {"$SS": ["a"]}}');
SELECT singletable.apply_update(:'item', 'ADD ss :v', NULL, '{":v": {"$NS": [1]}}');
SELECT singletable.apply_update(:'item', 'ADD bs :v', NULL, '{":v": {"$SS": ["YQ=="]}}');
SELECT singletable.apply_update(:'item', 'DELETE ns :v', NULL, '{":v": {"$SS": ["10"]}}');
SELECT singletable.apply_update(:'item', 'ADD b :v', NULL, '{":v": {"$BS": ["YQ=="]}}');
SELECT singletable.apply_update(:'item', 'SET b.x = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET ss[0] = :v', NULL, '{":v": "x"}');
-- a map an update leaves with one key that reads as a tag is escaped
SELECT singletable.apply_update('{"m": {"$B": "x", "y": 1}}', 'REMOVE m.y');
SELECT singletable.apply_update('{"m": {}}', 'SET m.#b = :v', '{"#b": "$B"}', '{":v": "YQ=="}');
SELECT singletable.apply_update('{"m": {"$M": {"$B": "x"}}}', 'REMOVE m.#b', '{"#b": "$B"}');
-- through update_item and execute: the last member deleted removes the attribute
SELECT singletable.update_item('app', '{"PK": "ok", "SK": "1"}', 'DELETE ss :v',
	"values" => '{":v": {"$SS": ["a", "b"]}}', return_values => 'ALL_NEW') ? 'ss' AS still_has_ss;
SELECT types_test.try('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "ok"}, "SK": {"S": "1"}},
	"UpdateExpression": "ADD ns :n, tags :t DELETE bs :b", "ReturnValues": "UPDATED_NEW",
	"ExpressionAttributeValues": {":n": {"NS": ["7", "3"]}, ":t": {"SS": ["new"]}, ":b": {"BS": ["AA=="]}}}');
SELECT types_test.try('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "ok"}, "SK": {"S": "1"}},
	"UpdateExpression": "ADD deep :l", "ExpressionAttributeValues": {":l": {"L": [{"S": "x"}]}}}') ->> 'message' AS add_list;

---------------------------------------------------------------------------
-- Projections and execute: types come back as DynamoDB's.
---------------------------------------------------------------------------
SELECT singletable.get_item('app', '{"PK": "ok", "SK": "1"}', projection => 'b, ns, esc, deep[0].x');
-- a projected map whose only key reads as a tag is escaped, as stored
SELECT singletable.get_item('app', '{"PK": "ok", "SK": "1"}', projection => 'esc.#b', names => '{"#b": "$B"}');
SELECT singletable.project('{"m": {"$SS": 1, "x": 2}}', 'm.#s', '{"#s": "$SS"}');
SELECT types_test.try('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "ok"}, "SK": {"S": "1"}},
	"ProjectionExpression": "b, ns, bs, esc, tags, deep"}');
SELECT types_test.try('Scan', '{"TableName": "app", "FilterExpression": "contains(ns, :n) AND size(b) = :three",
	"ExpressionAttributeValues": {":n": {"N": "7"}, ":three": {"N": "3"}}, "ProjectionExpression": "PK"}');
SELECT types_test.try('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "bins", "Key": {"PK": {"S": "p"}, "SK": {"B": "/wA="}}}}]}');
SELECT types_test.try('BatchGetItem', '{"RequestItems": {"bins": {"Keys": [{"PK": {"S": "p"}, "SK": {"B": "AA=="}}]}}}');

DROP SCHEMA types_test CASCADE;
