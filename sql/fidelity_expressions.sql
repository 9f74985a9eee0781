-- DynamoDB's expression rules (issue #11, part 2), each through execute()
-- with raise_errors => false (the body an SDK sees) and through the SQL
-- functions where both apply.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_expressions_test;
SET search_path = fidelity_expressions_test, public;
SELECT singletable.create_table('fid') IS NOT NULL AS created;
SELECT singletable.put_item('fid', '{"PK": "A", "SK": "1", "n": 5, "s": "str",
  "m": {"x": 1, "deep": {"y": 2}}, "l": [10, 20], "tags": ["a", "b"]}');

-- "a <> :v" is true when a is missing, as is legacy NE.
SELECT singletable.matches('{"a": 1}', 'absent <> :v', NULL, '{":v": 1}') AS ne_missing,
       singletable.matches('{"a": 1}', 'm.x <> :v', NULL, '{":v": 1}') AS ne_missing_nested,
       singletable.matches('{"a": 1}', 'a <> :v', NULL, '{":v": 1}') AS ne_equal;
SELECT singletable.execute('Scan', '{"TableName": "fid", "FilterExpression": "absent <> :v",
  "ExpressionAttributeValues": {":v": {"N": "1"}}, "Select": "COUNT"}', raise_errors => false);
SELECT singletable.execute('Scan', '{"TableName": "fid", "ScanFilter":
  {"absent": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "1"}]}}, "Select": "COUNT"}',
  raise_errors => false);
SELECT singletable.put_item('fid', '{"PK": "A", "SK": "ne"}', condition => 'absent <> :v',
  "values" => '{":v": 1}') AS put_with_ne_on_missing;

-- SET or REMOVE through a missing map or list is an error; through an
-- existing map, removing a missing key changes nothing.
SELECT singletable.apply_update('{"PK": "A"}', 'REMOVE nosuch.leaf');
SELECT singletable.apply_update('{"PK": "A"}', 'SET nosuch.leaf = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update('{"PK": "A", "m": {}}', 'REMOVE m.nosuch.leaf');
SELECT singletable.apply_update('{"PK": "A", "m": {"x": 1}}', 'REMOVE m.nosuch') AS remove_missing_key;
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "REMOVE nosuch.leaf"}', raise_errors => false);
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "SET nosuch[0] = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}',
  raise_errors => false);

-- Several SET l[i] past the end append in index order, whatever the order written.
SELECT singletable.apply_update('{"l": [1, 2]}', 'SET l[9] = :c, l[5] = :b, l[7] = :x',
  NULL, '{":b": "b", ":c": "c", ":x": "x"}') AS appended;
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "SET l[8] = :b, l[4] = :a", "ExpressionAttributeValues": {":a": {"S": "a"}, ":b": {"S": "b"}},
  "ReturnValues": "ALL_NEW"}', raise_errors => false) -> 'Attributes' -> 'l' AS appended_by_execute;

-- Function names are case-sensitive.
SELECT singletable.apply_update('{"l": []}', 'SET l = LIST_APPEND(l, :v)', NULL, '{":v": [1]}');
SELECT singletable.apply_update('{}', 'SET a = If_Not_Exists(a, :v)', NULL, '{":v": 1}');
SELECT singletable.matches('{"a": "x"}', 'ATTRIBUTE_EXISTS(a)');
SELECT singletable.matches('{"a": "x"}', 'attribute_Not_exists(a)');
SELECT singletable.matches('{"a": "x"}', 'Begins_With(a, :v)', NULL, '{":v": "x"}');
SELECT singletable.matches('{"a": "x"}', 'CONTAINS(a, :v)', NULL, '{":v": "x"}');
SELECT singletable.matches('{"a": "x"}', 'SIZE(a) = :v', NULL, '{":v": 1}');
SELECT singletable.matches('{"a": "x"}', 'attribute_TYPE(a, :v)', NULL, '{":v": "S"}');
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "SET l = LIST_APPEND(l, :v)", "ExpressionAttributeValues": {":v": {"L": []}}}',
  raise_errors => false);
SELECT singletable.execute('Scan', '{"TableName": "fid", "FilterExpression": "Contains(s, :v)",
  "ExpressionAttributeValues": {":v": {"S": "t"}}}', raise_errors => false);
-- keywords stay case-insensitive
SELECT singletable.apply_update('{}', 'set a = :v remove b', NULL, '{":v": 1}') AS lower_case_keywords;

-- A name written without a placeholder starts with a letter.
SELECT singletable.apply_update('{}', 'SET _123 = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update('{}', 'SET a = :v, 1a = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update('{}', 'SET #u = :v', '{"#u": "_123"}', '{":v": 1}') AS placeholder_for_underscore;
SELECT singletable.apply_update('{}', 'SET a_1 = :v', NULL, '{":v": 1}') AS underscore_inside;
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "set _something = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}',
  raise_errors => false);
SELECT singletable.execute('Scan', '{"TableName": "fid", "FilterExpression": "_type = :v",
  "ExpressionAttributeValues": {":v": {"N": "1"}}}', raise_errors => false);

-- DynamoDB's reserved words, in any case, need a placeholder too; a syntax
-- error is reported before them.
SELECT singletable.apply_update('{}', 'SET status = :v', NULL, '{":v": 1}');
SELECT singletable.matches('{"a": 1}', 'a = :v AND Name = :v', NULL, '{":v": 1}');
SELECT singletable.project('{"a": 1}', 'a.data');
SELECT singletable.matches('{"a": 1}', 'status = = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update('{}', 'SET #s = :v', '{"#s": "status"}', '{":v": 1}') AS placeholder_for_reserved;
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "remove Absolute"}', raise_errors => false);
SELECT singletable.execute('Query', '{"TableName": "fid", "KeyConditionExpression": "PK = :pk",
  "FilterExpression": "size(total) > :pk", "ExpressionAttributeValues": {":pk": {"S": "A"}}}', raise_errors => false);

-- An UpdateItem that only removes attributes creates no item; without an
-- update expression the key alone is put, as DynamoDB does.
SELECT singletable.update_item('fid', '{"PK": "B", "SK": "1"}', 'REMOVE a, b', return_values => 'ALL_NEW') AS remove_only;
SELECT singletable.get_item('fid', '{"PK": "B", "SK": "1"}') AS not_created;
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "B"}, "SK": {"S": "2"}},
  "UpdateExpression": "REMOVE a", "ReturnValues": "ALL_NEW"}');
SELECT singletable.execute('GetItem', '{"TableName": "fid", "Key": {"PK": {"S": "B"}, "SK": {"S": "2"}}}');
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "B"}, "SK": {"S": "3"}},
  "ReturnValues": "ALL_NEW"}');

-- attribute_type with a path as its type, and a function or comparison of
-- a path with itself, are errors; size() takes a value too.
SELECT singletable.matches('{"a": "S", "b": "S"}', 'attribute_type(a, b)');
SELECT singletable.matches('{"a": ["x"]}', 'contains(a, a)');
SELECT singletable.matches('{"a": "x"}', 'begins_with(a, a)');
SELECT singletable.matches('{"a": 1}', 'a = a');
SELECT singletable.matches('{"a": {"b": 1}}', 'a.b <> #a.b', '{"#a": "a"}');
SELECT singletable.matches('{"a": "x"}', 'contains(a, b)', NULL) AS distinct_paths;
SELECT singletable.matches('{"a": 3}', 'size(:v) = a', NULL, '{":v": "abc"}') AS size_of_value,
       singletable.matches('{"a": 2}', 'size(:v) = a', NULL, '{":v": ["x", "y"]}') AS size_of_list_value;
SELECT singletable.matches('{"a": 3}', 'size(:v) = a', NULL, '{":v": 3}');
SELECT singletable.execute('Scan', '{"TableName": "fid", "FilterExpression": "attribute_type(s, n)"}',
  raise_errors => false);
SELECT singletable.execute('Scan', '{"TableName": "fid", "FilterExpression": "contains(tags, tags)"}',
  raise_errors => false);
SELECT singletable.execute('Scan', '{"TableName": "fid", "FilterExpression": "size(:v) < n",
  "ExpressionAttributeValues": {":v": {"S": "abc"}}, "Select": "COUNT"}', raise_errors => false);

-- ReturnValues are case-sensitive.
SELECT singletable.update_item('fid', '{"PK": "A", "SK": "1"}', 'SET n = :v', "values" => '{":v": 6}',
  return_values => 'all_new');
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "SET n = :v", "ExpressionAttributeValues": {":v": {"N": "6"}},
  "ReturnValues": "Updated_New"}', raise_errors => false);
SELECT singletable.execute('PutItem', '{"TableName": "fid", "Item": {"PK": {"S": "A"}, "SK": {"S": "x"}},
  "ReturnValues": "ALL_NEW"}', raise_errors => false);

-- Attributes is left out when there is nothing to return.
SELECT singletable.execute('PutItem', '{"TableName": "fid", "Item": {"PK": {"S": "C"}, "SK": {"S": "1"}},
  "ReturnValues": "ALL_OLD"}');
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "C"}, "SK": {"S": "1"}},
  "UpdateExpression": "REMOVE nothing", "ReturnValues": "UPDATED_OLD"}');
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "C"}, "SK": {"S": "1"}},
  "UpdateExpression": "REMOVE nothing", "ReturnValues": "UPDATED_NEW"}');
SELECT singletable.update_item('fid', '{"PK": "C", "SK": "2"}', 'SET a = :v', "values" => '{":v": 1}',
  return_values => 'UPDATED_OLD') IS NULL AS updated_old_of_new_item_is_null;

-- UPDATED_OLD / UPDATED_NEW return the updated nested paths only.
SELECT singletable.update_item('fid', '{"PK": "A", "SK": "1"}', 'SET m.x = :v, l[0] = :v REMOVE m.deep.y',
  "values" => '{":v": 100}', return_values => 'UPDATED_OLD') AS updated_old;
SELECT singletable.update_item('fid', '{"PK": "A", "SK": "1"}', 'SET m.x = m.x + :v, m.deep.z = :v',
  "values" => '{":v": 1}', return_values => 'UPDATED_NEW') AS updated_new;
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "SET m.deep.z = :v", "ExpressionAttributeValues": {":v": {"N": "7"}},
  "ReturnValues": "UPDATED_NEW"}');

-- Syntax errors carry DynamoDB's wording: the token and the text near it.
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "INVALID SYNTAX HERE"}', raise_errors => false);
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "ADD hits : incr", "ExpressionAttributeValues": {":incr": {"N": "1"}}}', raise_errors => false);
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "SET a = :v, #, b = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}', raise_errors => false);
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "SET a = :v SET b = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}', raise_errors => false);
SELECT singletable.execute('DeleteItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "ConditionExpression": "a = = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}', raise_errors => false);
SELECT singletable.execute('Query', '{"TableName": "fid", "KeyConditionExpression": "PK = :pk AND",
  "ExpressionAttributeValues": {":pk": {"S": "A"}}}', raise_errors => false);
SELECT singletable.execute('GetItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "ProjectionExpression": "a,,b"}', raise_errors => false);
-- an undefined placeholder names the expression, as DynamoDB does
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "SET a = :v"}', raise_errors => false);
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "SET a = :v", "ConditionExpression": "#c = :v",
  "ExpressionAttributeValues": {":v": {"N": "1"}}}', raise_errors => false);
-- a malformed typed value in ExpressionAttributeValues names its key
SELECT singletable.execute('UpdateItem', '{"TableName": "fid", "Key": {"PK": {"S": "A"}, "SK": {"S": "1"}},
  "UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"N": "abc"}}}', raise_errors => false);
SELECT singletable.execute('Scan', '{"TableName": "fid", "FilterExpression": "a = :v AND b = :w",
  "ExpressionAttributeValues": {":v": {"S": "x"}, ":w": {}}}', raise_errors => false);
SELECT singletable.execute('Scan', '{"TableName": "fid", "FilterExpression": "a = :v",
  "ExpressionAttributeValues": {":v": {"N": "abc"}}}');
-- through the SQL functions: Postgres-style message, DynamoDB's wording in DETAIL
SELECT singletable.update_item('fid', '{"PK": "A", "SK": "1"}', 'ADD hits : incr', "values" => '{":incr": 1}');

DROP SCHEMA fidelity_expressions_test CASCADE;
