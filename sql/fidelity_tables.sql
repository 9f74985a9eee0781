-- execute(): DynamoDB's rules and answers for the table operations:
-- AttributeDefinitions, an empty UpdateTable, DeleteTable's answer, the
-- fields of DescribeTable.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_tables;
SET search_path = fidelity_tables, public;
CREATE FUNCTION body(op text, req text) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT singletable.execute(op, req::jsonb, raise_errors => false) $$;

-- AttributeDefinitions: each name once, each one a key of the table or
-- of an index.
SELECT body('CreateTable', '{"TableName": "ftab", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "pk", "AttributeType": "S"}]}');
SELECT body('CreateTable', '{"TableName": "ftab", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "extra", "AttributeType": "N"}]}');
SELECT body('CreateTable', '{"TableName": "ftab", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"},
                           {"AttributeName": "extra", "AttributeType": "N"}],
  "GlobalSecondaryIndexes": [{"IndexName": "ByG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                              "Projection": {"ProjectionType": "ALL"}}]}');
SELECT to_regclass('ftab') IS NULL AS nothing_created;

-- DescribeTable: the fields a DynamoDB client reads.
SELECT body('CreateTable', '{"TableName": "ftab", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [{"IndexName": "ByG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                              "Projection": {"ProjectionType": "KEYS_ONLY"}}]}') -> 'TableDescription' ->> 'TableArn' AS arn;
WITH d AS (SELECT body('DescribeTable', '{"TableName": "ftab"}') -> 'Table' AS t)
SELECT t ->> 'TableArn' AS table_arn,
       t ->> 'TableId' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' AS table_id_is_uuid,
       abs((t ->> 'CreationDateTime')::numeric - extract(epoch FROM now())) < 3600 AS created_now,
       t -> 'BillingModeSummary' ->> 'BillingMode' AS billing_mode,
       t -> 'ProvisionedThroughput' AS throughput,
       t ? 'TableSizeBytes' AND t ? 'ItemCount' AS sizes,
       t -> 'GlobalSecondaryIndexes' -> 0 ->> 'IndexArn' AS index_arn,
       t -> 'GlobalSecondaryIndexes' -> 0 ? 'ProvisionedThroughput' AS index_throughput,
       t -> 'GlobalSecondaryIndexes' -> 0 ? 'IndexSizeBytes' AND t -> 'GlobalSecondaryIndexes' -> 0 ? 'ItemCount' AS index_sizes
FROM d;
-- the same table described twice has the same TableId
SELECT (SELECT body('DescribeTable', '{"TableName": "ftab"}') #> '{Table,TableId}') =
       (SELECT body('DescribeTable', '{"TableName": "ftab"}') #> '{Table,TableId}') AS stable_id;

-- An UpdateTable that asks for nothing is refused.
SELECT body('UpdateTable', '{"TableName": "ftab"}');

-- DeleteTable answers the table as DELETING.
SELECT d ->> 'TableStatus' AS status, d ->> 'TableName' AS name, d ? 'TableArn' AS arn
FROM (SELECT body('DeleteTable', '{"TableName": "ftab"}') -> 'TableDescription' AS d) x;
SELECT to_regclass('ftab') IS NULL AS dropped;


-- A local secondary index needs a table with a sort key.
SELECT body('CreateTable', '{"TableName": "flsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "ByL", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
    {"AttributeName": "l", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}');
SELECT to_regclass('flsi') IS NULL AS nothing_created;

DROP SCHEMA fidelity_tables CASCADE;
