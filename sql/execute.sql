-- execute(operation, request): DynamoDB's wire request and response JSON
-- (typed attribute values), for code ported from an AWS SDK.
SET client_min_messages = warning;
CREATE SCHEMA execute_test;
SET search_path = execute_test, public;

-- A helper that shows, for a failing request, the SQLSTATE, the DynamoDB
-- error type named in the DETAIL, and the message.
CREATE FUNCTION execute_test.try(op text, req jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	d text;
BEGIN
	RETURN singletable.execute(op, req)::text;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RETURN SQLSTATE || ' ' || split_part(d, ':', 1) || ': ' || SQLERRM;
END
$$;

-- Table operations.
SELECT jsonb_pretty(singletable.execute('CreateTable', '{
  "TableName": "Music",
  "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"}, {"AttributeName": "SongTitle", "KeyType": "RANGE"}],
  "AttributeDefinitions": [
    {"AttributeName": "Artist", "AttributeType": "S"}, {"AttributeName": "SongTitle", "AttributeType": "S"},
    {"AttributeName": "Genre", "AttributeType": "S"}, {"AttributeName": "Year", "AttributeType": "N"}],
  "GlobalSecondaryIndexes": [{"IndexName": "ByGenre",
    "KeySchema": [{"AttributeName": "Genre", "KeyType": "HASH"}, {"AttributeName": "Year", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["Plays"]}}],
  "LocalSecondaryIndexes": [{"IndexName": "ByYear",
    "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"}, {"AttributeName": "Year", "KeyType": "RANGE"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"}}],
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"},
  "BillingMode": "PAY_PER_REQUEST"}') -> 'TableDescription'
  #- '{TableId}' #- '{CreationDateTime}' #- '{BillingModeSummary,LastUpdateToPayPerRequestDateTime}'
  #- '{LatestStreamArn}' #- '{LatestStreamLabel}');
SELECT singletable.execute('CreateTable', '{"TableName": "sessions",
  "KeySchema": [{"AttributeName": "token", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "token", "AttributeType": "S"}]}') -> 'TableDescription' -> 'KeySchema';
SELECT singletable.execute('DescribeTable', '{"TableName": "sessions"}') -> 'Table' -> 'AttributeDefinitions';
-- ListTables shows the tables the caller has privileges on: a role that
-- has them on this test's tables only.
CREATE ROLE execute_lister;
GRANT USAGE ON SCHEMA singletable, execute_test TO execute_lister;
SET ROLE execute_lister;
SELECT singletable.execute('ListTables', '{}');
RESET ROLE;
GRANT SELECT ON "Music", sessions TO execute_lister;
SET ROLE execute_lister;
SELECT singletable.execute('ListTables', '{}');
SELECT singletable.execute('ListTables', '{"Limit": 1}');
SELECT singletable.execute('ListTables', '{"Limit": 1, "ExclusiveStartTableName": "Music"}');
RESET ROLE;
-- UpdateTable cannot delete a local secondary index; drop_index can
SELECT singletable.drop_index('"Music"', 'ByYear');
SELECT singletable.execute('DynamoDB_20120810.UpdateTable', '{"TableName": "Music",
  "AttributeDefinitions": [{"AttributeName": "Label", "AttributeType": "S"}],
  "GlobalSecondaryIndexUpdates": [
    {"Create": {"IndexName": "ByLabel", "KeySchema": [{"AttributeName": "Label", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}}]}') -> 'TableDescription' -> 'GlobalSecondaryIndexes';

-- Item operations, typed in and out.
SELECT singletable.execute('PutItem', '{"TableName": "Music", "Item": {
  "Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Happy Day"}, "Genre": {"S": "Rock"},
  "Year": {"N": "2020"}, "Plays": {"N": "10"}, "Tags": {"SS": ["b", "a"]},
  "Info": {"M": {"Length": {"N": "3.5"}, "Live": {"BOOL": false}, "Notes": {"NULL": true},
                 "Credits": {"L": [{"S": "x"}, {"N": "1"}]}}}}}');
SELECT singletable.execute('GetItem', '{"TableName": "Music",
  "Key": {"Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Happy Day"}}}');
SELECT singletable.execute('GetItem', '{"TableName": "Music", "ConsistentRead": true,
  "Key": {"Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Happy Day"}},
  "ProjectionExpression": "#y, Info.Credits[0]", "ExpressionAttributeNames": {"#y": "Year"}}');
SELECT singletable.execute('GetItem', '{"TableName": "Music",
  "Key": {"Artist": {"S": "Acme Band"}, "SongTitle": {"S": "No Song"}}}');
-- conditional put with ALL_OLD
SELECT singletable.execute('PutItem', '{"TableName": "Music", "Item": {
  "Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Happy Day"}, "Plays": {"N": "11"}},
  "ConditionExpression": "Plays = :p", "ExpressionAttributeValues": {":p": {"N": "10"}},
  "ReturnValues": "ALL_OLD"}') -> 'Attributes' -> 'Plays';
SELECT try('PutItem', '{"TableName": "Music", "Item": {
  "Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Happy Day"}},
  "ConditionExpression": "attribute_not_exists(Artist)"}');
SELECT singletable.execute('UpdateItem', '{"TableName": "Music",
  "Key": {"Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Happy Day"}},
  "UpdateExpression": "SET Plays = Plays + :one, Genre = if_not_exists(Genre, :g)",
  "ExpressionAttributeValues": {":one": {"N": "1"}, ":g": {"S": "Pop"}},
  "ReturnValues": "UPDATED_NEW"}');
SELECT singletable.execute('DeleteItem', '{"TableName": "Music",
  "Key": {"Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Happy Day"}}, "ReturnValues": "ALL_OLD"}');
SELECT singletable.execute('DeleteItem', '{"TableName": "Music",
  "Key": {"Artist": {"S": "Acme Band"}, "SongTitle": {"S": "Happy Day"}}, "ReturnValues": "ALL_OLD"}');

-- Legacy parameters: Expected, AttributeUpdates, AttributesToGet.
SELECT singletable.execute('PutItem', '{"TableName": "sessions", "Item": {"token": {"S": "t1"}, "user": {"S": "ann"}},
  "Expected": {"token": {"Exists": false}}}');
SELECT try('PutItem', '{"TableName": "sessions", "Item": {"token": {"S": "t1"}},
  "Expected": {"token": {"Exists": false}}}');
SELECT singletable.execute('UpdateItem', '{"TableName": "sessions", "Key": {"token": {"S": "t1"}},
  "AttributeUpdates": {"hits": {"Action": "ADD", "Value": {"N": "2"}}, "user": {"Action": "DELETE"},
                       "role": {"Action": "PUT", "Value": {"S": "admin"}}},
  "Expected": {"user": {"Value": {"S": "ann"}}}, "ReturnValues": "ALL_NEW"}');
SELECT singletable.execute('UpdateItem', '{"TableName": "sessions", "Key": {"token": {"S": "t1"}},
  "AttributeUpdates": {"hits": {"Action": "ADD", "Value": {"N": "1"}}},
  "Expected": {"hits": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "5"}]},
               "role": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "admin"}, {"S": "root"}]}},
  "ConditionalOperator": "AND", "ReturnValues": "UPDATED_NEW"}');
SELECT try('DeleteItem', '{"TableName": "sessions", "Key": {"token": {"S": "t1"}},
  "Expected": {"hits": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "100"}]},
               "user": {"ComparisonOperator": "NOT_NULL"}}, "ConditionalOperator": "OR"}');
SELECT singletable.execute('GetItem', '{"TableName": "sessions", "Key": {"token": {"S": "t1"}},
  "AttributesToGet": ["hits", "role"]}');

-- Batches and transactions.
SELECT singletable.execute('BatchWriteItem', '{"RequestItems": {
  "Music": [{"PutRequest": {"Item": {"Artist": {"S": "A"}, "SongTitle": {"S": "1"}, "Year": {"N": "1999"}}}},
            {"PutRequest": {"Item": {"Artist": {"S": "A"}, "SongTitle": {"S": "2"}}}}],
  "sessions": [{"DeleteRequest": {"Key": {"token": {"S": "t1"}}}}]},
  "ReturnConsumedCapacity": "TOTAL"}');
SELECT singletable.execute('BatchGetItem', '{"RequestItems": {
  "Music": {"Keys": [{"Artist": {"S": "A"}, "SongTitle": {"S": "1"}}, {"Artist": {"S": "A"}, "SongTitle": {"S": "3"}}],
            "ProjectionExpression": "SongTitle, #y", "ExpressionAttributeNames": {"#y": "Year"}},
  "sessions": {"Keys": [{"token": {"S": "t1"}}]}}}');
SELECT singletable.execute('TransactWriteItems', '{"ClientRequestToken": "abc", "TransactItems": [
  {"Update": {"TableName": "Music", "Key": {"Artist": {"S": "A"}, "SongTitle": {"S": "1"}},
              "UpdateExpression": "SET Plays = :z", "ExpressionAttributeValues": {":z": {"N": "0"}}}},
  {"Put": {"TableName": "sessions", "Item": {"token": {"S": "t2"}}}}]}');
SELECT try('TransactWriteItems', '{"TransactItems": [
  {"Put": {"TableName": "sessions", "Item": {"token": {"S": "t3"}}}},
  {"ConditionCheck": {"TableName": "Music", "Key": {"Artist": {"S": "A"}, "SongTitle": {"S": "1"}},
     "ConditionExpression": "Plays > :n", "ExpressionAttributeValues": {":n": {"N": "0"}},
     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]}');
\set VERBOSITY default
SELECT singletable.execute('TransactWriteItems', '{"TransactItems": [
  {"Put": {"TableName": "sessions", "Item": {"token": {"S": "t3"}}}},
  {"ConditionCheck": {"TableName": "Music", "Key": {"Artist": {"S": "A"}, "SongTitle": {"S": "1"}},
     "ConditionExpression": "Plays > :n", "ExpressionAttributeValues": {":n": {"N": "0"}},
     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]}');
SELECT singletable.execute('TransactGetItems', '{"TransactItems": [
  {"Get": {"TableName": "sessions", "Key": {"token": {"S": "t3"}}}},
  {"Get": {"TableName": "Music", "Key": {"Artist": {"S": "A"}, "SongTitle": {"S": "1"}}}}]}');

-- Bad requests: ValidationException (22023) naming the field, nothing written.
SELECT try('GetItem', '{"Key": {"Artist": {"S": "A"}, "SongTitle": {"S": "1"}}}');
SELECT try('PutItem', '{"TableName": "Music", "Item": {"Artist": {"S": "A"}, "SongTitle": {"S": "9"}, "n": {"N": "abc"}}}');
SELECT try('PutItem', '{"TableName": "Music", "Item": {"Artist": {"S": "A"}, "SongTitle": {"S": "9"}, "n": {"X": "1"}}}');
SELECT try('PutItem', '{"TableName": "Music", "Item": {"Artist": "A", "SongTitle": {"S": "9"}}}');
SELECT try('GetItem', '{"TableName": "Music", "Key": {"Artist": {"N": "1"}, "SongTitle": {"S": "1"}}}');
SELECT try('Explode', '{}');
SELECT try(NULL, '{}');
SELECT try('GetItem', NULL);
SELECT try('GetItem', '[]');
SELECT try('GetItem', '{"TableName": "Music", "Key": {"Artist": {"S": "A"}, "SongTitle": {"S": "1"}}, "Colour": 1}');
SELECT try('GetItem', '{"TableName": "nope", "Key": {"id": {"S": "1"}}}');
SELECT try('GetItem', '{"TableName": "Music", "Key": {"Artist": {"S": "A"}, "SongTitle": {"S": "1"}},
  "AttributesToGet": ["Year"], "ProjectionExpression": "Year"}');
SELECT try('PutItem', '{"TableName": "Music", "Item": {"Artist": {"S": "A"}, "SongTitle": {"S": "9"}},
  "Expected": {"Artist": {"Exists": false}}, "ConditionExpression": "attribute_not_exists(Artist)"}');
SELECT try('PutItem', '{"TableName": "Music", "Item": {"Artist": {"S": "A"}, "SongTitle": {"S": "9"}},
  "Expected": {"Artist": {"ComparisonOperator": "LIKE", "AttributeValueList": [{"S": "x"}]}}}');
SELECT try('PutItem', '{"TableName": "Music", "Item": {"Artist": {"S": "A"}, "SongTitle": {"S": "9"}},
  "Expected": {"Artist": {"ComparisonOperator": "EQ"}}}');
SELECT try('PutItem', '{"TableName": "Music", "Item": {"Artist": {"S": "A"}, "SongTitle": {"S": "9"}},
  "ReturnValues": "ALL_NEW"}');
SELECT try('UpdateItem', '{"TableName": "Music", "Key": {"Artist": {"S": "A"}, "SongTitle": {"S": "9"}},
  "AttributeUpdates": {"x": {"Action": "MULTIPLY", "Value": {"N": "2"}}}}');
SELECT try('BatchWriteItem', '{"RequestItems": {}}');
SELECT try('BatchWriteItem', '{}');
SELECT try('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('sessions',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item',
     jsonb_build_object('token', jsonb_build_object('S', 'bulk' || i))))) FROM generate_series(1, 26) i))));
SELECT try('BatchGetItem', '{"RequestItems": {"sessions": {"Keys": [{"token": {"N": "x"}}]}}}');
SELECT try('TransactWriteItems', '{"TransactItems": []}');
SELECT try('TransactWriteItems', '{"TransactItems": [{"Put": {"TableName": "sessions", "Item": {"token": {"S": "t9"}}}}],
  "Idempotency": "x"}');
SELECT try('TransactGetItems', '{}');
SELECT try('CreateTable', '{"TableName": "t1", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}');
SELECT try('CreateTable', '{"TableName": "t1", "KeySchema": [{"AttributeName": "id", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}');
SELECT try('CreateTable', '{"TableName": "t1", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "other", "AttributeType": "S"}]}');
SELECT try('CreateTable', '{"TableName": "t1", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "X"}]}');
SELECT try('CreateTable', '{"TableName": "sessions", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}');
SELECT try('CreateTable', '{"TableName": "t01", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "ByX", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"}}]}');
SELECT try('ListTables', '{"Limit": 0}');
SELECT try('ListTables', '{"Limit": "5"}');
SELECT try('ListTables', '{"Limit": 1.5}');
SELECT try('UpdateTable', '{"TableName": "Music", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "NoSuchIndex"}}]}');
SELECT try('UpdateTable', '{"TableName": "Music", "StreamSpecification": {"StreamEnabled": false}}');
SELECT try('DeleteTable', '{"TableName": "nope"}');
SET ROLE execute_lister;
SELECT singletable.execute('ListTables', '{}');
RESET ROLE;
SELECT count(*) FROM sessions WHERE item ->> 'token' IN ('t3', 't9') OR item ->> 'token' LIKE 'bulk%';

SELECT singletable.execute('DeleteTable', '{"TableName": "sessions"}') -> 'TableDescription' -> 'TableName';
SET ROLE execute_lister;
SELECT singletable.execute('ListTables', '{}');
RESET ROLE;
RESET search_path;
DROP SCHEMA execute_test CASCADE;
DROP OWNED BY execute_lister;
DROP ROLE execute_lister;
