-- ConsumedCapacity as DynamoDB answers it, case by case where dynalite's
-- tests (written against DynamoDB) and DynamoDB's documented answers
-- showed a difference.
SET client_min_messages = warning;
CREATE SCHEMA consumed_capacity_peer;
SET search_path = consumed_capacity_peer, public;
CREATE FUNCTION cc(op text, req text) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT singletable.execute(op, req::jsonb, raise_errors => false) -> 'ConsumedCapacity' $$;
SELECT singletable.execute('CreateTable', '{"TableName": "capp",
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"},
    {"AttributeName": "c", "AttributeType": "S"}, {"AttributeName": "d", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "byc",
    "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"}}],
  "GlobalSecondaryIndexes": [{"IndexName": "byd",
    "KeySchema": [{"AttributeName": "d", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"}}],
  "BillingMode": "PAY_PER_REQUEST"}') -> 'TableDescription' -> 'TableName' AS created;

-- 1. Every operation but the transactions answers CapacityUnits alone,
-- no ReadCapacityUnits or WriteCapacityUnits (AWS CLI reference examples,
-- dynalite); with INDEXES, "Table" is there even when it read nothing.
SELECT cc('PutItem', '{"TableName": "capp", "Item": {"a": {"S": "x"}, "b": {"S": "1"}}, "ReturnConsumedCapacity": "TOTAL"}');
SELECT cc('PutItem', '{"TableName": "capp", "Item": {"a": {"S": "x"}, "b": {"S": "1"}}, "ReturnConsumedCapacity": "INDEXES"}');
SELECT cc('GetItem', '{"TableName": "capp", "Key": {"a": {"S": "x"}, "b": {"S": "1"}}, "ReturnConsumedCapacity": "INDEXES"}');
SELECT cc('BatchGetItem', '{"RequestItems": {"capp": {"Keys": [{"a": {"S": "x"}, "b": {"S": "1"}},
  {"a": {"S": "x"}, "b": {"S": "2"}}, {"a": {"S": "x"}, "b": {"S": "3"}}]}}, "ReturnConsumedCapacity": "TOTAL"}');
-- transactions keep the read and write parts (AWS CLI reference examples)
SELECT cc('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "capp", "Key": {"a": {"S": "x"}, "b": {"S": "1"}}}}],
  "ReturnConsumedCapacity": "TOTAL"}');

-- 2. Binary and sets count as the values they stand for: a binary its
-- bytes, a set the sum of its members.  dynalite's 1024-byte item (20
-- bytes besides v's value) is one write unit; one byte more, two.
SELECT cc('PutItem', format('{"TableName": "capp", "Item": {"a": {"S": "bin"}, "b": {"S": "1"}, "v": {"S": "%s"},
  "n": {"N": "12.3456"}, "e": {"B": "AQI="}, "f": {"BS": ["AQI=", "Ag==", "AQ=="]}}, "ReturnConsumedCapacity": "TOTAL"}',
  repeat('v', 1024 - 20)));
SELECT cc('PutItem', format('{"TableName": "capp", "Item": {"a": {"S": "bin"}, "b": {"S": "1"}, "v": {"S": "%s"},
  "n": {"N": "12.3456"}, "e": {"B": "AQI="}, "f": {"BS": ["AQI=", "Ag==", "AQ=="]}}, "ReturnConsumedCapacity": "TOTAL"}',
  repeat('v', 1025 - 20)));
-- inside lists and maps too, and string and number sets: an item of 4096
-- bytes (34 besides v's value) read eventually consistently is half a unit
SELECT singletable.execute('PutItem', format('{"TableName": "capp", "Item": {"a": {"S": "big"}, "b": {"S": "1"}, "v": {"S": "%s"},
  "l": {"L": [{"S": "aa"}, {"B": "AQI="}]}, "m": {"M": {"k": {"BS": ["AQI="]}}}, "s": {"SS": ["a", "bc"]}, "t": {"NS": ["1", "22"]}}}',
  repeat('v', 4096 - 34))::jsonb);
SELECT cc('GetItem', '{"TableName": "capp", "Key": {"a": {"S": "big"}, "b": {"S": "1"}}, "ReturnConsumedCapacity": "TOTAL"}');

-- 3. A Query or Scan page counts DynamoDB's sizes of the items it read:
-- four items of 1024 bytes are one 4 KB block.
SELECT singletable.create_table('capq', partition_key => 'a', sort_key => 'b') IS NOT NULL AS created;
SELECT singletable.put_item('capq', jsonb_build_object('a', 'q', 'b', i::text, 'v', repeat('v', 1024 - 5)))
FROM generate_series(1, 4) i;
SELECT cc('Query', '{"TableName": "capq", "KeyConditionExpression": "a = :a",
  "ExpressionAttributeValues": {":a": {"S": "q"}}, "ConsistentRead": true, "ReturnConsumedCapacity": "TOTAL"}');
SELECT cc('Scan', '{"TableName": "capq", "ConsistentRead": true, "ReturnConsumedCapacity": "TOTAL"}');

-- 4. Local secondary indexes are answered as LocalSecondaryIndexes, for
-- writes and reads; reading attributes a local index does not project
-- fetches each item from the table, one read of its own per item.
SELECT cc('PutItem', '{"TableName": "capp", "Item": {"a": {"S": "l"}, "b": {"S": "1"}, "c": {"S": "c1"}, "d": {"S": "d1"}},
  "ReturnConsumedCapacity": "INDEXES"}');
SELECT cc('PutItem', '{"TableName": "capp", "Item": {"a": {"S": "l"}, "b": {"S": "2"}, "c": {"S": "c2"}},
  "ReturnConsumedCapacity": "INDEXES"}');
SELECT cc('Query', '{"TableName": "capp", "IndexName": "byc", "KeyConditionExpression": "a = :a",
  "ExpressionAttributeValues": {":a": {"S": "l"}}, "ReturnConsumedCapacity": "INDEXES"}');
SELECT cc('Query', '{"TableName": "capp", "IndexName": "byc", "KeyConditionExpression": "a = :a", "Select": "ALL_ATTRIBUTES",
  "ExpressionAttributeValues": {":a": {"S": "l"}}, "ConsistentRead": true, "ReturnConsumedCapacity": "INDEXES"}');
SELECT cc('Query', '{"TableName": "capp", "IndexName": "byd", "KeyConditionExpression": "d = :d",
  "ExpressionAttributeValues": {":d": {"S": "d1"}}, "ReturnConsumedCapacity": "INDEXES"}');

SELECT singletable.drop_table('capp');
SELECT singletable.drop_table('capq');
DROP SCHEMA consumed_capacity_peer CASCADE;
