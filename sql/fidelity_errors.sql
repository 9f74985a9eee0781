-- execute(): a table that does not exist is answered with DynamoDB's own
-- message, which SDK users match on: "Requested resource not found" for
-- item, query, batch and transaction operations, naming the table for the
-- table operations.
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.msg(op text, req text) RETURNS text LANGUAGE sql
  AS $$ SELECT singletable.execute(op, req::jsonb, raise_errors => false) ->> 'message' $$;
SELECT op, pg_temp.msg(op, req) AS message FROM (VALUES
  ('GetItem', '{"TableName": "nope", "Key": {"pk": {"S": "a"}}}'),
  ('PutItem', '{"TableName": "nope", "Item": {"pk": {"S": "a"}}}'),
  ('Query', '{"TableName": "nope", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}'),
  ('Scan', '{"TableName": "nope"}'),
  ('BatchGetItem', '{"RequestItems": {"nope": {"Keys": [{"pk": {"S": "a"}}]}}}'),
  ('TransactWriteItems', '{"TransactItems": [{"Delete": {"TableName": "nope", "Key": {"pk": {"S": "a"}}}}]}'),
  ('DescribeTable', '{"TableName": "nope"}'),
  ('DeleteTable', '{"TableName": "nope"}'),
  ('UpdateTable', '{"TableName": "nope", "BillingMode": "PAY_PER_REQUEST"}')) AS r(op, req);
