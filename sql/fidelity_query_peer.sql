-- Query and Scan as DynamoDB checks them (dynalite's query.js and scan.js,
-- written against DynamoDB): the wording of key condition errors, a lone
-- condition that misses the partition key, the order of the start key's
-- checks and the key condition's, Select ALL_ATTRIBUTES on a global index
-- after the start key, and document paths into key attributes refused.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_query_peer;
SET search_path = fidelity_query_peer, public;
CREATE FUNCTION body(op text, req text) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT singletable.execute(op, req::jsonb, raise_errors => false) $$;

-- A table like the suite's: key (a, b), a local index on (a, c), global
-- indexes on c and on (c, d), the latter projecting e only.
SELECT body('CreateTable', '{"TableName": "qpeer", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}],
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"},
                           {"AttributeName": "c", "AttributeType": "S"}, {"AttributeName": "d", "AttributeType": "S"}],
  "LocalSecondaryIndexes": [{"IndexName": "index1", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
                             "Projection": {"ProjectionType": "ALL"}}],
  "GlobalSecondaryIndexes": [{"IndexName": "index3", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}},
                             {"IndexName": "index4", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}, {"AttributeName": "d", "KeyType": "RANGE"}],
                              "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["e"]}}]}') #> '{TableDescription,TableName}' AS created;
SELECT singletable.put_item(singletable.table_named('qpeer'), '{"a": "x", "b": "1", "c": "c1", "d": "d1", "e": {"f": [1, 2]}}') IS NULL AS put;

-- Key conditions: DynamoDB's wording for each kind of malformed condition.
SELECT k AS key_condition, body('Query', jsonb_build_object('TableName', 'qpeer', 'KeyConditionExpression', k,
         'ExpressionAttributeValues', '{":a": {"S": "1"}, ":b": {"S": "1"}}'::jsonb)::text)->>'message' AS message
FROM unnest(ARRAY[
  'a = :a OR b = :b',                 -- operators other than AND
  'NOT a = :a',
  'a <> :a',
  'a IN (:a, :b)',
  'attribute_exists(a) AND b = :b',   -- functions other than begins_with
  ':a BETWEEN a AND b',               -- BETWEEN names the key first
  'a = :a AND b > c',                 -- one attribute per condition
  'a = :a AND b.c > :b',              -- top-level attributes
  'a = :a AND b[0] > :b',
  'a = :a AND b > size(c)',           -- values, not functions
  ':a = :b AND a = :a',               -- a key attribute in every condition
  'a = :a AND b > :b AND c = :a',     -- at most one condition per key
  'a = :a AND a = :b']) k;

-- Expressions are checked before the table is looked up: each parsed in
-- turn (key condition, filter, projection), then the key condition's form.
SELECT body('Query', '{"TableName": "nosuch", "KeyConditionExpression": "a.b = :a",
  "ExpressionAttributeValues": {":a": {"S": "1"}}}') AS form_before_table;
SELECT body('Query', '{"TableName": "nosuch", "KeyConditionExpression": "attribute_type(a, b)", "FilterExpression": ""}') AS key_condition_operands_first;
SELECT body('Query', '{"TableName": "nosuch", "KeyConditionExpression": "attribute_type(a, :a)", "FilterExpression": "",
  "ExpressionAttributeValues": {":a": {"S": "N"}}}') AS empty_filter_before_form;

-- A lone condition that is not on the partition key misses it; on the
-- partition key, it must be an equality.
SELECT body('Query', '{"TableName": "qpeer", "KeyConditionExpression": "z BETWEEN :a AND :b",
  "ExpressionAttributeValues": {":a": {"N": "1"}, ":b": {"N": "2"}}}') AS lone_non_key;
SELECT body('Query', '{"TableName": "qpeer", "IndexName": "index1", "KeyConditionExpression": "c > :a",
  "ExpressionAttributeValues": {":a": {"S": "1"}}}') AS lone_on_index_sort_key;
SELECT body('Query', '{"TableName": "qpeer", "KeyConditionExpression": "a > :a",
  "ExpressionAttributeValues": {":a": {"S": "1"}}}') AS partition_key_not_equality;
SELECT body('Query', '{"TableName": "qpeer", "KeyConditionExpression": "b = :a AND a > :b",
  "ExpressionAttributeValues": {":a": {"S": "1"}, ":b": {"S": "1"}}}') AS partition_key_second;
-- the same through query()
SELECT singletable.query(singletable.table_named('qpeer'), 'z BETWEEN :a AND :b', "values" => '{":a": 1, ":b": 2}');

-- The start key's checks and the key condition's interleave per key
-- attribute: a start key of the wrong size first, then the partition key's
-- value before its condition, the sort key's value before its condition.
SELECT body('Query', '{"TableName": "qpeer", "IndexName": "index1", "KeyConditionExpression": "z = :a",
  "ExpressionAttributeValues": {":a": {"N": "1"}}, "ExclusiveStartKey": {"a": {"N": "1"}, "x": {"S": "1"}, "y": {"S": "1"}}}') AS start_key_type_first;
SELECT body('Query', '{"TableName": "qpeer", "IndexName": "index1", "KeyConditionExpression": "z BETWEEN :a AND :b",
  "ExpressionAttributeValues": {":a": {"N": "1"}, ":b": {"N": "1"}}, "ExclusiveStartKey": {"a": {"S": "1"}, "b": {"N": "1"}, "c": {"N": "1"}}}') AS condition_before_sort_key;
SELECT body('Query', '{"TableName": "qpeer", "KeyConditionExpression": "z = :a",
  "ExpressionAttributeValues": {":a": {"N": "1"}}, "ExclusiveStartKey": {"a": {"B": "YQ=="}, "b": {"S": "1"}}}') AS hash_schema;
-- with a condition on the partition key, a start key whose partition key
-- is of another type lies outside the partition (ExtendDB's suite, where
-- dynalite's above names no key attribute)
SELECT body('Query', '{"TableName": "qpeer", "KeyConditionExpression": "a = :a",
  "ExpressionAttributeValues": {":a": {"S": "x"}}, "ExclusiveStartKey": {"a": {"N": "1"}, "b": {"S": "1"}}}') AS start_key_outside_partition;
SELECT singletable.query(singletable.table_named('qpeer'), 'a = :a', "values" => '{":a": "x"}',
  start_key => '{"a": 1, "b": "1"}');
-- the table's key attributes of an index start key come after the condition
SELECT body('Query', '{"TableName": "qpeer", "IndexName": "index3", "KeyConditionExpression": "c = :a",
  "ExpressionAttributeValues": {":a": {"S": "b"}}, "ExclusiveStartKey": {"x": {"N": "1"}, "y": {"N": "1"}, "c": {"S": "a"}}}') AS table_part_of_start_key;
SELECT body('Query', '{"TableName": "qpeer", "IndexName": "index1", "KeyConditionExpression": "a = :a AND b = :b",
  "ExpressionAttributeValues": {":a": {"S": "b"}, ":b": {"S": "1"}}, "ExclusiveStartKey": {"a": {"S": "a"}, "b": {"S": "a"}, "c": {"S": "a"}}}') AS missed_index_sort_key;

-- Select ALL_ATTRIBUTES on a global index that does not project them all
-- is refused after the start key's checks of the index's own keys.
SELECT body('Query', '{"TableName": "qpeer", "IndexName": "index4", "Select": "ALL_ATTRIBUTES", "KeyConditionExpression": "c = :a",
  "ExpressionAttributeValues": {":a": {"S": "b"}}, "ExclusiveStartKey": {"a": {"S": "a"}, "b": {"S": "a"}, "c": {"S": "a"}, "d": {"N": "1"}}}') AS query_select_after_start_key;
SELECT body('Scan', '{"TableName": "qpeer", "IndexName": "index4", "Select": "ALL_ATTRIBUTES",
  "ExclusiveStartKey": {"a": {"S": "a"}, "b": {"S": "a"}, "c": {"S": "a"}}}') AS scan_select_after_start_key;
SELECT body('Scan', '{"TableName": "qpeer", "IndexName": "index4", "Select": "ALL_ATTRIBUTES"}') AS scan_select;

-- Document paths into key attributes, the table's ("Key") or an index's
-- ("IndexKey"), are refused in projections and filters.
SELECT body('Scan', '{"TableName": "qpeer", "FilterExpression": "attribute_exists(#a.b.c)", "ExpressionAttributeNames": {"#a": "a"}}') AS scan_filter_into_key;
SELECT body('Scan', '{"TableName": "qpeer", "ProjectionExpression": "e, b[0]"}') AS scan_projection_into_key;
SELECT body('Query', '{"TableName": "qpeer", "KeyConditionExpression": "a = :a", "FilterExpression": "attribute_exists(d.c) AND e = :b",
  "ExpressionAttributeValues": {":a": {"S": "1"}, ":b": {"N": "1"}}}') AS query_filter_into_index_key;
SELECT body('Query', '{"TableName": "qpeer", "KeyConditionExpression": "a = :a", "ProjectionExpression": "e.f, c[1]",
  "ExpressionAttributeValues": {":a": {"S": "1"}}}') AS query_projection_into_index_key;
-- a filter naming the queried key is refused for that first
SELECT body('Query', '{"TableName": "qpeer", "KeyConditionExpression": "a = :a", "FilterExpression": "attribute_exists(b.c) AND e = :b",
  "ExpressionAttributeValues": {":a": {"S": "1"}, ":b": {"N": "1"}}}') AS query_filter_key_first;
-- through scan() and query()
SELECT singletable.scan(singletable.table_named('qpeer'), filter => 'a[0] = :v', "values" => '{":v": "x"}');
SELECT singletable.query(singletable.table_named('qpeer'), 'a = :a', "values" => '{":a": "x"}', projection => 'd.x');
-- paths into other attributes, and the key attributes themselves, are read
SELECT singletable.query(singletable.table_named('qpeer'), 'a = :a', "values" => '{":a": "x"}', projection => 'a, c, e.f[1]');

DROP SCHEMA fidelity_query_peer CASCADE;
