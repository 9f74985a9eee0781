-- DynamoDB's own wording for malformed requests (execute(), raise_errors
-- => false, so the body shows DynamoDB's message).  First the constraint
-- list: every violation of the request's shape (a member that must not be
-- null, a length, a name pattern, an enum, a range) in one message,
-- "N validation errors detected: a; b; c", with DynamoDB's member paths,
-- at most 10 of them.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_messages_requests;
SET search_path = fidelity_messages_requests, public;
SELECT singletable.create_table('app') IS NOT NULL AS created;
SELECT singletable.create_table('ab') IS NOT NULL AS created;
CREATE FUNCTION try(op text, req text) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(r ->> '__type', 'ok') || coalesce(': ' || (r ->> 'message'), '')
	FROM singletable.execute(op, req::jsonb, raise_errors => false) AS r
$$;

-- One violation, then several, per operation
SELECT try('GetItem', '{"Key": {"PK": {"S": "a"}}}');
SELECT try('GetItem', '{}');
SELECT try('GetItem', '{"TableName": "", "Key": {}}');
SELECT try('GetItem', '{"TableName": "abc;", "ReturnConsumedCapacity": "hi", "AttributesToGet": []}');
SELECT try('GetItem', ('{"TableName": "' || repeat('a', 256) || '", "Key": {}}'));
SELECT try('PutItem', '{"TableName": "abc;", "ReturnConsumedCapacity": "hi",
  "ReturnItemCollectionMetrics": "hi", "ReturnValues": "hi"}');
SELECT try('DeleteItem', '{"TableName": "app", "Key": {}, "ReturnValuesOnConditionCheckFailure": "ALL_NEW",
  "ConditionalOperator": "XOR", "Expected": {"a": {"ComparisonOperator": "LIKE"}}}');
SELECT try('UpdateItem', '{"TableName": "a;"}');
SELECT try('Query', '{"TableName": "abc;", "ReturnConsumedCapacity": "hi", "AttributesToGet": [],
  "IndexName": "abc;", "Select": "hi", "Limit": -1, "KeyConditions": {"a": {}, "b": {"ComparisonOperator": ""}},
  "ConditionalOperator": "AN", "QueryFilter": {"a": {}, "b": {"ComparisonOperator": ""}}}');
SELECT try('Scan', '{"TableName": "app", "Segment": -1, "TotalSegments": 1000001, "Limit": 0}');
SELECT try('BatchGetItem', '{}');
SELECT try('BatchGetItem', '{"RequestItems": {}}');
SELECT try('BatchGetItem', '{"RequestItems": {"a": {}}, "ReturnConsumedCapacity": "hi"}');
SELECT try('BatchGetItem', '{"RequestItems": {"app": {"Keys": []}}}');
SELECT try('BatchWriteItem', '{"RequestItems": {"aa;": [{"PutRequest": {}, "DeleteRequest": {}}]},
  "ReturnItemCollectionMetrics": "hi"}');
SELECT try('BatchWriteItem', '{"RequestItems": {"app": []}}');
SELECT try('TransactWriteItems', '{"TransactItems": [], "ReturnConsumedCapacity": "hi"}');
SELECT try('TransactGetItems', '{}');
SELECT try('ListTables', '{"ExclusiveStartTableName": "", "Limit": 500}');
SELECT try('ListTables', ('{"ExclusiveStartTableName": "' || repeat('a', 256) || '"}'));

-- The table operations answer a missing or wrongly sized TableName on its
-- own, then the constraint list
SELECT try('DescribeTable', '{}');
SELECT try('DeleteTable', '{"TableName": "a;"}');
SELECT try('DescribeTable', '{"TableName": "abc;"}');
SELECT try('CreateTable', '{"TableName": "abc;"}');
SELECT try('CreateTable', '{"TableName": "abc", "AttributeDefinitions": [], "KeySchema": [],
  "ProvisionedThroughput": {"ReadCapacityUnits": -1, "WriteCapacityUnits": -1}, "BillingMode": "A"}');
SELECT try('CreateTable', '{"TableName": "abc", "AttributeDefinitions": [{}],
  "KeySchema": [{"KeyType": "HASH"}, {"AttributeName": "a"}, {"KeyType": "Woop", "AttributeName": "a"}]}');
SELECT try('CreateTable', '{"TableName": "abc", "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "SS"}],
  "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
  "GlobalSecondaryIndexes": [{"IndexName": "h;", "KeySchema": [], "Projection": {"ProjectionType": "abc", "NonKeyAttributes": []}}]}');
SELECT try('CreateTable', '{"TableName": "abc", "AttributeDefinitions": [], "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
  "LocalSecondaryIndexes": [{}, {}, {}, {}, {}]}');
SELECT try('UpdateTable', '{"TableName": "app", "GlobalSecondaryIndexUpdates": [{"Update": {}}]}');
SELECT try('UpdateTable', '{"TableName": "app", "GlobalSecondaryIndexUpdates": [
  {"Update": {"IndexName": "a", "ProvisionedThroughput": {}}},
  {"Delete": {"IndexName": "abc;"}}]}');
SELECT try('UpdateTimeToLive', '{"TableName": "app", "TimeToLiveSpecification": {"AttributeName": ""}}');

-- A table made from SQL may have a name DynamoDB would refuse: naming it
-- is not a violation
SELECT try('GetItem', '{"TableName": "ab", "Key": {"PK": {"S": "a"}, "SK": {"S": "b"}}}');
SELECT try('DescribeTable', '{"TableName": "ab"}') LIKE 'ok%' AS described;
SELECT try('BatchGetItem', '{"RequestItems": {"ab": {"Keys": [{"PK": {"S": "a"}, "SK": {"S": "b"}}]}}}');

-- Raised, the error names the first violation and lists them all
\set VERBOSITY default
SELECT singletable.execute('GetItem', '{"TableName": "app"}');
SELECT singletable.execute('GetItem', '{"TableName": "a"}');

-- Redundant parentheses around an operand or a function call are accepted,
-- as DynamoDB accepts them; around an arithmetic that is itself an operand
-- of + or -, they are not
SELECT singletable.put_item('app', '{"PK": "p", "SK": "s", "b": "xy", "c": [1, 2], "d": {"a": 3}}');
SELECT singletable.scan('app', filter => '((size(b)) = :b)', "values" => '{":b": 2}') ->> 'Count' AS size_in_parens;
SELECT singletable.scan('app', filter => '(b) IN ((:b), :c) AND ((c[0]) BETWEEN (:n) AND :m)',
  "values" => '{":b": "xy", ":c": "z", ":n": 0, ":m": 5}') ->> 'Count' AS operands_in_parens;
SELECT singletable.update_item('app', '{"PK": "p", "SK": "s"}',
  'SET d.c = ((c[1]) + (d.a)), e = (:v), f = list_append((c), :l)',
  "values" => '{":v": 1, ":l": [9]}', return_values => 'UPDATED_NEW');
SELECT singletable.execute('Query', '{"TableName": "app", "KeyConditionExpression": "(PK) = :p AND ((SK) = :s)",
  "FilterExpression": "((size(b)) = :two)",
  "ExpressionAttributeValues": {":p": {"S": "p"}, ":s": {"S": "s"}, ":two": {"N": "2"}}}');
SELECT singletable.execute('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "UpdateExpression": "SET b = ((c[1]) + (d.a))", "ReturnValues": "UPDATED_NEW"}');
SELECT try('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "UpdateExpression": "SET b = (c[1] + d.a) + :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}');
SELECT try('Scan', '{"TableName": "app", "FilterExpression": "((b) = :b", "ExpressionAttributeValues": {":b": {"S": "x"}}}');

-- After the constraint list: parameter mixes (before the typed values),
-- then the typed values, then the placeholder maps and the expressions
SELECT try('GetItem', '{"TableName": "app", "Key": {"PK": {}}, "AttributesToGet": ["a"],
  "ExpressionAttributeNames": {}}');
SELECT try('PutItem', '{"TableName": "app", "Item": {"a": {}}, "Expected": {"a": {"Exists": false}},
  "ExpressionAttributeValues": {}}');
SELECT try('DeleteItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "ExpressionAttributeValues": {":a": {"S": "a"}}}');
SELECT try('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "ExpressionAttributeValues": {":a": {"S": "a"}}}');
SELECT try('Scan', '{"TableName": "app", "ExpressionAttributeValues": {":a": {"S": "a"}}}');
SELECT try('Query', '{"TableName": "app", "KeyConditions": {"PK": {"ComparisonOperator": "EQ",
  "AttributeValueList": [{"S": "p"}]}}, "ExpressionAttributeValues": {":a": {"S": "a"}}}');
SELECT try('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "ExpressionAttributeNames": {}, "ProjectionExpression": ""}');
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "ExpressionAttributeValues": {}, "ConditionExpression": ""}');
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "ConditionExpression": ""}');
SELECT try('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "ProjectionExpression": ""}');
SELECT try('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "ProjectionExpression": "a,b,a,#a"}');
SELECT try('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "ProjectionExpression": "a", "ExpressionAttributeNames": {"#a": "a", "#b": "b"}}');
SELECT try('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "ProjectionExpression": "a, #a[1]", "ExpressionAttributeNames": {"#a": "a"}}');
SELECT try('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"S": "a"}, ":w": {"S": "b"}}}');
-- the SQL functions take an empty map as none
SELECT singletable.get_item('app', '{"PK": "p", "SK": "s"}', projection => 'b', names => '{}');

-- UpdateTable: an empty index struct, an empty list of updates
SELECT try('UpdateTable', '{"TableName": "app", "GlobalSecondaryIndexUpdates": [{}]}');
SELECT try('UpdateTable', '{"TableName": "app", "GlobalSecondaryIndexUpdates": []}');

-- Legacy parameters as DynamoDB takes them: Value with ComparisonOperator
-- (no AttributeValueList), AttributeUpdates ADD of a list (appends), IN
-- with more than 100 values (repeats count once)
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "p"}, "SK": {"S": "s"}, "l": {"L": [{"S": "a"}]}},
  "Expected": {"PK": {"ComparisonOperator": "EQ", "Value": {"S": "p"}}}}');
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "Expected": {"PK": {"ComparisonOperator": "EQ", "Value": {"S": "other"}}}}');
SELECT singletable.execute('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "AttributeUpdates": {"l": {"Action": "ADD", "Value": {"L": [{"S": "b"}, {"N": "1"}]}},
    "m": {"Action": "ADD", "Value": {"L": [{"S": "c"}]}}}, "ReturnValues": "UPDATED_NEW"}');
SELECT singletable.execute('Scan', jsonb_build_object('TableName', 'app', 'Select', 'COUNT',
  'ScanFilter', jsonb_build_object('l', jsonb_build_object('ComparisonOperator', 'NOT_NULL'),
    'PK', jsonb_build_object('ComparisonOperator', 'IN',
      'AttributeValueList', (SELECT jsonb_agg(jsonb_build_object('S', CASE WHEN i = 2000 THEN 'p' ELSE 'x' END))
                              FROM generate_series(1, 3000) AS i)))));
-- Expected's members that do not go together, in DynamoDB's words
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "p"}, "SK": {"S": "s"}}, "Expected": {"a": {}}}');
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "p"}, "SK": {"S": "s"}}, "Expected": {"a": {"Exists": true}}}');
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "Expected": {"a": {"Exists": false, "Value": {"S": "a"}}}}');
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "Expected": {"a": {"ComparisonOperator": "LT"}}}');
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "Expected": {"a": {"Exists": true, "ComparisonOperator": "LT"}}}');
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "Expected": {"a": {"ComparisonOperator": "LT", "Value": {"S": "a"}, "AttributeValueList": [{"S": "a"}]}}}');
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "Expected": {"a": {"Exists": true, "AttributeValueList": [{"S": "a"}]}}}');

DROP SCHEMA fidelity_messages_requests CASCADE;
