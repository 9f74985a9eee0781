-- execute() checks a request in DynamoDB's order: first its shape (required
-- parameters, types, enums, parameter mixes, expressions and their
-- placeholders, typed values), then the table (ResourceNotFoundException,
-- or ResourceInUseException for CreateTable), then what needs the table
-- (the key against its schema, the key condition, the index).  So a
-- malformed request naming a missing table is a ValidationException, a
-- well-formed one ResourceNotFoundException, and a key that does not match
-- the schema is reported only once everything else is right.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_check_order;
SET search_path = fidelity_check_order, public;
SELECT singletable.create_table('app') IS NOT NULL AS created;
-- The error type and message of a request (raise_errors => false).
CREATE FUNCTION try(op text, req text) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(r ->> '__type', 'ok') || coalesce(': ' || (r ->> 'message'), '')
	FROM singletable.execute(op, req::jsonb, raise_errors => false) AS r
$$;

-- GetItem: an empty typed value, and expression with non-expression
-- parameters, on a missing table; a well-formed request on it; on app, a
-- projection naming a missing placeholder is reported before the wrong key.
SELECT try('GetItem', '{"TableName": "nosuch", "Key": {"PK": {}}}');
SELECT try('GetItem', '{"TableName": "nosuch", "Key": {"PK": {"S": "a"}}, "AttributesToGet": ["a"],
  "ProjectionExpression": "a"}');
SELECT try('GetItem', '{"TableName": "nosuch", "Key": {"PK": {"S": "a"}, "SK": {"S": "b"}}}');
SELECT try('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "a"}}, "ProjectionExpression": "#n"}');
SELECT try('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "a"}}}');

-- PutItem
SELECT try('PutItem', '{"TableName": "nosuch", "Item": {"PK": {"S": "a"}, "SK": {"S": "b"}},
  "ConditionExpression": "a ="}');
SELECT try('PutItem', '{"TableName": "nosuch", "Item": {"PK": {"S": "a"}, "SK": {"S": "b"}}}');
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "a"}}, "ReturnValues": "ALL_NEW"}');
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "a"}}, "ReturnValues": "ALL_OLD"}');

-- DeleteItem: expression and non-expression parameters together
SELECT try('DeleteItem', '{"TableName": "nosuch", "Key": {}, "Expected": {"a": {"Exists": false}},
  "ConditionExpression": "attribute_exists(a)"}');
SELECT try('DeleteItem', '{"TableName": "nosuch", "Key": {"PK": {"S": "a"}, "SK": {"S": "b"}}}');
SELECT try('DeleteItem', '{"TableName": "app", "Key": {}, "ConditionExpression": "a ="}');
SELECT try('DeleteItem', '{"TableName": "app", "Key": {}}');

-- UpdateItem
SELECT try('UpdateItem', '{"TableName": "nosuch", "Key": {"PK": {"S": "a"}}, "UpdateExpression": "SET"}');
SELECT try('UpdateItem', '{"TableName": "nosuch", "Key": {"PK": {"S": "a"}, "SK": {"S": "b"}},
  "UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}');
SELECT try('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "a"}}, "UpdateExpression": "SET a = :v"}');
SELECT try('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "a"}},
  "UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}');

-- Query: a bad Select on a missing table; a key condition that only the
-- table's schema makes wrong, on a missing table, is ResourceNotFound; on
-- app, a ValidationException.
SELECT try('Query', '{"TableName": "nosuch", "KeyConditionExpression": "PK = :v",
  "ExpressionAttributeValues": {":v": {"S": "a"}}, "Select": "SOME"}');
SELECT try('Query', '{"TableName": "nosuch", "KeyConditionExpression": "z = :v",
  "ExpressionAttributeValues": {":v": {"S": "a"}}}');
SELECT try('Query', '{"TableName": "app", "KeyConditionExpression": "z = :v",
  "ExpressionAttributeValues": {":v": {"S": "a"}}}');
-- KeyConditions: NULL, NE ... are DynamoDB operators, only not a key's.
SELECT try('Query', '{"TableName": "nosuch", "KeyConditions": {"z": {"ComparisonOperator": "NULL"}}}');
SELECT try('Query', '{"TableName": "app", "KeyConditions": {"z": {"ComparisonOperator": "NULL"}}}');
SELECT try('Query', '{"TableName": "app", "KeyConditions": {"PK": {"ComparisonOperator": "EQ",
  "AttributeValueList": [{"S": "a"}]}, "SK": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "a"}]}}}');
SELECT try('Query', '{"TableName": "nosuch", "KeyConditions": {"z": {"ComparisonOperator": "NOPE"}}}');

-- Scan
SELECT try('Scan', '{"TableName": "nosuch", "Segment": 1}');
SELECT try('Scan', '{"TableName": "nosuch", "Segment": 1, "TotalSegments": 2}');
SELECT try('Scan', '{"TableName": "app", "ExclusiveStartKey": {"PK": {"S": "a"}}}');

-- BatchGetItem: a table with no keys, or the same key twice; a missing
-- table is reported before a wrong key of another table; a wrong key alone.
SELECT try('BatchGetItem', '{"RequestItems": {"nosuch": {"Keys": []}}}');
SELECT try('BatchGetItem', '{"RequestItems": {"nosuch": {"Keys": [{"PK": {"S": "a"}}, {"PK": {"S": "a"}}]}}}');
SELECT try('BatchGetItem', '{"RequestItems": {"app": {"Keys": [{"PK": {"S": "a"}}]},
  "nosuch": {"Keys": [{"PK": {"S": "a"}}]}}}');
SELECT try('BatchGetItem', '{"RequestItems": {"app": {"Keys": [{"PK": {"S": "a"}}]}}}');

-- BatchWriteItem
SELECT try('BatchWriteItem', '{"RequestItems": {"nosuch": [{"PutRequest": {"Item": {"PK": {"S": "a"}}},
  "DeleteRequest": {"Key": {"PK": {"S": "a"}}}}]}}');
SELECT try('BatchWriteItem', '{"RequestItems": {"app": [{"DeleteRequest": {"Key": {"PK": {"S": "a"}}}}],
  "nosuch": [{"DeleteRequest": {"Key": {"PK": {"S": "a"}}}}]}}');
SELECT try('BatchWriteItem', '{"RequestItems": {"app": [{"PutRequest": {"Item": {"PK": {"S": "a"}}}}]}}');

-- TransactWriteItems: a malformed action after one with a wrong key; a
-- missing table after a wrong key; a wrong key alone.
SELECT try('TransactWriteItems', '{"TransactItems": [
  {"Put": {"TableName": "app", "Item": {"PK": {"S": "a"}}}},
  {"Put": {"TableName": "nosuch", "Item": {"PK": {"S": "a"}}, "ConditionExpression": "a ="}}]}');
SELECT try('TransactWriteItems', '{"TransactItems": [
  {"Put": {"TableName": "app", "Item": {"PK": {"S": "a"}}}},
  {"Put": {"TableName": "nosuch", "Item": {"PK": {"S": "a"}}}}]}');
SELECT try('TransactWriteItems', '{"TransactItems": [
  {"Delete": {"TableName": "app", "Key": {"PK": {"S": "a"}}}}]}');

-- TransactGetItems
SELECT try('TransactGetItems', '{"TransactItems": [
  {"Get": {"TableName": "app", "Key": {"PK": {"S": "a"}}}},
  {"Get": {"TableName": "nosuch", "Key": {"PK": {"S": "a"}}, "ProjectionExpression": "#n"}}]}');
SELECT try('TransactGetItems', '{"TransactItems": [
  {"Get": {"TableName": "app", "Key": {"PK": {"S": "a"}}}},
  {"Get": {"TableName": "nosuch", "Key": {"PK": {"S": "a"}}}}]}');
SELECT try('TransactGetItems', '{"TransactItems": [{"Get": {"TableName": "app", "Key": {"PK": {"S": "a"}}}}]}');

-- CreateTable: a malformed index on a table that exists is a
-- ValidationException; a well-formed request for it ResourceInUse.
SELECT try('CreateTable', '{"TableName": "app", "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [{"IndexName": "gix", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"}}]}');
SELECT try('CreateTable', '{"TableName": "app", "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}]}');

-- UpdateTable: an index deletion without IndexName; a missing index
SELECT try('UpdateTable', '{"TableName": "nosuch", "GlobalSecondaryIndexUpdates": [{"Delete": {}}]}');
SELECT try('UpdateTable', '{"TableName": "nosuch", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "gix"}}]}');
SELECT try('UpdateTable', '{"TableName": "app", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "gix"}}]}');

-- DescribeTable and DeleteTable have nothing to check before the table.
SELECT try('DescribeTable', '{"TableName": "nosuch"}');
SELECT try('DeleteTable', '{"TableName": "nosuch"}');

-- The request-level checks DynamoDB makes keep the same order:
-- ReturnConsumedCapacity and an empty UpdateTable are the request's shape
-- (ValidationException on a missing table); an index's ConsistentRead and
-- Select, and a QueryFilter naming a key, need the table.
SELECT try('GetItem', '{"TableName": "nosuch", "Key": {"PK": {"S": "a"}}, "ReturnConsumedCapacity": "ALL"}');
SELECT try('PutItem', '{"TableName": "nosuch", "Item": {"PK": {"S": "a"}}, "ReturnConsumedCapacity": "ALL"}');
SELECT try('Query', '{"TableName": "nosuch", "KeyConditionExpression": "PK = :v",
  "ExpressionAttributeValues": {":v": {"S": "a"}}, "ReturnConsumedCapacity": "ALL"}');
SELECT try('UpdateTable', '{"TableName": "nosuch"}');
SELECT try('Query', '{"TableName": "nosuch", "IndexName": "gix", "ConsistentRead": true,
  "KeyConditionExpression": "PK = :v", "ExpressionAttributeValues": {":v": {"S": "a"}}}');
SELECT try('Query', '{"TableName": "nosuch", "KeyConditions": {"PK": {"ComparisonOperator": "EQ",
  "AttributeValueList": [{"S": "a"}]}}, "QueryFilter": {"PK": {"ComparisonOperator": "NOT_NULL"}}}');
SELECT try('Query', '{"TableName": "app", "KeyConditions": {"PK": {"ComparisonOperator": "EQ",
  "AttributeValueList": [{"S": "a"}]}}, "QueryFilter": {"PK": {"ComparisonOperator": "NOT_NULL"}}}');
-- Capacity is still counted once the checks pass.
SELECT singletable.execute('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "a"}, "SK": {"S": "b"}},
  "ReturnConsumedCapacity": "TOTAL"}') -> 'ConsumedCapacity' AS get_capacity;
SELECT singletable.execute('Query', '{"TableName": "app", "KeyConditionExpression": "PK = :v",
  "ExpressionAttributeValues": {":v": {"S": "a"}}, "ReturnConsumedCapacity": "TOTAL"}') -> 'ConsumedCapacity' AS query_capacity;
SELECT singletable.execute('DeleteItem', '{"TableName": "app", "Key": {"PK": {"S": "a"}, "SK": {"S": "b"}},
  "ReturnConsumedCapacity": "TOTAL"}') -> 'ConsumedCapacity' AS delete_capacity;

-- Nothing was written.
SELECT count(*) FROM app;
DROP SCHEMA fidelity_check_order CASCADE;
