-- execute('TransactWriteItems'): ClientRequestToken idempotency, the
-- token's length, the 4 MB request limit, and actions that turn out
-- invalid when applied, as DynamoDB answers them.
SET client_min_messages = warning;
CREATE SCHEMA fidelity_transactions;
SET search_path = fidelity_transactions, public;
CREATE FUNCTION body(op text, req text) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT singletable.execute(op, req::jsonb, raise_errors => false) $$;
SELECT singletable.create_table('ft', partition_key => 'pk', sort_key => NULL) IS NOT NULL AS created;
SELECT singletable.put_item('ft', '{"pk": "a", "n": 0, "s": "text"}');

-- The same token and the same request: applied once, answered each time.
SELECT body('TransactWriteItems', '{"ClientRequestToken": "tok-1", "TransactItems": [
  {"Update": {"TableName": "ft", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "ADD n :one",
              "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}');
SELECT body('TransactWriteItems', '{"ClientRequestToken": "tok-1", "TransactItems": [
  {"Update": {"TableName": "ft", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "ADD n :one",
              "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}');
SELECT singletable.get_item('ft', '{"pk": "a"}') -> 'n' AS n_after_two_calls;
-- The same token and another request.
SELECT body('TransactWriteItems', '{"ClientRequestToken": "tok-1", "TransactItems": [
  {"Update": {"TableName": "ft", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "ADD n :two",
              "ExpressionAttributeValues": {":two": {"N": "2"}}}}]}');
SELECT singletable.execute('TransactWriteItems', '{"ClientRequestToken": "tok-1", "TransactItems": [
  {"Delete": {"TableName": "ft", "Key": {"pk": {"S": "a"}}}}]}');
-- After 10 minutes the token is forgotten (here: made 11 minutes old).
UPDATE singletable.client_request_tokens SET created_at = created_at - interval '11 minutes' WHERE token = 'tok-1';
SELECT body('TransactWriteItems', '{"ClientRequestToken": "tok-1", "TransactItems": [
  {"Update": {"TableName": "ft", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "ADD n :one",
              "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}');
SELECT singletable.get_item('ft', '{"pk": "a"}') -> 'n' AS n_after_expiry;
SELECT count(*) AS tokens FROM singletable.client_request_tokens WHERE token LIKE 'tok-%';
-- A cancelled request leaves no token: the retry runs.
SELECT body('TransactWriteItems', '{"ClientRequestToken": "tok-2", "TransactItems": [
  {"Put": {"TableName": "ft", "Item": {"pk": {"S": "b"}}, "ConditionExpression": "attribute_exists(pk)"}}]}') ->> '__type' AS first;
SELECT body('TransactWriteItems', '{"ClientRequestToken": "tok-2", "TransactItems": [
  {"Put": {"TableName": "ft", "Item": {"pk": {"S": "b"}}, "ConditionExpression": "attribute_exists(pk)"}}]}') ->> '__type' AS retry;
-- A token is 1 to 36 characters.
SELECT body('TransactWriteItems', '{"ClientRequestToken": "0123456789012345678901234567890123456", "TransactItems": [
  {"Delete": {"TableName": "ft", "Key": {"pk": {"S": "zz"}}}}]}');
SELECT body('TransactWriteItems', '{"ClientRequestToken": "", "TransactItems": [
  {"Delete": {"TableName": "ft", "Key": {"pk": {"S": "zz"}}}}]}');

-- An action that is invalid when applied cancels the transaction with a
-- ValidationError reason; nothing is written.
SELECT body('TransactWriteItems', '{"TransactItems": [
  {"Put": {"TableName": "ft", "Item": {"pk": {"S": "c"}}}},
  {"Update": {"TableName": "ft", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET s = s + :one",
              "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}');
SELECT singletable.get_item('ft', '{"pk": "c"}') AS not_written;
SELECT singletable.transact_write('[
  {"Update": {"TableName": "ft", "Key": {"pk": "a"}, "UpdateExpression": "SET s = s + :one",
              "ExpressionAttributeValues": {":one": 1}}}]');

-- The request may not exceed 4 MB.
SELECT body('TransactWriteItems', (SELECT jsonb_build_object('TransactItems', jsonb_agg(jsonb_build_object('Put',
  jsonb_build_object('TableName', 'ft', 'Item', jsonb_build_object('pk', jsonb_build_object('S', 'big' || i),
    'v', jsonb_build_object('S', repeat('x', 390000))))))) FROM generate_series(1, 11) i)::text);

SELECT singletable.drop_table('ft');
DELETE FROM singletable.client_request_tokens WHERE token LIKE 'tok-%';
DROP SCHEMA fidelity_transactions CASCADE;
