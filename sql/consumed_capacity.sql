-- execute(): ReturnConsumedCapacity (TOTAL, INDEXES, NONE) answers
-- ConsumedCapacity counted with DynamoDB's rules: reads per 4 KB rounded
-- up (half when eventually consistent), writes per 1 KB of the larger of
-- the item before and after, each index entry put or deleted counted for
-- its index, transactions twice.
SET client_min_messages = warning;
CREATE SCHEMA consumed_capacity;
SET search_path = consumed_capacity, public;
CREATE FUNCTION cc(op text, req text) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT singletable.execute(op, req::jsonb, raise_errors => false) -> 'ConsumedCapacity' $$;
SELECT singletable.create_table('cap', partition_key => 'pk', sort_key => 'sk') IS NOT NULL AS created;
SELECT singletable.create_index('cap', 'All', 'g', projection => 'ALL') IS NOT NULL AS all_index;
SELECT singletable.create_index('cap', 'Keys', 'g', projection => 'KEYS_ONLY') IS NOT NULL AS keys_index;

-- An invalid value is a ValidationException, for every operation.
SELECT singletable.execute('GetItem', '{"TableName": "cap", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "ReturnConsumedCapacity": "ALL"}', raise_errors => false);
SELECT singletable.execute('DescribeTable', '{"TableName": "cap", "ReturnConsumedCapacity": "total"}', raise_errors => false) ->> 'message' AS message;
-- NONE, or no parameter: no ConsumedCapacity.
SELECT singletable.execute('GetItem', '{"TableName": "cap", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "ReturnConsumedCapacity": "NONE"}');

-- PutItem: 1.5 KB is 2 write units, for the table and for each index
-- entry (the KEYS_ONLY entry is small: 1).
SELECT cc('PutItem', format('{"TableName": "cap", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "G"}, "v": {"S": "%s"}},
  "ReturnConsumedCapacity": "TOTAL"}', repeat('x', 1500)));
SELECT jsonb_pretty(cc('PutItem', format('{"TableName": "cap", "Item": {"pk": {"S": "a"}, "sk": {"S": "2"}, "g": {"S": "G"}, "v": {"S": "%s"}},
  "ReturnConsumedCapacity": "INDEXES"}', repeat('x', 1500))));
-- an item without the index key is in no index
SELECT cc('PutItem', '{"TableName": "cap", "Item": {"pk": {"S": "a"}, "sk": {"S": "3"}}, "ReturnConsumedCapacity": "INDEXES"}');
-- UpdateItem: the larger of before and after; a KEYS_ONLY entry is not
-- rewritten when only other attributes change; a changed index key is a
-- delete and a put.
SELECT cc('UpdateItem', '{"TableName": "cap", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "UpdateExpression": "REMOVE v", "ReturnConsumedCapacity": "INDEXES"}');
SELECT cc('UpdateItem', '{"TableName": "cap", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "UpdateExpression": "SET g = :g", "ExpressionAttributeValues": {":g": {"S": "H"}}, "ReturnConsumedCapacity": "INDEXES"}');
-- DeleteItem: the item deleted.
SELECT cc('DeleteItem', '{"TableName": "cap", "Key": {"pk": {"S": "a"}, "sk": {"S": "2"}}, "ReturnConsumedCapacity": "INDEXES"}');

-- GetItem: 0.5 eventually consistent, 1 consistent, even for no item;
-- 5 KB is 2 units.
SELECT cc('GetItem', '{"TableName": "cap", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}, "ReturnConsumedCapacity": "TOTAL"}');
SELECT cc('GetItem', '{"TableName": "cap", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}, "ConsistentRead": true,
  "ReturnConsumedCapacity": "TOTAL"}');
SELECT cc('GetItem', '{"TableName": "cap", "Key": {"pk": {"S": "none"}, "sk": {"S": "1"}}, "ReturnConsumedCapacity": "TOTAL"}');
SELECT singletable.put_item('cap', jsonb_build_object('pk', 'big', 'sk', '1', 'v', repeat('y', 5000)));
SELECT cc('GetItem', '{"TableName": "cap", "Key": {"pk": {"S": "big"}, "sk": {"S": "1"}}, "ConsistentRead": true,
  "ReturnConsumedCapacity": "TOTAL"}');

-- Query and Scan: the bytes of the items read, 4 KB blocks, rounded up
-- once for the page (three 3 KB items: 3 blocks, 1.5 units).
SELECT singletable.put_item('cap', jsonb_build_object('pk', 'q', 'sk', i::text, 'g', 'Q', 'v', repeat('z', 3000)))
FROM generate_series(1, 3) i;
SELECT cc('Query', '{"TableName": "cap", "KeyConditionExpression": "pk = :p",
  "ExpressionAttributeValues": {":p": {"S": "q"}}, "ReturnConsumedCapacity": "TOTAL"}');
SELECT cc('Query', '{"TableName": "cap", "KeyConditionExpression": "pk = :p", "ConsistentRead": true,
  "ExpressionAttributeValues": {":p": {"S": "q"}}, "ReturnConsumedCapacity": "TOTAL"}');
SELECT cc('Query', '{"TableName": "cap", "IndexName": "All", "KeyConditionExpression": "g = :g",
  "ExpressionAttributeValues": {":g": {"S": "Q"}}, "ReturnConsumedCapacity": "INDEXES"}');
SELECT cc('Scan', '{"TableName": "cap", "Limit": 1, "ReturnConsumedCapacity": "TOTAL"}');

-- Batches: one entry per table; transactions count twice.
SELECT cc('BatchWriteItem', '{"RequestItems": {"cap": [
  {"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"S": "1"}}}},
  {"DeleteRequest": {"Key": {"pk": {"S": "a"}, "sk": {"S": "3"}}}}]}, "ReturnConsumedCapacity": "TOTAL"}');
SELECT cc('BatchGetItem', '{"RequestItems": {"cap": {"Keys": [{"pk": {"S": "b"}, "sk": {"S": "1"}},
  {"pk": {"S": "big"}, "sk": {"S": "1"}}]}}, "ReturnConsumedCapacity": "TOTAL"}');
SELECT cc('TransactWriteItems', '{"TransactItems": [
  {"Put": {"TableName": "cap", "Item": {"pk": {"S": "t"}, "sk": {"S": "1"}, "g": {"S": "T"}}}},
  {"ConditionCheck": {"TableName": "cap", "Key": {"pk": {"S": "b"}, "sk": {"S": "1"}}, "ConditionExpression": "attribute_exists(pk)"}}],
  "ReturnConsumedCapacity": "INDEXES"}');
SELECT cc('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "cap", "Key": {"pk": {"S": "t"}, "sk": {"S": "1"}}}}],
  "ReturnConsumedCapacity": "TOTAL"}');

-- A binary set of numbers, which plain SQL can store (the CHECK constraint
-- takes what a restore brings): its members are sized as the numbers they
-- are, as the page-level measure does, not read as base64 text.
INSERT INTO cap(item) VALUES ('{"pk": "n", "sk": "1", "bs": {"$BS": [1.5, 100]}}');
SELECT cc('GetItem', '{"TableName": "cap", "Key": {"pk": {"S": "n"}, "sk": {"S": "1"}}, "ReturnConsumedCapacity": "TOTAL"}');

SELECT singletable.drop_table('cap');
DROP SCHEMA consumed_capacity CASCADE;
