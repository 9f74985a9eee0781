-- execute('Query' / 'Scan'): DynamoDB's wire shape over singletable.query
-- and singletable.scan, including the legacy KeyConditions, QueryFilter,
-- ScanFilter and AttributesToGet.
SET client_min_messages = warning;
CREATE SCHEMA execute_query_test;
SET search_path = execute_query_test, public;
CREATE FUNCTION execute_query_test.try(op text, req jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	d text;
BEGIN
	RETURN singletable.execute(op, req)::text;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RETURN SQLSTATE || ' ' || split_part(d, ':', 1) || ': ' || SQLERRM;
END
$$;

SELECT singletable.create_table('shop');
SELECT singletable.create_index('shop', 'GSI1', 'GSI1PK', 'GSI1SK');
INSERT INTO shop(item)
SELECT jsonb_build_object('PK', 'USER#1', 'SK', 'ORDER#' || i, 'total', i * 10,
                          'status', CASE WHEN i % 2 = 0 THEN 'SHIPPED' ELSE 'PENDING' END,
                          'GSI1PK', CASE WHEN i % 2 = 0 THEN 'SHIPPED' ELSE 'PENDING' END,
                          'GSI1SK', 'ORDER#' || i)
  FROM generate_series(1, 5) i;
INSERT INTO shop(item) VALUES ('{"PK": "USER#1", "SK": "PROFILE", "name": "Ann"}'),
	('{"PK": "USER#2", "SK": "PROFILE", "name": "Bob"}');

-- Query with a key condition, typed values, a filter and a projection.
SELECT singletable.execute('Query', '{"TableName": "shop",
  "KeyConditionExpression": "PK = :pk AND begins_with(SK, :o)",
  "FilterExpression": "#t >= :min", "ProjectionExpression": "SK, #t",
  "ExpressionAttributeNames": {"#t": "total"},
  "ExpressionAttributeValues": {":pk": {"S": "USER#1"}, ":o": {"S": "ORDER#"}, ":min": {"N": "20"}}}');
-- Pages: Limit, LastEvaluatedKey -> ExclusiveStartKey, backwards.
SELECT singletable.execute('Query', '{"TableName": "shop", "KeyConditionExpression": "PK = :pk",
  "ExpressionAttributeValues": {":pk": {"S": "USER#1"}}, "Limit": 2, "ScanIndexForward": false,
  "ProjectionExpression": "SK"}');
SELECT singletable.execute('Query', '{"TableName": "shop", "KeyConditionExpression": "PK = :pk",
  "ExpressionAttributeValues": {":pk": {"S": "USER#1"}}, "Limit": 2, "ScanIndexForward": false,
  "ProjectionExpression": "SK",
  "ExclusiveStartKey": {"PK": {"S": "USER#1"}, "SK": {"S": "ORDER#4"}}}');
-- An index, and Select COUNT.
SELECT singletable.execute('Query', '{"TableName": "shop", "IndexName": "GSI1",
  "KeyConditionExpression": "GSI1PK = :s", "ExpressionAttributeValues": {":s": {"S": "SHIPPED"}},
  "Select": "COUNT"}');
SELECT singletable.execute('Query', '{"TableName": "shop", "IndexName": "GSI1",
  "KeyConditionExpression": "GSI1PK = :s", "ExpressionAttributeValues": {":s": {"S": "PENDING"}},
  "Select": "SPECIFIC_ATTRIBUTES", "ProjectionExpression": "SK"}');

-- Legacy: KeyConditions, QueryFilter, AttributesToGet.
SELECT singletable.execute('Query', '{"TableName": "shop",
  "KeyConditions": {"PK": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "USER#1"}]},
                    "SK": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "ORDER#2"}, {"S": "ORDER#4"}]}},
  "QueryFilter": {"status": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "SHIPPED"}]}},
  "AttributesToGet": ["SK", "status"]}');

-- Scan: whole table, a filter, parallel segments.
SELECT (singletable.execute('Scan', '{"TableName": "shop"}') ->> 'Count');
SELECT singletable.execute('Scan', '{"TableName": "shop", "FilterExpression": "attribute_exists(#n)",
  "ExpressionAttributeNames": {"#n": "name"}, "ProjectionExpression": "#n"}') -> 'Items';
SELECT (singletable.execute('Scan', '{"TableName": "shop", "Segment": 0, "TotalSegments": 2}') -> 'Count')::int
     + (singletable.execute('Scan', '{"TableName": "shop", "Segment": 1, "TotalSegments": 2}') -> 'Count')::int AS total;
SELECT singletable.execute('Scan', '{"TableName": "shop",
  "ScanFilter": {"total": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "30"}]},
                 "name": {"ComparisonOperator": "NOT_NULL"}},
  "ConditionalOperator": "OR", "Select": "COUNT"}');

-- Bad requests.
SELECT try('Query', '{"TableName": "shop"}');
SELECT try('Query', '{"TableName": "shop", "KeyConditionExpression": "PK = :pk",
  "ExpressionAttributeValues": {":pk": {"S": "USER#1"}}, "Limit": 0}');
SELECT try('Query', '{"TableName": "shop", "KeyConditionExpression": "PK = :pk",
  "ExpressionAttributeValues": {":pk": {"S": "USER#1"}}, "ScanIndexForward": "no"}');
SELECT try('Query', '{"TableName": "shop", "KeyConditionExpression": "PK = :pk",
  "ExpressionAttributeValues": {":pk": {"S": "USER#1"}}, "Select": "EVERYTHING"}');
SELECT try('Query', '{"TableName": "shop", "KeyConditionExpression": "PK = :pk",
  "ExpressionAttributeValues": {":pk": {"S": "USER#1"}}, "Select": "COUNT", "ProjectionExpression": "SK"}');
SELECT try('Query', '{"TableName": "shop", "KeyConditionExpression": "PK = :pk",
  "ExpressionAttributeValues": {":pk": {"S": "USER#1"}}, "IndexName": "NoSuchIndex"}');
SELECT try('Query', '{"TableName": "shop", "KeyConditionExpression": "PK = :pk",
  "ExpressionAttributeValues": {":pk": {"N": "x1"}}}');
SELECT try('Query', '{"TableName": "shop", "KeyConditionExpression": "PK = :pk",
  "KeyConditions": {"PK": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "USER#1"}]}}}');
SELECT try('Query', '{"TableName": "shop",
  "KeyConditions": {"PK": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "USER#1"}]}}}');
SELECT try('Query', '{"TableName": "shop", "KeyConditionExpression": "PK = :pk",
  "ExpressionAttributeValues": {":pk": {"S": "USER#1"}}, "Segment": 0}');
SELECT try('Scan', '{"TableName": "shop", "Segment": 0}');
SELECT try('Scan', '{"TableName": "shop", "Segment": 3, "TotalSegments": 2}');
RESET search_path;
DROP SCHEMA execute_query_test CASCADE;
