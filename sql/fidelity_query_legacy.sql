-- Query's and Scan's checks in DynamoDB's order, as dynalite's query.js and
-- scan.js recorded them: the filter's conditions (QueryFilter before
-- AttributesToGet, ScanFilter after it), each condition's values before
-- their number and types, the start key's values, then KeyConditions and
-- the expressions; on the table, legacy KeyConditions walk the key schema
-- (start key, missing key condition, an operator no key takes, the value's
-- type, the partition key's equality) as KeyConditionExpression does.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_query_legacy;
SET search_path = fidelity_query_legacy, public;
-- The error message of a request, or its Count (raise_errors => false).
CREATE FUNCTION try(op text, req text) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(r ->> 'message', 'Count ' || (r ->> 'Count'))
	FROM singletable.execute(op, req::jsonb, raise_errors => false) AS r
$$;
SELECT try('CreateTable', '{"TableName": "fql_range", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"},
    {"AttributeName": "b", "AttributeType": "S"}, {"AttributeName": "c", "AttributeType": "S"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}],
  "LocalSecondaryIndexes": [{"IndexName": "lsi1", "Projection": {"ProjectionType": "ALL"},
    "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}]}]}') IS NOT NULL AS created;
SELECT singletable.create_table('fql_hash', partition_key => 'a', sort_key => NULL) IS NOT NULL AS created;

-- A QueryFilter value is checked first, with DynamoDB's own words, before
-- the number of values, AttributesToGet and the start key.
SELECT v, try('Query', format('{"TableName": "nosuch", "ExclusiveStartKey": {"a": {}},
  "AttributesToGet": ["a", "a"], "KeyConditions": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{}]}},
  "QueryFilter": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}, %s]}}}', v))
FROM (VALUES ('{}'), ('{"NULL": false}'), ('{"SS": []}'), ('{"NS": ["1", "1"]}'),
  ('{"N": "b"}'), ('{"N": "1e126"}'), ('{"S": "a", "N": "1"}')) AS t(v);
-- then the number of values, before AttributesToGet's duplicates
SELECT try('Query', '{"TableName": "nosuch", "ExclusiveStartKey": {"a": {}}, "AttributesToGet": ["a", "a"],
  "QueryFilter": {"a": {"ComparisonOperator": "NULL", "AttributeValueList": [{"S": "a"}]}}}');
SELECT try('Query', '{"TableName": "nosuch", "QueryFilter": {}, "ExclusiveStartKey": {"a": {}},
  "AttributesToGet": ["a", "a"]}');
-- A scan checks AttributesToGet before ScanFilter, ScanFilter before the start key.
SELECT try('Scan', '{"TableName": "nosuch", "ExclusiveStartKey": {"a": {}}, "AttributesToGet": ["a", "a"],
  "ScanFilter": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{}]}}}');
SELECT try('Scan', '{"TableName": "nosuch", "ExclusiveStartKey": {"a": {}},
  "ScanFilter": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a", "N": "1"}]}}}');

-- The start key's values come next, before KeyConditions; some messages
-- start with "The provided starting key is invalid: ", as in DynamoDB.
SELECT v, try('Query', format('{"TableName": "nosuch", "ExclusiveStartKey": {"a": %s},
  "KeyConditions": {"a": {"ComparisonOperator": "EQ"}}}', v))
FROM (VALUES ('{}'), ('{"NULL": false}'), ('{"NS": []}'), ('{"SS": ["a", "a"]}'),
  ('{"N": ""}'), ('{"S": "a", "N": "1"}')) AS t(v);
SELECT try('Scan', '{"TableName": "nosuch", "ExclusiveStartKey": {"a": {"BS": []}},
  "FilterExpression": "", "ExpressionAttributeNames": {}}');

-- KeyConditions are checked like a filter's conditions before the table
-- is looked up, whatever their operator: values, number, types, BETWEEN's
-- order, then one or two conditions.
SELECT c, try('Query', format('{"TableName": "nosuch", "KeyConditions": %s}', c))
FROM (VALUES
  ('{"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}, {"S": "a", "N": "1"}]}}'),
  ('{"a": {"ComparisonOperator": "NE"}}'),
  ('{"a": {"ComparisonOperator": "NOT_NULL", "AttributeValueList": [{"S": "a"}]}}'),
  ('{"a": {"ComparisonOperator": "EQ"}, "b": {"ComparisonOperator": "NULL"}, "c": {"ComparisonOperator": "NULL"}}'),
  ('{"a": {"ComparisonOperator": "IN", "AttributeValueList": [{"BOOL": true}]}}'),
  ('{"a": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"SS": ["a"]}]}}'),
  ('{"a": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "b"}, {"N": "1"}]}}'),
  ('{"a": {"ComparisonOperator": "NULL"}, "b": {"ComparisonOperator": "NULL"}, "c": {"ComparisonOperator": "NULL"}}'),
  ('{}'),
  ('{"a": {"ComparisonOperator": "NULL"}}')
) AS t(c);

-- On the table, an operator no key takes (NULL, NOT_NULL, NE, CONTAINS,
-- NOT_CONTAINS, IN) is refused where the walk of the key schema meets it:
-- after the start key's attributes and a missing key condition.
SELECT c, try('Query', format('{"TableName": "fql_hash", "KeyConditions": {"a": %s}}', c))
FROM (VALUES ('{"ComparisonOperator": "NULL"}'), ('{"ComparisonOperator": "NOT_NULL"}'),
  ('{"ComparisonOperator": "NE", "AttributeValueList": [{"N": "1"}]}'),
  ('{"ComparisonOperator": "IN", "AttributeValueList": [{"S": "a"}, {"S": "a"}]}')) AS t(c);
SELECT s, try('Query', format('{"TableName": "fql_range", "KeyConditions": {"z": {"ComparisonOperator": "NULL"}},
  "ExclusiveStartKey": %s}', s))
FROM (VALUES ('{}'), ('{"a": {"S": "a"}}'), ('{"a": {"N": "1"}, "b": {"S": "a"}}'),
  ('{"a": {"S": "a"}, "b": {"S": "a"}}')) AS t(s);
SELECT try('Query', '{"TableName": "fql_hash", "IndexName": "whatever", "ExclusiveStartKey": {},
  "KeyConditions": {"z": {"ComparisonOperator": "NULL"}}}');
SELECT try('Query', '{"TableName": "fql_hash", "KeyConditions": {"a": {"ComparisonOperator": "EQ",
  "AttributeValueList": [{"S": "a"}]}, "z": {"ComparisonOperator": "NULL"}}}');
SELECT try('Query', '{"TableName": "fql_range", "KeyConditions": {"a": {"ComparisonOperator": "EQ",
  "AttributeValueList": [{"S": "a"}]}, "c": {"ComparisonOperator": "NULL"}}}');
SELECT c, try('Query', format('{"TableName": "fql_range", "ExclusiveStartKey": {"a": {"S": "a"}, "b": {"S": "a"}},
  "KeyConditions": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "b"}]}, "b": %s}}', c))
FROM (VALUES ('{"ComparisonOperator": "NULL"}'),
  ('{"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "a"}]}')) AS t(c);
SELECT try('Query', '{"TableName": "fql_range", "IndexName": "lsi1", "KeyConditions": {"a": {"ComparisonOperator": "EQ",
  "AttributeValueList": [{"S": "a"}]}, "c": {"ComparisonOperator": "NULL"}}}');
-- The supported operators still work.
SELECT singletable.execute('PutItem', '{"TableName": "fql_range", "Item": {"a": {"S": "a"}, "b": {"S": "b"}, "c": {"S": "c"}}}');
SELECT try('Query', '{"TableName": "fql_range", "KeyConditions": {"a": {"ComparisonOperator": "EQ",
  "AttributeValueList": [{"S": "a"}]}, "b": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "b"}]}},
  "QueryFilter": {"c": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "c"}, {"S": "c"}]}}}');

-- A condition value of another type than the key's is refused before the
-- partition key's operator, through execute() and the SQL function.
SELECT try('Query', '{"TableName": "fql_hash", "KeyConditionExpression": ":a > a",
  "ExpressionAttributeValues": {":a": {"N": "1"}}}');
SELECT singletable.query(singletable.table_named('fql_hash'), ':a > a', NULL, '{":a": 1}');

-- A start key outside the partition of a query with a sort key condition:
-- "The query can return at most one row and cannot be restarted".
SELECT try('Query', '{"TableName": "fql_range", "KeyConditionExpression": "a = :a AND b < :a",
  "ExpressionAttributeValues": {":a": {"S": "b"}}, "ExclusiveStartKey": {"a": {"S": "a"}, "b": {"S": "a"}}}');
SELECT try('Query', '{"TableName": "fql_range", "KeyConditionExpression": "a = :a",
  "ExpressionAttributeValues": {":a": {"S": "b"}}, "ExclusiveStartKey": {"a": {"S": "a"}, "b": {"S": "a"}}}');
SELECT singletable.query(singletable.table_named('fql_range'), 'a = :a AND b < :a', NULL, '{":a": "b"}',
  start_key => '{"a": "a", "b": "a"}');

-- BETWEEN's bounds of two types, before the table is looked up.
SELECT try('Query', '{"TableName": "nosuch", "KeyConditionExpression": "a between :b and :a",
  "ExpressionAttributeValues": {":a": {"S": "a"}, ":b": {"N": "1"}}}');
SELECT singletable.query(singletable.table_named('fql_range'), 'a = :a AND b BETWEEN :b AND :a', NULL, '{":a": "a", ":b": 1}');

-- More than two key conditions, and two on one attribute.
SELECT try('Query', '{"TableName": "nosuch", "KeyConditionExpression": ":a = a and b = :a and :a = c",
  "ExpressionAttributeValues": {":a": {"S": "a"}}}');
SELECT try('Query', '{"TableName": "nosuch", "KeyConditionExpression": "b > :a AND b < :a and c = :a and d = :a",
  "ExpressionAttributeValues": {":a": {"S": "a"}}}');

-- ExpressionAttributeNames' placeholders are checked before
-- ExpressionAttributeValues is found empty.
SELECT try('Query', '{"TableName": "nosuch", "KeyConditionExpression": "",
  "ExpressionAttributeNames": {"a": "a"}, "ExpressionAttributeValues": {}}');

DROP SCHEMA fidelity_query_legacy CASCADE;
