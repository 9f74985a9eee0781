-- Scan and expressions as DynamoDB checks them (dynalite's scan.js,
-- getItem.js and deleteItem.js, written against DynamoDB): the order of a
-- Scan's request checks, the order of an expression's errors, DynamoDB's
-- rule on redundant parentheses, size() in characters, contains() on
-- binary, and document paths into key attributes in a GetItem projection.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_scan_peer;
SET search_path = fidelity_scan_peer, public;
CREATE FUNCTION msg(op text, req text) RETURNS text LANGUAGE sql
  AS $$ SELECT singletable.execute(op, req::jsonb, raise_errors => false)->>'message' $$;
CREATE FUNCTION filter_msg(expr text, names jsonb DEFAULT NULL, vals jsonb DEFAULT NULL) RETURNS text LANGUAGE sql
  AS $$ SELECT msg('Scan', jsonb_strip_nulls(jsonb_build_object('TableName', 'nosuch', 'FilterExpression', expr,
         'ExpressionAttributeNames', names, 'ExpressionAttributeValues', vals))::text) $$;

-- A Scan's request checks, before the table is looked up: AttributesToGet
-- before ScanFilter, the segments before the placeholder maps, the names'
-- placeholders before the values map.
SELECT msg('Scan', '{"TableName": "nosuch", "Segment": 1, "AttributesToGet": ["a", "a"],
  "ScanFilter": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}, {"S": "y"}]}}}') AS duplicate_attributes_first;
SELECT msg('Scan', '{"TableName": "nosuch", "Segment": 1, "FilterExpression": "",
  "ExpressionAttributeNames": {}, "ExpressionAttributeValues": {}}') AS missing_total_segments;
SELECT msg('Scan', '{"TableName": "nosuch", "TotalSegments": 1, "FilterExpression": "",
  "ExpressionAttributeNames": {}, "ExpressionAttributeValues": {}}') AS missing_segment;
SELECT msg('Scan', '{"TableName": "nosuch", "Segment": 1, "TotalSegments": 1, "FilterExpression": "",
  "ExpressionAttributeNames": {}, "ExpressionAttributeValues": {}}') AS segment_not_below_total;
SELECT msg('Scan', '{"TableName": "nosuch", "FilterExpression": "",
  "ExpressionAttributeNames": {"a": "a"}, "ExpressionAttributeValues": {}}') AS invalid_name_placeholder;

-- Redundant parentheses: a pair right around another pair, anywhere; one
-- pair around an operand, a function call or a condition is fine.
SELECT e AS expression, filter_msg(e) AS message
FROM unnest(ARRAY[
  'a=a and a > ((views))',
  '(a)between(((b.c)).d)and(c)',
  'a > whatever((:things), ((a)))',
  'a=a AND ((a=a AND a=a)) AND a=a',
  'a=a OR ((a=a OR (a=a OR a=a)))',
  'NOT ((a = b))']) e;
SELECT singletable.matches('{"a": 1, "b": [1, 2]}', '((size(b)) = :n) AND (a = :a)', NULL, '{":n": 2, ":a": 1}') AS single_pairs;

-- After the syntax, in this order over the whole expression: an unknown
-- function, a function used where it cannot be, a reserved word.
SELECT e AS expression, filter_msg(e) AS message
FROM unnest(ARRAY[
  'a=a and whatever((:things)) > a',
  'attRIbute_exIsts((views), #a)',
  'a=a and attribute_exists((views), (#a)) > b',
  'size(contains(a, b)) > a',
  'size(things)',
  'a in (b, attribute_exists(things))',
  'attribute_exists(views, #a)',
  'if_not_exists(a, b)']) e;

-- Then condition by condition: an undefined placeholder, a function's
-- number of operands, the same path twice, an operand of the wrong kind.
SELECT e AS expression, filter_msg(e) AS message
FROM unnest(ARRAY[
  'attribute_exists(#Pictures.RearView, :a) and a=a',
  'begins_with(:hello, #a, #b)',
  'attribute_exists(things, a) and a=a',
  'begins_with(things, size(a), b)',
  'size(things, a) > b',
  'contains(ab.bc[1].a, ab.bc[1].a)',
  'attribute_exists(:a) and a=a']) e;
SELECT e AS expression, filter_msg(e, NULL, jsonb_build_object(':a', v::jsonb)) AS message
FROM (VALUES
  ('attribute_exists(:a) and a=a', '{"S": "1"}'),
  ('attribute_not_exists(size(:a))', '{"S": "1"}'),
  ('attribute_not_exists(size(:a))', '{"N": "1"}'),
  ('begins_with(:a, a)', '{"N": "1"}'),
  ('size(size(a)) > :a', '{"N": "1"}'),
  ('attribute_type(a, size(a)) and a=a and a=:a', '{"N": "1"}')) AS t(e, v);
-- the first condition with an error decides, in the order written
SELECT filter_msg('size(a, b) > c AND #x = d') AS count_before_later_name,
  filter_msg('#x = d AND size(a, b) > c') AS name_before_later_count;
-- BETWEEN's bounds of two types (deleteItem.js), before the table is looked up
SELECT msg('DeleteItem', '{"TableName": "nosuch", "Key": {}, "ConditionExpression": "a between :b and :a",
  "ExpressionAttributeValues": {":a": {"S": "a"}, ":b": {"N": "1"}}}') AS between_types;
SELECT singletable.matches('{"a": 1}', 'a BETWEEN :lo AND :hi', NULL, '{":lo": 1, ":hi": "z"}');
-- begins_with may take a value first (it is type-checked, not refused)
SELECT singletable.matches('{"a": "abc"}', 'begins_with(:v, a)', NULL, '{":v": "abcd"}') AS value_first;

-- size() counts a string's characters, not its bytes; contains() finds a
-- binary within a binary, as it finds a string within a string.
SELECT singletable.matches('{"s": "abÿ"}', 'size(s) = :n', NULL, '{":n": 3}') AS size_in_characters;
SELECT singletable.matches(jsonb_build_object('b', jsonb_build_object('$B', encode('abdef', 'base64'))),
         'contains(b, :v)', NULL, jsonb_build_object(':v', jsonb_build_object('$B', encode('bde', 'base64')))) AS binary_contains,
       singletable.matches(jsonb_build_object('b', jsonb_build_object('$B', encode('abdef', 'base64'))),
         'contains(b, :v)', NULL, jsonb_build_object(':v', jsonb_build_object('$B', encode('bdf', 'base64')))) AS binary_not_contains,
       singletable.matches(jsonb_build_object('b', jsonb_build_object('$B', encode('abdef', 'base64'))),
         'contains(b, :v)', NULL, '{":v": "bde"}') AS string_in_binary;
SELECT singletable.execute('CreateTable', '{"TableName": "speer", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "d", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [{"IndexName": "byd", "KeySchema": [{"AttributeName": "d", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}],
  "BillingMode": "PAY_PER_REQUEST"}') #> '{TableDescription,TableName}' AS created;
SELECT singletable.execute('BatchWriteItem', '{"RequestItems": {"speer": [
    {"PutRequest": {"Item": {"a": {"S": "1"}, "b": {"B": "YWJkZWY="}}}},
    {"PutRequest": {"Item": {"a": {"S": "2"}, "b": {"BS": ["YmRl", "abcd"]}}}},
    {"PutRequest": {"Item": {"a": {"S": "3"}, "b": {"S": "abdef"}}}},
    {"PutRequest": {"Item": {"a": {"S": "4"}, "b": {"L": [{"N": "1"}, {"B": "YmRl"}]}}}}]}}') AS written;
SELECT singletable.execute('Scan', '{"TableName": "speer", "FilterExpression": "contains(b, :b)",
  "ExpressionAttributeValues": {":b": {"B": "YmRl"}}}') -> 'Items' AS binary_contains_items;
SELECT singletable.execute('Scan', '{"TableName": "speer", "ScanFilter": {"b": {"ComparisonOperator": "CONTAINS",
  "AttributeValueList": [{"B": "YmRl"}]}}}') -> 'Count' AS legacy_contains_count;
SELECT singletable.execute('Scan', '{"TableName": "speer", "ScanFilter": {"b": {"ComparisonOperator": "NOT_CONTAINS",
  "AttributeValueList": [{"B": "YmRl"}]}}}') -> 'Items' AS legacy_not_contains_items;

-- scan() words a missing TotalSegments as DynamoDB does
SELECT singletable.scan(singletable.table_named('speer'), segment => 0);

-- GetItem: a projection path into a key attribute of the table or of an
-- index is refused once the table is known, through execute() and get_item().
SELECT msg('GetItem', '{"TableName": "speer", "Key": {"a": {"S": "1"}}, "ProjectionExpression": "#a.b.c",
  "ExpressionAttributeNames": {"#a": "a"}}') AS table_key_path;
SELECT msg('GetItem', '{"TableName": "speer", "Key": {"a": {"S": "1"}}, "ProjectionExpression": "#d[0]",
  "ExpressionAttributeNames": {"#d": "d"}}') AS index_key_path;
SELECT singletable.get_item(singletable.table_named('speer'), '{"a": "1"}', 'd.e');
SELECT singletable.get_item(singletable.table_named('speer'), '{"a": "1"}', 'b') AS plain_projection;

SELECT singletable.drop_table(singletable.table_named('speer'));
DROP SCHEMA fidelity_scan_peer CASCADE;
