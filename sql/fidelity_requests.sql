-- execute(): DynamoDB's request-level rules, each answered as DynamoDB
-- answers it.  A body (raise_errors => false) shows DynamoDB's __type and
-- message, which SDK users match on.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_requests;
SET search_path = fidelity_requests, public;
CREATE FUNCTION body(op text, req text) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT singletable.execute(op, req::jsonb, raise_errors => false) $$;
SELECT singletable.create_table('fr', partition_key => 'pk', sort_key => 'sk') IS NOT NULL AS created;
SELECT singletable.put_item('fr', '{"pk": "a", "sk": "1", "n": 1, "s": "x"}');
SELECT singletable.put_item('fr', '{"pk": "a", "sk": "2", "n": 2, "s": "y"}');
SELECT singletable.put_item('fr', '{"pk": "b", "sk": "1", "n": 3}');

-- Legacy KeyConditions go with FilterExpression and ProjectionExpression.
SELECT body('Query', '{"TableName": "fr",
  "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}},
  "FilterExpression": "n > :v", "ProjectionExpression": "sk, #n",
  "ExpressionAttributeNames": {"#n": "n"}, "ExpressionAttributeValues": {":v": {"N": "1"}}}');
-- ... but not with KeyConditionExpression, and QueryFilter not with FilterExpression.
SELECT body('Query', '{"TableName": "fr", "KeyConditionExpression": "pk = :p",
  "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}},
  "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT body('Query', '{"TableName": "fr", "KeyConditionExpression": "pk = :p",
  "QueryFilter": {"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "1"}]}},
  "AttributesToGet": ["n"], "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT body('PutItem', '{"TableName": "fr", "Item": {"pk": {"S": "c"}, "sk": {"S": "1"}},
  "Expected": {"n": {"Exists": false}}, "ConditionExpression": "attribute_not_exists(pk)"}');
SELECT body('GetItem', '{"TableName": "fr", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "ExpressionAttributeNames": {"#n": "n"}}');

-- An empty Expected, QueryFilter or ScanFilter is no condition at all;
-- beside ConditionExpression an empty Expected is still a legacy
-- parameter, which DynamoDB refuses to mix.
SELECT body('PutItem', '{"TableName": "fr", "Item": {"pk": {"S": "c"}, "sk": {"S": "1"}}, "Expected": {}}');
SELECT body('PutItem', '{"TableName": "fr", "Item": {"pk": {"S": "c"}, "sk": {"S": "2"}}, "Expected": {},
  "ConditionExpression": "attribute_not_exists(pk)"}');
SELECT body('Query', '{"TableName": "fr", "Select": "COUNT", "QueryFilter": {},
  "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}}');
SELECT body('Scan', '{"TableName": "fr", "Select": "COUNT", "ScanFilter": {}}');

-- ConditionalOperator needs conditions to join.
SELECT body('PutItem', '{"TableName": "fr", "Item": {"pk": {"S": "c"}, "sk": {"S": "3"}}, "ConditionalOperator": "AND"}');
SELECT body('Scan', '{"TableName": "fr", "ConditionalOperator": "OR"}');
SELECT body('Scan', '{"TableName": "fr", "ConditionalOperator": "OR", "ScanFilter": {}}');

-- Legacy operand types are checked before anything runs.
SELECT body('Scan', '{"TableName": "fr",
  "ScanFilter": {"n": {"ComparisonOperator": "LT", "AttributeValueList": [{"L": [{"N": "1"}]}]}}}');
SELECT body('Scan', '{"TableName": "fr",
  "ScanFilter": {"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"S": "9"}]}}}');
SELECT body('PutItem', '{"TableName": "fr", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "Expected": {"n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"S": "1"}]}}}');
SELECT body('PutItem', '{"TableName": "fr", "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}},
  "Expected": {"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"N": "1"}]}}}');
SELECT body('Scan', '{"TableName": "fr",
  "ScanFilter": {"n": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"SS": ["a"]}]}}}');
SELECT body('Scan', '{"TableName": "fr",
  "ScanFilter": {"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}]}}}');
-- EQ and NE take any type: a list that does not match is a false condition.
SELECT body('Scan', '{"TableName": "fr", "Select": "COUNT",
  "ScanFilter": {"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"L": [{"N": "1"}]}]}}}');
SELECT body('Scan', '{"TableName": "fr", "Select": "COUNT",
  "ScanFilter": {"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "2"}]}}}');

-- A Query's filter may not name the key attributes of what it reads (a
-- Scan's may).
SELECT body('Query', '{"TableName": "fr", "KeyConditionExpression": "pk = :p",
  "FilterExpression": "#k > :s", "ExpressionAttributeNames": {"#k": "sk"},
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"S": "1"}}}');
SELECT body('Query', '{"TableName": "fr",
  "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}},
  "QueryFilter": {"pk": {"ComparisonOperator": "NOT_NULL"}}}');
SELECT singletable.query('fr', 'pk = :p', "values" => '{":p": "a"}', filter => 'attribute_exists(pk.x) OR n > :p');
SELECT body('Scan', '{"TableName": "fr", "Select": "COUNT", "FilterExpression": "pk = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}}}');
SELECT singletable.create_index('fr', 'ByS', 's', 'n', projection => 'KEYS_ONLY', sort_key_type => 'N') IS NOT NULL AS indexed;
SELECT body('Query', '{"TableName": "fr", "IndexName": "ByS", "KeyConditionExpression": "s = :s",
  "FilterExpression": "n > :n", "ExpressionAttributeValues": {":s": {"S": "x"}, ":n": {"N": "0"}}}');
-- on an index the table's keys are ordinary attributes
SELECT body('Query', '{"TableName": "fr", "IndexName": "ByS", "KeyConditionExpression": "s = :s",
  "FilterExpression": "sk = :k", "ExpressionAttributeValues": {":s": {"S": "x"}, ":k": {"S": "1"}}}');

-- ExclusiveStartKey: its shape, its partition and sort key range (Query),
-- its segment (parallel Scan).
SELECT body('Query', '{"TableName": "fr", "KeyConditionExpression": "pk = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}}, "ExclusiveStartKey": {"pk": {"S": "a"}}}');
SELECT body('Query', '{"TableName": "fr", "KeyConditionExpression": "pk = :p",
  "ExpressionAttributeValues": {":p": {"S": "a"}}, "ExclusiveStartKey": {"pk": {"S": "b"}, "sk": {"S": "1"}}}');
SELECT body('Query', '{"TableName": "fr", "KeyConditionExpression": "pk = :p AND sk > :s",
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"S": "1"}},
  "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"S": "1"}}}');
SELECT body('Query', '{"TableName": "fr", "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"S": "2"}},
  "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"S": "1"}}}');
SELECT body('Query', '{"TableName": "fr", "KeyConditionExpression": "pk = :p AND sk BETWEEN :lo AND :hi",
  "ExpressionAttributeValues": {":p": {"S": "a"}, ":lo": {"S": "1"}, ":hi": {"S": "2"}},
  "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"S": "1"}}}');
-- a key from one segment does not resume another
WITH seg AS (
  SELECT s, body('Scan', format('{"TableName": "fr", "Segment": %s, "TotalSegments": 2, "Limit": 1}', s)) -> 'LastEvaluatedKey' AS k
  FROM generate_series(0, 1) s)
SELECT s AS from_segment,
       body('Scan', format('{"TableName": "fr", "Segment": %s, "TotalSegments": 2, "ExclusiveStartKey": %s}', 1 - s, k)) ->> 'message' AS other_segment,
       body('Scan', format('{"TableName": "fr", "Segment": %s, "TotalSegments": 2, "ExclusiveStartKey": %s}', s, k)) ? 'Items' AS same_segment
FROM seg WHERE k IS NOT NULL;

-- Global secondary indexes: no consistent reads, and ALL_ATTRIBUTES only
-- from an index that projects them all.
SELECT body('Query', '{"TableName": "fr", "IndexName": "ByS", "KeyConditionExpression": "s = :s",
  "ConsistentRead": true, "ExpressionAttributeValues": {":s": {"S": "x"}}}');
SELECT body('Scan', '{"TableName": "fr", "IndexName": "ByS", "ConsistentRead": true}');
SELECT body('Query', '{"TableName": "fr", "IndexName": "ByS", "KeyConditionExpression": "s = :s",
  "Select": "ALL_ATTRIBUTES", "ExpressionAttributeValues": {":s": {"S": "x"}}}');
SELECT body('Query', '{"TableName": "fr", "IndexName": "ByS", "KeyConditionExpression": "s = :s",
  "Select": "ALL_PROJECTED_ATTRIBUTES", "ConsistentRead": false, "ExpressionAttributeValues": {":s": {"S": "x"}}}');
SELECT body('Scan', '{"TableName": "fr", "Select": "COUNT", "ConsistentRead": true}');

SELECT singletable.drop_table('fr');
DROP SCHEMA fidelity_requests CASCADE;
