-- execute(): provisioned throughput and billing mode as DynamoDB keeps and
-- describes them (never enforced: capacity is counted, not provisioned),
-- UpdateTable's throughput rules, and ListTables ignoring unknown fields.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_tables_throughput;
SET search_path = fidelity_tables_throughput, public;
CREATE FUNCTION body(op text, req text) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT singletable.execute(op, req::jsonb, raise_errors => false) $$;
-- DescribeTable's throughput fields, the dates as whether they are set
CREATE FUNCTION throughput(d jsonb) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT ((d -> 'ProvisionedThroughput') - 'LastIncreaseDateTime'::text - 'LastDecreaseDateTime'::text)
     || jsonb_build_object('increased', d -> 'ProvisionedThroughput' ? 'LastIncreaseDateTime',
                           'decreased', d -> 'ProvisionedThroughput' ? 'LastDecreaseDateTime')
     || jsonb_strip_nulls(jsonb_build_object('status', d -> 'TableStatus',
          'billing', d -> 'BillingModeSummary', 'mode', d -> 'TableThroughputModeSummary')) $$;

-- A provisioned table: its units as given, no BillingModeSummary, and each
-- global index's own units.
SELECT throughput(body('CreateTable', '{"TableName": "prov",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
  "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 5},
  "GlobalSecondaryIndexes": [{"IndexName": "ByG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"}, "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 2}}]}')
  -> 'TableDescription');
SELECT throughput(body('DescribeTable', '{"TableName": "prov"}') -> 'Table') AS table_throughput,
       body('DescribeTable', '{"TableName": "prov"}') #> '{Table,GlobalSecondaryIndexes,0,ProvisionedThroughput}' AS index_throughput;
-- the catalog keeps them (singletable.tables.throughput; NULL: on demand)
SELECT throughput - 'GlobalSecondaryIndexes'::text AS stored, throughput -> 'GlobalSecondaryIndexes' AS stored_indexes
FROM singletable.tables WHERE relid = 'prov'::regclass;

-- An on-demand table: zeros, BillingModeSummary and
-- TableThroughputModeSummary PAY_PER_REQUEST.
SELECT throughput(body('CreateTable', '{"TableName": "ondemand", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}') -> 'TableDescription');
SELECT throughput FROM singletable.tables WHERE relid = 'ondemand'::regclass;
-- A global index of a table on demand has no units either.
SELECT body('CreateTable', '{"TableName": "noprov", "BillingMode": "PAY_PER_REQUEST",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [{"IndexName": "ByG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"}, "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 2}}]}');
-- BillingMode PROVISIONED needs the units.
SELECT body('CreateTable', '{"TableName": "noprov", "BillingMode": "PROVISIONED",
  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}');

-- UpdateTable's checks, in DynamoDB's order: BillingMode PROVISIONED
-- without ProvisionedThroughput (before the table is looked up), units on a
-- table on demand, index units over 10^12 (whether the index exists or not),
-- units equal to the current ones.
SELECT body('UpdateTable', '{"TableName": "nosuchtable", "BillingMode": "PROVISIONED"}');
SELECT body('UpdateTable', '{"TableName": "ondemand", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}');
SELECT body('UpdateTable', '{"TableName": "prov", "BillingMode": "PAY_PER_REQUEST",
  "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}');
SELECT body('UpdateTable', '{"TableName": "prov", "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "nosuchindex",
  "ProvisionedThroughput": {"ReadCapacityUnits": 1000000000001, "WriteCapacityUnits": 1}}}]}');
SELECT body('UpdateTable', '{"TableName": "nosuchtable", "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "nosuchindex",
  "ProvisionedThroughput": {"ReadCapacityUnits": 1000000000001, "WriteCapacityUnits": 1}}}]}');
SELECT body('UpdateTable', '{"TableName": "prov", "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}}');

-- An increase: the answer is UPDATING with the old units and the time of
-- the request; the table then has the new units, increased later.
CREATE TABLE answers (step text, d jsonb);
INSERT INTO answers SELECT 'triple', body('UpdateTable', '{"TableName": "prov",
  "ProvisionedThroughput": {"ReadCapacityUnits": 30, "WriteCapacityUnits": 15}}') -> 'TableDescription';
INSERT INTO answers SELECT 'tripled', body('DescribeTable', '{"TableName": "prov"}') -> 'Table';
SELECT step, throughput(d) FROM answers ORDER BY step;
SELECT (a.d #>> '{ProvisionedThroughput,LastIncreaseDateTime}')::numeric
         BETWEEN extract(epoch FROM now()) - 60 AND extract(epoch FROM clock_timestamp()) AS asked_now,
       (b.d #>> '{ProvisionedThroughput,LastIncreaseDateTime}')::numeric >
         (a.d #>> '{ProvisionedThroughput,LastIncreaseDateTime}')::numeric AS increased_after
FROM answers a, answers b WHERE a.step = 'triple' AND b.step = 'tripled';
-- A decrease: one decrease more today once done, the last increase kept.
INSERT INTO answers SELECT 'reduce', body('UpdateTable', '{"TableName": "prov",
  "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}}') -> 'TableDescription';
INSERT INTO answers SELECT 'reduced', body('DescribeTable', '{"TableName": "prov"}') -> 'Table';
SELECT step, throughput(d) FROM answers WHERE step LIKE 'reduce%' ORDER BY step;
SELECT a.d #> '{ProvisionedThroughput,LastIncreaseDateTime}' = b.d #> '{ProvisionedThroughput,LastIncreaseDateTime}' AS increase_kept,
       (b.d #>> '{ProvisionedThroughput,LastDecreaseDateTime}')::numeric >
         (a.d #>> '{ProvisionedThroughput,LastDecreaseDateTime}')::numeric AS decreased_after
FROM answers a, answers b WHERE a.step = 'reduce' AND b.step = 'reduced';
-- one unit up, the other down: both dates, a second decrease today
SELECT throughput(body('UpdateTable', '{"TableName": "prov",
  "ProvisionedThroughput": {"ReadCapacityUnits": 11, "WriteCapacityUnits": 4}}') -> 'TableDescription');
SELECT throughput(body('DescribeTable', '{"TableName": "prov"}') -> 'Table');

-- A global index's units change on their own.
SELECT body('UpdateTable', '{"TableName": "prov", "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "ByG",
  "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 2}}}]}');
SELECT (body('UpdateTable', '{"TableName": "prov", "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "ByG",
  "ProvisionedThroughput": {"ReadCapacityUnits": 6, "WriteCapacityUnits": 2}}}]}')
  #> '{TableDescription,GlobalSecondaryIndexes,0,ProvisionedThroughput}') - 'LastIncreaseDateTime'::text AS answered;
SELECT (body('DescribeTable', '{"TableName": "prov"}')
  #> '{Table,GlobalSecondaryIndexes,0,ProvisionedThroughput}') - 'LastIncreaseDateTime'::text AS described;

-- Switching billing modes: to PAY_PER_REQUEST drops the units; back to
-- PROVISIONED needs units for the table and for every global index.
SELECT throughput(body('UpdateTable', '{"TableName": "prov", "BillingMode": "PAY_PER_REQUEST"}') -> 'TableDescription');
SELECT throughput FROM singletable.tables WHERE relid = 'prov'::regclass;
SELECT body('UpdateTable', '{"TableName": "prov", "BillingMode": "PROVISIONED",
  "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}');
SELECT throughput(body('UpdateTable', '{"TableName": "prov", "BillingMode": "PROVISIONED",
  "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2},
  "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "ByG",
    "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]}') -> 'TableDescription');
SELECT body('DescribeTable', '{"TableName": "prov"}') #> '{Table,GlobalSecondaryIndexes,0,ProvisionedThroughput}' AS index_throughput;

-- Only the table's owner changes its throughput (a writer of its items
-- cannot).
CREATE ROLE st_tp_writer;
GRANT USAGE ON SCHEMA fidelity_tables_throughput TO st_tp_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON prov TO st_tp_writer;
SET ROLE st_tp_writer;
SELECT body('UpdateTable', '{"TableName": "prov", "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 3}}');
RESET ROLE;
SELECT throughput -> 'ReadCapacityUnits' AS unchanged FROM singletable.tables WHERE relid = 'prov'::regclass;

-- ListTables ignores fields it does not know, as DynamoDB does.
SELECT body('ListTables', '{"hi": "yo", "stuff": "things"}') -> 'TableNames' @> '["ondemand", "prov"]' AS listed;

DROP SCHEMA fidelity_tables_throughput CASCADE;
DROP ROLE st_tp_writer;
