-- execute(): the table operations check a request in DynamoDB's order and
-- answer in its words: CreateTable's KeySchema, AttributeDefinitions and
-- indexes before the table is looked up (ResourceInUseException), the
-- throughput rules, UpdateTable's GlobalSecondaryIndexUpdates, index names
-- of 3 to 255 characters wherever an index is named, DescribeTimeToLive on
-- a missing table.  These are request shapes of execute() only: the SQL
-- functions take the same facts as arguments (create_table, create_index).
SET client_min_messages = warning;
CREATE SCHEMA fidelity_tables_order;
SET search_path = fidelity_tables_order, public;
CREATE FUNCTION body(op text, req text) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT singletable.execute(op, req::jsonb, raise_errors => false) $$;
-- a CreateTable of table "ord" with the KeySchema ks, the definitions defs
-- and the rest of the request more
CREATE FUNCTION new_table(ks text, defs text, more text DEFAULT '{}') RETURNS jsonb LANGUAGE sql
  AS $$ SELECT body('CreateTable', (jsonb_build_object('TableName', 'ord', 'KeySchema', ks::jsonb,
                                      'AttributeDefinitions', defs::jsonb) || more::jsonb)::text) $$;

-- KeySchema against AttributeDefinitions: more keys than definitions, an
-- undefined key, the same name twice, HASH then RANGE; in this order.
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "HASH"}]', '[]');
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "HASH"}]',
              '[{"AttributeName": "a", "AttributeType": "S"}]');
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}]', '[{"AttributeName": "b", "AttributeType": "S"}]');
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "a", "KeyType": "HASH"}]',
              '[{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]');
SELECT new_table('[{"AttributeName": "a", "KeyType": "RANGE"}, {"AttributeName": "b", "KeyType": "HASH"}]',
              '[{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]');
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "HASH"}]',
              '[{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]');

-- Throughput: none with PAY_PER_REQUEST, at most 10^12 units.
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}]', '[]',
              '{"BillingMode": "PAY_PER_REQUEST", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}');
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}]', '[]',
              '{"ProvisionedThroughput": {"ReadCapacityUnits": 1000000000000, "WriteCapacityUnits": 1000000000001}}');

-- Indexes: the local list first (empty, then a table without a sort key),
-- each index's keys as the table's, its ProjectionType required and
-- NonKeyAttributes only with INCLUDE, no name twice across both lists, the
-- counts last.
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}]',
              '[{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]',
              '{"LocalSecondaryIndexes": []}');
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}]',
              '[{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]',
              '{"LocalSecondaryIndexes": [{"IndexName": "abc", "Projection": {},
                 "KeySchema": [{"AttributeName": "c", "KeyType": "RANGE"}, {"AttributeName": "d", "KeyType": "RANGE"}]}]}');
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}]',
              '[{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]',
              '{"GlobalSecondaryIndexes": [{"IndexName": "abc", "Projection": {},
                 "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}]}]}');
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}]',
              '[{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]',
              '{"GlobalSecondaryIndexes": [{"IndexName": "abc", "Projection": {"ProjectionType": "ALL", "NonKeyAttributes": ["x"]},
                 "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}]}]}');
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}]',
              '[{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}]',
              '{"LocalSecondaryIndexes": [{"IndexName": "abc", "Projection": {"ProjectionType": "ALL"},
                 "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}]}],
                "GlobalSecondaryIndexes": [{"IndexName": "abc", "Projection": {"ProjectionType": "ALL"},
                 "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}]}]}');
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}]', '[{"AttributeName": "a", "AttributeType": "S"}]',
              jsonb_build_object('GlobalSecondaryIndexes',
                (SELECT jsonb_agg(jsonb_build_object('IndexName', 'abc' || i, 'Projection', '{"ProjectionType": "ALL"}'::jsonb,
                   'KeySchema', '[{"AttributeName": "a", "KeyType": "HASH"}]'::jsonb))
                 FROM generate_series(1, 21) AS i))::text);
SELECT to_regclass('ord') IS NULL AS nothing_created;

-- On an existing table, a bad request is a ValidationException all the
-- same: the table is looked up last.
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}]', '[{"AttributeName": "a", "AttributeType": "S"}]') ? 'TableDescription' AS created;
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}]', '[{"AttributeName": "a", "AttributeType": "S"}]',
              '{"GlobalSecondaryIndexes": [{"IndexName": "abc", "Projection": {},
                 "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]}]}');
SELECT new_table('[{"AttributeName": "a", "KeyType": "HASH"}]', '[{"AttributeName": "a", "AttributeType": "S"}]');

-- UpdateTable: throughput bounds and an index named twice before the
-- table is looked up; one index created or deleted per request.
SELECT body('UpdateTable', '{"TableName": "nosuch", "ProvisionedThroughput": {"ReadCapacityUnits": 1000000000001, "WriteCapacityUnits": 1}}');
SELECT body('UpdateTable', '{"TableName": "nosuch", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "abc"}}, {"Delete": {"IndexName": "abc"}}]}');
SELECT body('UpdateTable', '{"TableName": "ord", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "abc"}}, {"Delete": {"IndexName": "abd"}}]}');

-- An index name has 3 to 255 characters wherever it is given: a shorter
-- one is a ValidationException, not a missing index.
SELECT body('UpdateTable', '{"TableName": "ord", "GlobalSecondaryIndexUpdates": [
  {"Update": {"IndexName": "a", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]}');
SELECT body('UpdateTable', '{"TableName": "ord", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "ab"}}]}');
SELECT body('Query', '{"TableName": "ord", "IndexName": "ab", "KeyConditionExpression": "a = :a",
  "ExpressionAttributeValues": {":a": {"S": "x"}}}');
SELECT body('Scan', '{"TableName": "ord", "IndexName": "ab"}');

-- DescribeTimeToLive of a missing table names it, as the other table
-- operations do.
SELECT body('DescribeTimeToLive', '{"TableName": "nosuch"}');

DROP SCHEMA fidelity_tables_order CASCADE;
