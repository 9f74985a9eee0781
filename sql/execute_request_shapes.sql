-- execute(): how malformed requests are answered, for the request shapes
-- whose reading is shared between operations (arrays of objects such as
-- KeySchema, AttributeDefinitions, GlobalSecondaryIndexes,
-- GlobalSecondaryIndexUpdates and BatchWriteItem's write requests; lists
-- of strings; PutItem, DeleteItem and UpdateItem; the legacy parameters).
-- A failing request shows its message and, in the DETAIL, DynamoDB's error
-- type and message.
SET client_min_messages = warning;
CREATE SCHEMA shapes_test;
SET search_path = shapes_test, public;

-- CreateTable: KeySchema and AttributeDefinitions elements.
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": ["pk"],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}');
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH", "Extra": 1}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}');
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [{"AttributeName": "sk", "KeyType": "RANGE"}, {"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}');
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}');
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}');
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [42]}');
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S", "Extra": 1}]}');
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "other", "AttributeType": "S"}, {"AttributeName": "pk", "AttributeType": "X"}]}');
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "other", "AttributeType": "S"}]}');
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}');

-- CreateTable: index elements (the table is created before its indexes,
-- in the same statement, so a failing index leaves no table).
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": ["ByX"]}');
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
    {"AttributeName": "g", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "ByG",
    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "ALL"}}]}');
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
    {"AttributeName": "g", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [{"IndexName": "ByG",
    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", 1]}}]}');
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [{"IndexName": "ByG",
    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": [1]}}]}');
SELECT count(*) AS tables_left FROM singletable.list_tables() AS name WHERE name = 'shapes';

-- A table with a GSI (INCLUDE) and an LSI.
SELECT singletable.execute('CreateTable', '{"TableName": "shapes",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
    {"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "n", "AttributeType": "N"}],
  "GlobalSecondaryIndexes": [{"IndexName": "ByG",
    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["n", "t"]}}],
  "LocalSecondaryIndexes": [{"IndexName": "ByN",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"}}]}') #> '{TableDescription,GlobalSecondaryIndexes,0,Projection}';

-- UpdateTable: GlobalSecondaryIndexUpdates elements.
SELECT singletable.execute('UpdateTable', '{"TableName": "shapes", "GlobalSecondaryIndexUpdates": [1]}');
SELECT singletable.execute('UpdateTable', '{"TableName": "shapes", "GlobalSecondaryIndexUpdates": [{"Drop": {}}]}');
SELECT singletable.execute('UpdateTable', '{"TableName": "shapes", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "NoSuch"}}]}');
SELECT singletable.execute('UpdateTable', '{"TableName": "shapes", "GlobalSecondaryIndexUpdates": [{"Delete": {}}]}');
SELECT jsonb_path_query_array(singletable.execute('UpdateTable', '{"TableName": "shapes",
  "GlobalSecondaryIndexUpdates": [{"Update": {}}, {"Delete": {"IndexName": "ByG"}}]}')::jsonb,
  '$.TableDescription.GlobalSecondaryIndexes[*].IndexName') AS indexes_left;

-- BatchWriteItem: write request elements.
SELECT singletable.execute('BatchWriteItem', '{"RequestItems": {"shapes": ["x"]}}');
SELECT singletable.execute('BatchWriteItem', '{"RequestItems": {"shapes": [{"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"S": "1"}}}, "Other": 1}]}}');
SELECT singletable.execute('BatchWriteItem', '{"RequestItems": {"shapes": [{}]}}');
SELECT singletable.execute('BatchWriteItem', '{"RequestItems": {"shapes": [
  {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"S": "1"}}}},
  {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"S": "2"}}}},
  {"DeleteRequest": {"Key": {"pk": {"S": "a"}, "sk": {"S": "9"}}}},
  7]}}');
SELECT singletable.execute('BatchWriteItem', '{"RequestItems": {"shapes": [
  {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "1"}}}},
  {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"S": "2"}, "n": {"N": "2"}}}}]}}');

SELECT singletable.execute('BatchWriteItem', '{"RequestItems": {"shapes": {}}}');

-- BatchGetItem: the tables of RequestItems.
SELECT singletable.execute('BatchGetItem', '{"RequestItems": {"shapes": []}}');
SELECT singletable.execute('BatchGetItem', '{"RequestItems": {"shapes": {"Keys": [{"pk": {"S": "a"}, "sk": {"S": "1"}}], "Other": 1}}}');
SELECT singletable.execute('BatchGetItem', '{"RequestItems": {"shapes": {"Keys": [{"pk": {"S": "a"}, "sk": {"S": "1"}}, {"pk": {"S": "a"}, "sk": {"S": "3"}}],
  "AttributesToGet": ["n"]}}}');

-- PutItem, DeleteItem, UpdateItem: fields, ReturnValues per operation.
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Key": {}}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes"}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "3"}}, "ReturnValues": "ALL_NEW"}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "10"}}, "ReturnValues": "ALL_OLD"}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}}}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "ReturnValuesOnConditionCheckFailure": "ALL_NEW"}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "ConditionExpression": "attribute_not_exists(pk)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}');
SELECT singletable.execute('DeleteItem', '{"TableName": "shapes", "Item": {}}');
SELECT singletable.execute('DeleteItem', '{"TableName": "shapes"}');
SELECT singletable.execute('DeleteItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "3"}}, "ReturnValues": "UPDATED_NEW"}');
SELECT singletable.execute('DeleteItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "2"}}, "ReturnValues": "ALL_OLD",
  "Expected": {"n": {"Value": {"N": "2"}}}}');
SELECT singletable.execute('DeleteItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "Expected": {"n": {"Value": {"N": "2"}}}, "ConditionExpression": "n = :v"}');
SELECT singletable.execute('UpdateItem', '{"TableName": "shapes", "Item": {}}');
SELECT singletable.execute('UpdateItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}, "ReturnValues": "SOME"}');
SELECT singletable.execute('UpdateItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValues": "UPDATED_NEW"}');
SELECT singletable.execute('UpdateItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "AttributeUpdates": {"n": {"Action": "ADD", "Value": {"N": "5"}}, "t": {"Value": {"S": "x"}},
    "s": {"Action": "PUT", "Value": {"S": "p"}}},
  "Expected": {"n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "11"}, {"N": "12"}]}},
  "ReturnValues": "ALL_NEW"}');
SELECT singletable.execute('UpdateItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "AttributeUpdates": {"t": {"Action": "DELETE"}, "s": {"Action": "PUT", "Value": {"N": "3"}}},
  "Expected": {"n": {"ComparisonOperator": "NOT_NULL"}, "gone": {"ComparisonOperator": "NULL"}},
  "ConditionalOperator": "OR", "ReturnValues": "ALL_NEW"}');
SELECT singletable.execute('UpdateItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "AttributeUpdates": {"n": {"Action": "ADD"}}}');
SELECT singletable.execute('UpdateItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "AttributeUpdates": {"n": {"Action": "PUT"}}}');
SELECT singletable.execute('UpdateItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "AttributeUpdates": {"n": 5}}');
SELECT singletable.execute('UpdateItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "AttributeUpdates": {"n": {"Action": "ADD", "Value": {"N": "1"}}}, "UpdateExpression": "SET n = :v"}');
SELECT singletable.execute('UpdateItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "AttributeUpdates": {"n": {"Action": "ADD", "Value": {"N": "1"}}}, "ConditionalOperator": "XOR",
  "Expected": {"n": {"Exists": true, "Value": {"N": "1"}}}}');

-- Legacy conditions: Expected's older form and the operators.
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "Expected": {"n": {"Exists": false, "Value": {"N": "1"}}}}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "Expected": {"n": {"Exists": true}}}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "Expected": {"n": {"Exists": "yes"}}}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "Expected": {"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}], "Value": {"N": "1"}}}}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "Expected": {"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}]}}}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "Expected": {"n": {"ComparisonOperator": "IN", "AttributeValueList": []}}}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "Expected": {}}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "Expected": {"n": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "z"}]},
    "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "1"}]},
    "pk": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "b"}]}},
  "ReturnValues": "ALL_OLD"}');

SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "Expected": {"n": 5}}');
SELECT singletable.execute('PutItem', '{"TableName": "shapes", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "Expected": {"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}], "Bogus": 1}}}');

-- Query and Scan with the legacy parameters, and their mixing rule.
SELECT singletable.execute('Query', '{"TableName": "shapes",
  "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
    "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "1"}, {"S": "2"}]}},
  "QueryFilter": {"n": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "2"}]},
    "t": {"ComparisonOperator": "NULL"}},
  "ConditionalOperator": "OR", "AttributesToGet": ["sk", "n"]}');
SELECT singletable.execute('Query', '{"TableName": "shapes",
  "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}},
  "ScanIndexForward": false, "Select": "COUNT"}');
SELECT singletable.execute('Query', '{"TableName": "shapes",
  "KeyConditions": {"pk": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "a"}]}}}');
SELECT singletable.execute('Query', '{"TableName": "shapes",
  "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}},
  "FilterExpression": "n > :v"}');
SELECT singletable.execute('Query', '{"TableName": "shapes", "Limit": 0,
  "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}}');
SELECT singletable.execute('Query', '{"TableName": "shapes", "AttributesToGet": ["n", 2],
  "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}}');
SELECT singletable.execute('Query', '{"TableName": "shapes", "AttributesToGet": [],
  "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}}');
SELECT singletable.execute('Query', '{"TableName": "shapes", "QueryFilter": {"n": {"ComparisonOperator": "NOT_NULL"}}}');
SELECT singletable.execute('Scan', '{"TableName": "shapes",
  "ScanFilter": {"n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "2"}, {"N": "3"}]}}}');
SELECT singletable.execute('Scan', '{"TableName": "shapes", "Segment": 0, "TotalSegments": 2, "Select": "COUNT"}');
SELECT singletable.execute('Scan', '{"TableName": "shapes", "Segment": 1}');
SELECT singletable.execute('Scan', '{"TableName": "shapes", "Limit": 1.5}');
SELECT singletable.execute('Scan', '{"TableName": "shapes", "ConsistentRead": "yes"}');
SELECT singletable.execute('GetItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "2"}},
  "AttributesToGet": ["n"]}');
SELECT singletable.execute('GetItem', '{"TableName": "shapes", "Key": {"pk": {"S": "a"}, "sk": {"S": "2"}},
  "AttributesToGet": ["n"], "ProjectionExpression": "n"}');

-- ListTables: Limit, and paging by name.
SELECT singletable.execute('ListTables', '{"Limit": 0}');
SELECT singletable.execute('ListTables', '{"Limit": "1"}');
SELECT singletable.execute('ListTables', '{"Limit": 1, "ExclusiveStartTableName": "shape"}')::jsonb -> 'TableNames';

SELECT singletable.execute('DeleteTable', '{"TableName": "shapes"}')::jsonb #> '{TableDescription,TableName}';
DROP SCHEMA shapes_test CASCADE;
