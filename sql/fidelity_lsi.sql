-- Local secondary indexes as DynamoDB has them: created with the table
-- (CreateTable's LocalSecondaryIndexes, or create_index(..., local =>
-- true)), described under LocalSecondaryIndexes, read with ConsistentRead
-- and with the attributes the index does not project fetched from the
-- table, never deleted by UpdateTable.  And StreamSpecification, described
-- only when the table was created with one.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_lsi;
SET search_path = fidelity_lsi, public;
CREATE FUNCTION body(op text, req text) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT singletable.execute(op, req::jsonb, raise_errors => false) $$;

-- CreateTable's rules for LocalSecondaryIndexes (DynamoDB's messages):
-- the table's partition key, a sort key, at most 5, no name twice, not empty.
SELECT body('CreateTable', '{"TableName": "lsitab", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "ByX", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                             "Projection": {"ProjectionType": "ALL"}}]}');
SELECT body('CreateTable', '{"TableName": "lsitab", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "ByPk", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                             "Projection": {"ProjectionType": "ALL"}}]}');
SELECT body('CreateTable', '{"TableName": "lsitab", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
  "LocalSecondaryIndexes": []}');
SELECT body('CreateTable', '{"TableName": "lsitab", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "Same", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}],
                             "Projection": {"ProjectionType": "ALL"}}],
  "GlobalSecondaryIndexes": [{"IndexName": "Same", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                             "Projection": {"ProjectionType": "ALL"}}]}');
SELECT body('CreateTable', format('{"TableName": "lsitab", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [%s]}',
  (SELECT string_agg(format('{"IndexName": "Lsi%s", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}', i), ', ')
   FROM generate_series(1, 6) i)));
-- a hash-only table cannot have one
SELECT body('CreateTable', '{"TableName": "lsitab", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "ByX", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}],
                             "Projection": {"ProjectionType": "ALL"}}]}');
SELECT to_regclass('lsitab') IS NULL AS nothing_created;

-- A table with an LSI projecting a, a GSI, and no StreamSpecification.
SELECT body('CreateTable', '{"TableName": "lsitab", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
                           {"AttributeName": "x", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "ByX", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "x", "KeyType": "RANGE"}],
                             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}}],
  "GlobalSecondaryIndexes": [{"IndexName": "ByG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                              "Projection": {"ProjectionType": "ALL"}}]}') #> '{TableDescription,LocalSecondaryIndexes,0,IndexName}' AS created_lsi;
-- DescribeTable: the LSI under LocalSecondaryIndexes, without IndexStatus
-- or ProvisionedThroughput; the GSI alone under GlobalSecondaryIndexes;
-- no StreamSpecification (none was asked for).
WITH d AS (SELECT body('DescribeTable', '{"TableName": "lsitab"}') -> 'Table' AS t)
SELECT jsonb_path_query_array(t, '$.GlobalSecondaryIndexes[*].IndexName') AS gsis,
       jsonb_path_query_array(t, '$.LocalSecondaryIndexes[*].IndexName') AS lsis,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(t #> '{LocalSecondaryIndexes,0}') k) AS lsi_fields,
       t #> '{LocalSecondaryIndexes,0,KeySchema}' AS lsi_keys,
       t #> '{LocalSecondaryIndexes,0,Projection}' AS lsi_projection,
       t #>> '{LocalSecondaryIndexes,0,IndexArn}' AS lsi_arn,
       t ? 'StreamSpecification' AS stream, t ? 'LatestStreamArn' AS stream_arn
FROM d;
-- describe_table() shows the kind the same way
SELECT jsonb_path_query_array(singletable.describe_table('lsitab'), '$.LocalSecondaryIndexes[*].IndexName') AS lsis,
       jsonb_path_query_array(singletable.describe_table('lsitab'), '$.GlobalSecondaryIndexes[*].IndexName') AS gsis;
SELECT index_name, local FROM singletable.indexes WHERE relid = 'lsitab'::regclass ORDER BY index_name;

-- UpdateTable cannot delete or update an LSI; the GSI it can.
SELECT body('UpdateTable', '{"TableName": "lsitab", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "ByX"}}]}');
SELECT body('UpdateTable', '{"TableName": "lsitab", "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "ByX",
  "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]}');
SELECT body('UpdateTable', '{"TableName": "lsitab", "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "ByG",
  "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]}') #> '{TableDescription,GlobalSecondaryIndexes,0,IndexName}' AS updated;

-- create_index(..., local => true) follows the same rules.
SELECT singletable.create_index('lsitab', 'BadL', 'x', 'sk', local => true);
SELECT singletable.create_index('lsitab', 'BadL', 'pk', local => true);
SELECT singletable.create_table('lt_hash', 'pk', NULL);
SELECT singletable.create_index('lt_hash', 'BadL', 'pk', 'x', local => true);

-- Reading the LSI ByX (projects a; the table's items also have b).
SELECT body('PutItem', format('{"TableName": "lsitab", "Item": {"pk": {"S": "p"}, "sk": {"S": "%s"}, "x": {"S": "x%s"},
  "a": {"N": "%s"}, "b": {"S": "b%s"}, "g": {"S": "g"}}}', i, 3 - i, i, i)) FROM generate_series(1, 2) i;
-- by default (ALL_PROJECTED_ATTRIBUTES) only what the index projects
SELECT body('Query', '{"TableName": "lsitab", "IndexName": "ByX", "KeyConditionExpression": "pk = :p",
  "ExpressionAttributeValues": {":p": {"S": "p"}}}') -> 'Items' AS projected;
SELECT body('Query', '{"TableName": "lsitab", "IndexName": "ByX", "KeyConditionExpression": "pk = :p",
  "Select": "ALL_PROJECTED_ATTRIBUTES", "ExpressionAttributeValues": {":p": {"S": "p"}}}') -> 'Items' AS projected;
-- ALL_ATTRIBUTES and ConsistentRead are allowed on an LSI: whole items
-- from the table, in the index's order
SELECT body('Query', '{"TableName": "lsitab", "IndexName": "ByX", "KeyConditionExpression": "pk = :p",
  "Select": "ALL_ATTRIBUTES", "ConsistentRead": true, "ExpressionAttributeValues": {":p": {"S": "p"}}}') -> 'Items' AS all_attributes;
-- a projection or filter naming an attribute the index does not project
-- (without a projection, still the projected attributes are returned)
SELECT body('Query', '{"TableName": "lsitab", "IndexName": "ByX", "KeyConditionExpression": "pk = :p",
  "ProjectionExpression": "sk, b", "ExpressionAttributeValues": {":p": {"S": "p"}}}') -> 'Items' AS projection;
SELECT body('Query', '{"TableName": "lsitab", "IndexName": "ByX", "KeyConditions": {"pk": {"ComparisonOperator": "EQ",
  "AttributeValueList": [{"S": "p"}]}}, "AttributesToGet": ["sk", "b"]}') -> 'Items' AS attributes_to_get;
SELECT body('Query', '{"TableName": "lsitab", "IndexName": "ByX", "KeyConditionExpression": "pk = :p",
  "FilterExpression": "b = :b", "ExpressionAttributeValues": {":p": {"S": "p"}, ":b": {"S": "b1"}}}') -> 'Items' AS filtered;
-- pages still resume by the index's keys
SELECT body('Query', '{"TableName": "lsitab", "IndexName": "ByX", "KeyConditionExpression": "pk = :p", "Limit": 1,
  "Select": "ALL_ATTRIBUTES", "ExpressionAttributeValues": {":p": {"S": "p"}}}') - 'ScannedCount' AS first_page;
-- Scan likewise
SELECT body('Scan', '{"TableName": "lsitab", "IndexName": "ByX", "Select": "ALL_ATTRIBUTES"}') -> 'Items' AS scan_all;
SELECT body('Scan', '{"TableName": "lsitab", "IndexName": "ByX"}') -> 'Items' AS scan_projected;
SELECT body('Scan', '{"TableName": "lsitab", "IndexName": "ByX", "ProjectionExpression": "b"}') -> 'Items' AS scan_projection;
-- the global index keeps the global rules
SELECT body('Query', '{"TableName": "lsitab", "IndexName": "ByG", "KeyConditionExpression": "g = :g",
  "ConsistentRead": true, "ExpressionAttributeValues": {":g": {"S": "g"}}}');
-- the SQL functions: query() and scan() of the LSI fetch what a
-- projection or filter needs from the table
SELECT singletable.query('lsitab', 'pk = :p', "values" => '{":p": "p"}', index => 'ByX') -> 'Items' AS projected;
SELECT singletable.query('lsitab', 'pk = :p', "values" => '{":p": "p"}', index => 'ByX', projection => 'b, a') -> 'Items' AS projection;
SELECT singletable.query('lsitab', 'pk = :p', "values" => '{":p": "p", ":b": "b2"}', index => 'ByX', filter => 'b = :b') -> 'Items' AS filtered;
SELECT singletable.scan('lsitab', index => 'ByX', projection => 'sk, b') -> 'Items' AS scan_projection;
SELECT x FROM singletable.query_items('lsitab', 'pk = :p', "values" => '{":p": "p"}', index => 'ByX', projection => 'b') x;
-- an item the table's row-level security hides is not fetched
CREATE ROLE fidelity_lsi_reader;
GRANT USAGE ON SCHEMA singletable, fidelity_lsi TO fidelity_lsi_reader;
GRANT SELECT ON lsitab, "lsitab__ByX" TO fidelity_lsi_reader;
ALTER TABLE lsitab ENABLE ROW LEVEL SECURITY;
ALTER TABLE "lsitab__ByX" ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_1 ON lsitab FOR SELECT USING (sk = '1');
CREATE POLICY all_entries ON "lsitab__ByX" FOR SELECT USING (true);
SET ROLE fidelity_lsi_reader;
SELECT singletable.query('lsitab', 'pk = :p', "values" => '{":p": "p"}', index => 'ByX', projection => 'b') AS rls_page;
RESET ROLE;
ALTER TABLE lsitab DISABLE ROW LEVEL SECURITY;
DROP POLICY only_1 ON lsitab;
DROP POLICY all_entries ON "lsitab__ByX";
ALTER TABLE "lsitab__ByX" DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON lsitab, "lsitab__ByX" FROM fidelity_lsi_reader;
REVOKE ALL ON SCHEMA singletable, fidelity_lsi FROM fidelity_lsi_reader;
DROP ROLE fidelity_lsi_reader;
-- drop_index() may drop an LSI (DynamoDB cannot; see README)
SELECT singletable.drop_index('lsitab', 'ByX');
SELECT body('DescribeTable', '{"TableName": "lsitab"}') #> '{Table}' ? 'LocalSecondaryIndexes' AS has_lsis;

-- StreamSpecification: described only when the table was created with an
-- enabled one (then with LatestStreamArn and LatestStreamLabel, as
-- DynamoDB); every table has its change stream all the same.
SELECT body('CreateTable', '{"TableName": "streamed", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
  "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}}') -> 'TableDescription' ->> 'LatestStreamLabel' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$' AS label;
WITH d AS (SELECT body('DescribeTable', '{"TableName": "streamed"}') -> 'Table' AS t)
SELECT t -> 'StreamSpecification' AS spec,
       t ->> 'LatestStreamArn' = 'arn:aws:dynamodb:ddblocal:000000000000:table/streamed/stream/' || (t ->> 'LatestStreamLabel') AS arn
FROM d;
SELECT body('CreateTable', '{"TableName": "unstreamed", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
  "StreamSpecification": {"StreamEnabled": false}}') -> 'TableDescription' ?| ARRAY['StreamSpecification', 'LatestStreamArn'] AS described;
-- TableId is a version 4 UUID, as DynamoDB's
SELECT body('DescribeTable', '{"TableName": "streamed"}') #>> '{Table,TableId}'
  ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' AS uuid_v4;
SELECT stream_view, stream_specified FROM singletable.tables WHERE relid IN ('streamed'::regclass, 'unstreamed'::regclass) ORDER BY relid::text;
-- create_table: a stream_view given (or its default) is a specification,
-- stream_view => NULL is none
SELECT singletable.create_table('sql_streamed');
SELECT singletable.create_table('sql_unstreamed', stream_view => NULL);
SELECT singletable.describe_table('sql_streamed') -> 'StreamSpecification' AS spec,
       singletable.describe_table('sql_unstreamed') ? 'StreamSpecification' AS unstreamed_spec;
-- DeleteTable describes the table as it was
SELECT body('DeleteTable', '{"TableName": "streamed"}') -> 'TableDescription' ?& ARRAY['StreamSpecification', 'LatestStreamArn'] AS described;
SELECT body('DeleteTable', '{"TableName": "unstreamed"}') -> 'TableDescription' ? 'StreamSpecification' AS described;
DROP SCHEMA fidelity_lsi CASCADE;
