-- DynamoDB's answers to malformed item requests that dynalite's suite
-- (written against DynamoDB) checks: execute(raise_errors => false), so
-- the body shows DynamoDB's message, and the SQL functions where they
-- take the same parameter.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_items_peer;
SET search_path = fidelity_items_peer, public;
SELECT singletable.create_table('app') IS NOT NULL AS created;
CREATE FUNCTION try(op text, req text) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(r ->> '__type', 'ok') || coalesce(': ' || (r ->> 'message'), '')
	FROM singletable.execute(op, req::jsonb, raise_errors => false) AS r
$$;

-- A name listed twice in AttributesToGet, before the table is looked up
-- and before a BatchGetItem's duplicate keys
SELECT try('GetItem', '{"TableName": "nosuch", "Key": {}, "AttributesToGet": ["a", "a"]}');
SELECT try('BatchGetItem', '{"RequestItems": {"nosuch": {"Keys": [{}], "AttributesToGet": ["a", "a"]}}}');
SELECT try('BatchGetItem', '{"RequestItems": {"app": {"Keys": [{"PK": {"S": "a"}, "SK": {"S": "b"}},
  {"PK": {"S": "a"}, "SK": {"S": "b"}}], "AttributesToGet": ["b", "x", "b"]}}}');
SELECT try('Query', '{"TableName": "app", "AttributesToGet": ["a", "a"],
  "KeyConditions": {"PK": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}}');

-- A BatchGetItem table's parameter mixes, as GetItem's, before its table
SELECT try('BatchGetItem', '{"RequestItems": {"nosuch": {"Keys": [{}], "AttributesToGet": ["a"],
  "ExpressionAttributeNames": {}, "ProjectionExpression": ""}}}');
SELECT try('BatchGetItem', '{"RequestItems": {"nosuch": {"Keys": [{}], "AttributesToGet": ["a"],
  "ExpressionAttributeNames": {}}}}');
SELECT try('BatchGetItem', '{"RequestItems": {"nosuch": {"Keys": [{}],
  "ExpressionAttributeNames": {}, "ProjectionExpression": ""}}}');

-- More than 100 keys of one table, or 25 writes to one table: the
-- constraint list; over all tables, the batch's own message
SELECT try('BatchGetItem', jsonb_build_object('RequestItems', jsonb_build_object('app',
  jsonb_build_object('Keys', (SELECT jsonb_agg(jsonb_build_object('PK', jsonb_build_object('S', i::text),
    'SK', jsonb_build_object('S', 's'))) FROM generate_series(1, 101) AS i))))::text)
  ~ '^com.amazon.coral.validate#ValidationException: 1 validation error detected: Value ''\[.*\]'' at ''requestItems.app.member.keys'' failed to satisfy constraint: Member must have length less than or equal to 100$' AS too_many_keys;
SELECT try('BatchWriteItem', jsonb_build_object('RequestItems', jsonb_build_object('app',
  (SELECT jsonb_agg(jsonb_build_object('DeleteRequest', jsonb_build_object('Key',
    jsonb_build_object('PK', jsonb_build_object('S', i::text), 'SK', jsonb_build_object('S', 's')))))
   FROM generate_series(1, 26) AS i)))::text) ~ '^com.amazon.coral.validate#ValidationException: 1 validation error detected: Value .* at ''requestItems'' failed to satisfy constraint: Map value must satisfy constraint: \[Member must have length less than or equal to 25, Member must have length greater than or equal to 1\]$' AS too_many_writes;

-- An empty Expected or AttributeUpdates still mixes with the expressions;
-- UpdateExpression is named before ConditionExpression
SELECT try('DeleteItem', '{"TableName": "nosuch", "Key": {}, "Expected": {}, "ExpressionAttributeNames": {},
  "ExpressionAttributeValues": {}, "ConditionExpression": ""}');
SELECT try('UpdateItem', '{"TableName": "nosuch", "Key": {"a": {}}, "Expected": {"a": {}}, "AttributeUpdates": {},
  "ExpressionAttributeNames": {}, "ExpressionAttributeValues": {}, "ConditionExpression": "", "UpdateExpression": ""}');

-- Value with AttributeValueList in Expected, with no ComparisonOperator
SELECT try('DeleteItem', '{"TableName": "nosuch", "Key": {}, "Expected": {"a": {"Value": {"S": "a"},
  "AttributeValueList": [{"S": "a"}]}}}');

-- Legacy BETWEEN bounds in the wrong order: DynamoDB's own wording, before
-- the table (a ConditionExpression's message names its placeholders)
SELECT try('DeleteItem', '{"TableName": "nosuch", "Key": {}, "Expected": {"a": {"ComparisonOperator": "BETWEEN",
  "AttributeValueList": [{"S": "b"}, {"S": "a"}]}}}');
SELECT try('DeleteItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "Expected": {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "a"}, {"S": "ab"}]}}}');

-- AttributeUpdates: only DELETE goes without a Value, checked first
SELECT try('UpdateItem', '{"TableName": "nosuch", "Key": {}, "Expected": {"a": {}},
  "AttributeUpdates": {"a": {"x": "whatever"}}}');
SELECT try('UpdateItem', '{"TableName": "nosuch", "Key": {}, "AttributeUpdates": {"a": {"Action": "ADD"}}}');
SELECT try('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "AttributeUpdates": {"a": {"Action": "PUT", "Value": {"S": "v"}, "x": 1}}}');
SELECT try('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}},
  "AttributeUpdates": {"a": {"Action": "DELETE"}}}');

-- A malformed value placeholder, before the values themselves
SELECT try('DeleteItem', '{"TableName": "nosuch", "Key": {}, "ExpressionAttributeValues": {":b": {"a": ""},
  "b": {"S": "a"}}, "ConditionExpression": ""}');
SELECT try('UpdateItem', '{"TableName": "nosuch", "Key": {}, "ExpressionAttributeValues": {":b": {"a": ""},
  "bbb": {"S": "a"}}, "UpdateExpression": "SET a = :b"}');

-- ReturnValues a PutItem or DeleteItem cannot take
SELECT try('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "p"}, "SK": {"S": "s"}}, "ReturnValues": "ALL_NEW"}');
SELECT try('DeleteItem', '{"TableName": "app", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}}, "ReturnValues": "UPDATED_OLD"}');

-- The SQL functions: a name listed twice in batch_get's AttributesToGet
SELECT singletable.batch_get('{"fidelity_items_peer.app": {"Keys": [{"PK": "a", "SK": "b"}],
  "AttributesToGet": ["a", "a"]}}');

DROP SCHEMA fidelity_items_peer CASCADE;
