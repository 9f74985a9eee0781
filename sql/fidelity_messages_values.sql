-- DynamoDB's wording of the ValidationExceptions about attribute values,
-- keys and start keys: the message of the body (raise_errors => false) is
-- DynamoDB's own, which SDK users match on, and the SQL functions give the
-- same sentence in their DETAIL.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_messages_values;
SET search_path = fidelity_messages_values, public;
CREATE FUNCTION msg(op text, req text) RETURNS text LANGUAGE sql
  AS $$ SELECT singletable.execute(op, req::jsonb, raise_errors => false) ->> 'message' $$;
-- the DETAIL and SQLSTATE of a SQL call that fails
CREATE FUNCTION detail(call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text; s text;
BEGIN
  EXECUTE call;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, s = RETURNED_SQLSTATE;
  RETURN s || ' ' || d;
END $$;
SELECT msg('CreateTable', '{"TableName": "fmv",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"},
    {"AttributeName": "b", "AttributeType": "S"}, {"AttributeName": "c", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}],
  "GlobalSecondaryIndexes": [{"IndexName": "byc", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"}}],
  "BillingMode": "PAY_PER_REQUEST"}') AS created;
SELECT msg('CreateTable', '{"TableName": "fmvb",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "B"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}],
  "BillingMode": "PAY_PER_REQUEST"}') AS created;

-- A typed value with no type, or with a type DynamoDB does not know (its
-- deserializer ignores unknown members), is empty, nested too.
SELECT v, msg('GetItem', format('{"TableName": "fmv", "Key": {"a": %s}}', v))
FROM (VALUES ('{}'), ('{"a": ""}'), ('{"M": {"a": {}}}'), ('{"L": [{}]}'), ('{"L": [{"a": {}}]}')) AS t(v);
-- Several types: each is checked first, then the value is refused for
-- having more than one.
SELECT v, msg('PutItem', format('{"TableName": "fmv", "Item": {"a": {"S": "k"}, "b": {"S": "k"}, "x": %s}}', v))
FROM (VALUES ('{"S": "a", "N": "1"}'), ('{"S": "", "N": ""}'), ('{"S": "a", "N": "b"}'),
  ('{"S": "a", "NULL": false}')) AS t(v);

-- The values of Key, Item and ExclusiveStartKey are checked after the mix
-- of expression and legacy parameters, as DynamoDB orders its checks.
SELECT msg('GetItem', '{"TableName": "fmv", "Key": {"a": {}}, "AttributesToGet": ["a"], "ProjectionExpression": "a"}');
SELECT msg('DeleteItem', '{"TableName": "fmv", "Key": {"a": {}}, "Expected": {"a": {"Exists": false}},
  "ConditionExpression": "attribute_exists(a)"}');
SELECT msg('Query', '{"TableName": "fmv", "ExclusiveStartKey": {"a": {}}, "KeyConditions": {"a": {"ComparisonOperator": "EQ",
  "AttributeValueList": [{"S": "a"}]}}, "ExpressionAttributeNames": {"#a": "a"}}');

-- Values of each type DynamoDB refuses, in its words.
SELECT v, msg('PutItem', format('{"TableName": "fmv", "Item": {"a": {"S": "k"}, "b": {"S": "k"}, "x": %s}}', v))
FROM (VALUES ('{"NULL": false}'), ('{"SS": []}'), ('{"NS": []}'), ('{"BS": []}'),
  ('{"SS": ["a", "a"]}'), ('{"BS": ["Yg==", "Yg=="]}'), ('{"NS": ["1", "1.0"]}'),
  ('{"N": ""}'), ('{"NS": ["1", ""]}'), ('{"NS": ["1", "b"]}'),
  ('{"N": "123456789012345678901234567890123456789"}'),
  ('{"N": "-1.23456789012345678901234567890123456789"}'),
  ('{"N": "1e126"}'), ('{"N": "-1e126"}'), ('{"N": "1e-131"}'), ('{"N": "-1e-131"}'),
  -- out of range and too many digits: the range is checked first
  ('{"N": "1234567890123456789012345678901234567890e200"}')) AS t(v);
-- ... and in ExpressionAttributeValues, named by their placeholder
SELECT msg('DeleteItem', '{"TableName": "fmv", "Key": {"a": {"S": "k"}, "b": {"S": "k"}},
  "ConditionExpression": "x = :v", "ExpressionAttributeValues": {":v": {"SS": ["a", "a"]}}}');
-- The SQL functions say the same.
SELECT detail($$SELECT singletable.from_dynamodb_value('{}')$$);
SELECT detail($$SELECT singletable.from_dynamodb_value('{"S": "a", "N": "1"}')$$);
SELECT detail($$SELECT singletable.from_dynamodb_value('{"NULL": false}')$$);
SELECT detail($$SELECT singletable.from_dynamodb_value('{"NS": ["1", "1"]}')$$);
SELECT detail($$SELECT singletable.from_dynamodb_value('{"N": "1e-131"}')$$);
SELECT detail($$SELECT singletable.put_item('fmv', '{"a": "k", "b": "k", "x": {"$SS": []}}')$$);
SELECT detail($$SELECT singletable.put_item('fmv', '{"a": "k", "b": "k", "x": {"$NS": []}}')$$);
SELECT detail($$SELECT singletable.put_item('fmv', '{"a": "k", "b": "k", "x": {"$BS": []}}')$$);
SELECT detail($$SELECT singletable.put_item('fmv', '{"a": "k", "b": "k", "x": {"$SS": ["b", "a", "b"]}}')$$);
SELECT detail($$SELECT singletable.put_item('fmv', '{"a": "k", "b": "k", "x": {"$BS": ["YQ==", "YQ=="]}}')$$);
SELECT detail($$SELECT singletable.put_item('fmv', '{"a": "k", "b": "k", "x": {"$NS": [1, 1.0]}}')$$);

-- Keys: a Key of the wrong type does not match the schema; an item names
-- the types.
SELECT msg('GetItem', '{"TableName": "fmv", "Key": {"a": {"N": "1"}, "b": {"S": "k"}}}');
SELECT msg('DeleteItem', '{"TableName": "fmv", "Key": {"a": {"S": "k"}, "b": {"BOOL": true}}}');
SELECT msg('PutItem', '{"TableName": "fmv", "Item": {"a": {"N": "1"}, "b": {"S": "k"}}}');
SELECT detail($$SELECT singletable.get_item('fmv', '{"a": 1, "b": "k"}')$$);
-- empty key values, string and binary: "were invalid" in a Key, "are not
-- valid" in an item, as DynamoDB words each
SELECT msg('GetItem', '{"TableName": "fmv", "Key": {"a": {"S": ""}, "b": {"S": "k"}}}');
SELECT msg('GetItem', '{"TableName": "fmvb", "Key": {"a": {"S": "k"}, "b": {"B": ""}}}');
SELECT msg('PutItem', '{"TableName": "fmvb", "Item": {"a": {"S": "k"}, "b": {"B": ""}}}');
SELECT detail($$SELECT singletable.put_item('fmvb', '{"a": "k", "b": {"$B": ""}}')$$);
-- key sizes (DynamoDB's "of2048", sic)
SELECT msg('GetItem', format('{"TableName": "fmv", "Key": {"a": {"S": "%s"}, "b": {"S": "k"}}}', repeat('x', 2049)));
SELECT msg('GetItem', format('{"TableName": "fmv", "Key": {"a": {"S": "k"}, "b": {"S": "%s"}}}', repeat('x', 1025)));
SELECT detail(format($$SELECT singletable.put_item('fmv', '{"a": "k", "b": "%s"}')$$, repeat('x', 1025)));

-- ... and so does the item of a BatchWriteItem PutRequest, missing a key
-- attribute or with one of another type.
SELECT msg('BatchWriteItem', '{"RequestItems": {"fmv": [{"PutRequest": {"Item": {"a": {"S": "k"}}}}]}}');
SELECT msg('BatchWriteItem', '{"RequestItems": {"fmv": [{"PutRequest": {"Item": {"a": {"S": "k"}, "b": {"N": "1"}}}}]}}');
-- A batch naming one item twice
SELECT msg('BatchGetItem', '{"RequestItems": {"fmv": {"Keys": [{"a": {"S": "k"}, "b": {"S": "k"}},
  {"a": {"S": "k"}, "b": {"S": "k"}}]}}}');
SELECT msg('BatchWriteItem', '{"RequestItems": {"fmv": [{"PutRequest": {"Item": {"a": {"S": "k"}, "b": {"S": "k"}}}},
  {"DeleteRequest": {"Key": {"a": {"S": "k"}, "b": {"S": "k"}}}}]}}');

-- A KeySchema whose first element is not HASH, or second not RANGE, for
-- the table and for an index.
SELECT msg('CreateTable', '{"TableName": "fmvk", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "RANGE"}, {"AttributeName": "b", "KeyType": "HASH"}]}');
SELECT msg('CreateTable', '{"TableName": "fmvk", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "HASH"}]}');
SELECT msg('CreateTable', '{"TableName": "fmvk", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
  "GlobalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "b", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "ALL"}}]}');

-- ExclusiveStartKey.  A typed value there: some messages start with "The
-- provided starting key is invalid: ", as DynamoDB words them.
SELECT v, msg('Scan', format('{"TableName": "fmv", "ExclusiveStartKey": {"a": %s}}', v))
FROM (VALUES ('{}'), ('{"S": "a", "N": "1"}'), ('{"NULL": false}'), ('{"SS": []}'), ('{"BS": []}'),
  ('{"NS": []}'), ('{"SS": ["a", "a"]}'), ('{"N": "b"}')) AS t(v);
-- A table scan: any start key that does not fit the schema.
SELECT v, msg('Scan', format('{"TableName": "fmv", "ExclusiveStartKey": %s}', v))
FROM (VALUES ('{}'), ('{"a": {"S": "a"}}'), ('{"a": {"S": "a"}, "c": {"S": "a"}}'),
  ('{"a": {"N": "1"}, "b": {"S": "a"}}'), ('{"a": {"S": "a"}, "b": {"S": "a"}, "c": {"S": "a"}}')) AS t(v);
-- A query: attributes missing or of another type.
SELECT v, msg('Query', format('{"TableName": "fmv", "KeyConditionExpression": "a = :a",
  "ExpressionAttributeValues": {":a": {"S": "a"}}, "ExclusiveStartKey": %s}', v))
FROM (VALUES ('{}'), ('{"a": {"S": "a"}}'), ('{"a": {"S": "a"}, "c": {"S": "a"}}'),
  ('{"a": {"N": "1"}, "b": {"S": "a"}}')) AS t(v);
-- ... a sort key of another type does not match the schema; the sort key
-- condition is checked before the partition.
SELECT msg('Query', '{"TableName": "fmv", "KeyConditionExpression": "a = :a",
  "ExpressionAttributeValues": {":a": {"S": "a"}}, "ExclusiveStartKey": {"a": {"S": "a"}, "b": {"N": "1"}}}');
SELECT msg('Query', '{"TableName": "fmv", "KeyConditionExpression": "a = :a AND b > :a",
  "ExpressionAttributeValues": {":a": {"S": "b"}}, "ExclusiveStartKey": {"a": {"S": "a"}, "b": {"S": "a"}}}');
SELECT msg('Query', '{"TableName": "fmv", "KeyConditionExpression": "a = :a AND b > :a",
  "ExpressionAttributeValues": {":a": {"S": "b"}}, "ExclusiveStartKey": {"a": {"S": "a"}, "b": {"S": "c"}}}');
-- An index read: the index's own key missing, or the attribute count
-- wrong; its own key of another type; the table's keys wrong.
SELECT v, msg('Scan', format('{"TableName": "fmv", "IndexName": "byc", "ExclusiveStartKey": %s}', v))
FROM (VALUES ('{"a": {"S": "a"}}'), ('{"a": {"S": "a"}, "b": {"S": "a"}, "x": {"S": "a"}}'),
  ('{"c": {"N": "1"}, "a": {"S": "a"}, "b": {"S": "a"}}'),
  ('{"c": {"S": "1"}, "x": {"S": "a"}, "y": {"S": "a"}}'),
  ('{"c": {"S": "1"}, "a": {"N": "1"}, "b": {"S": "a"}}')) AS t(v);
-- The SQL functions word their start_key the same.
SELECT detail($$SELECT singletable.scan('fmv', start_key => '{"a": 1, "b": "x"}')$$);
SELECT detail($$SELECT singletable.query('fmv', 'a = :a', "values" => '{":a": "a"}', start_key => '{"a": "a"}')$$);
SELECT detail($$SELECT singletable.scan('fmv', index => 'byc', start_key => '{"c": 1, "a": "a", "b": "b"}')$$);

DROP SCHEMA fidelity_messages_values CASCADE;
