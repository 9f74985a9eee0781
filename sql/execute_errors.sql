-- execute(operation, request, raise_errors => false): a DynamoDB-level error
-- comes back as DynamoDB's own error body ({"__type", "message", ...}) with
-- the request's effects rolled back and the caller's transaction going on;
-- other errors still raise.
SET client_min_messages = warning;
CREATE SCHEMA execute_errors_test;
SET search_path = execute_errors_test, public;
SELECT singletable.create_table('app') IS NOT NULL AS created;
-- A trigger that raises the SQLSTATE an item's "raise" attribute names,
-- for the errors no request can cause on purpose.
CREATE FUNCTION execute_errors_test.raise_on_demand() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.item ? 'raise' THEN
		RAISE EXCEPTION 'raised on demand' USING ERRCODE = NEW.item ->> 'raise',
			DETAIL = coalesce(NEW.item ->> 'detail', 'no exception name here');
	END IF;
	IF NEW.item ? 'sleep' THEN
		PERFORM pg_sleep((NEW.item ->> 'sleep')::float8);
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER raise_on_demand BEFORE INSERT OR UPDATE ON app
	FOR EACH ROW EXECUTE FUNCTION execute_errors_test.raise_on_demand();

-- A successful call answers the normal body, which never has a top-level
-- __type.
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"},
  "name": {"S": "Ann"}, "visits": {"N": "3"}, "tags": {"SS": ["a", "b"]}}}', raise_errors => false);
SELECT singletable.execute('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}}}',
  raise_errors => false);

-- ConditionalCheckFailedException: DynamoDB's body.
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}},
  "ConditionExpression": "attribute_not_exists(PK)"}', raise_errors => false);
-- ReturnValuesOnConditionCheckFailure ALL_OLD adds the item as it is, typed,
-- for PutItem, UpdateItem and DeleteItem.
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}},
  "ConditionExpression": "attribute_not_exists(PK)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}',
  raise_errors => false);
SELECT singletable.execute('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}},
  "UpdateExpression": "SET visits = visits + :one", "ConditionExpression": "visits > :max",
  "ExpressionAttributeValues": {":one": {"N": "1"}, ":max": {"N": "10"}},
  "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}', raise_errors => false);
SELECT singletable.execute('DeleteItem', '{"TableName": "app", "Key": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}},
  "ConditionExpression": "#n = :n", "ExpressionAttributeNames": {"#n": "name"},
  "ExpressionAttributeValues": {":n": {"S": "Bob"}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}',
  raise_errors => false);
-- ... but no Item when there is no item, and none with NONE.
SELECT singletable.execute('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "U#9"}, "SK": {"S": "PROFILE"}},
  "UpdateExpression": "SET visits = :one", "ConditionExpression": "attribute_exists(PK)",
  "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}',
  raise_errors => false);
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}},
  "ConditionExpression": "attribute_not_exists(PK)", "ReturnValuesOnConditionCheckFailure": "NONE"}',
  raise_errors => false);
-- Raising (the default), the item is in the DETAIL as JSON after the
-- exception name; without ALL_OLD the DETAIL is the usual sentence.
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}},
  "ConditionExpression": "attribute_not_exists(PK)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}');
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}},
  "ConditionExpression": "attribute_not_exists(PK)"}');
-- The plain put_item is unchanged.
SELECT singletable.put_item('app', '{"PK": "U#1", "SK": "PROFILE"}', 'attribute_not_exists(PK)');
-- Nothing was written by the failed calls.
SELECT item FROM app ORDER BY pk, sk;

-- TransactionCanceledException: the message lists the codes in request
-- order, CancellationReasons holds one reason per action, with the item
-- (typed) where ALL_OLD was asked and the item exists.
SELECT jsonb_pretty(singletable.execute('TransactWriteItems', '{"TransactItems": [
  {"Update": {"TableName": "app", "Key": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}},
              "UpdateExpression": "SET visits = :v", "ConditionExpression": "visits = :old",
              "ExpressionAttributeValues": {":v": {"N": "4"}, ":old": {"N": "99"}},
              "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
  {"Put": {"TableName": "app", "Item": {"PK": {"S": "U#2"}, "SK": {"S": "PROFILE"}}}}]}', raise_errors => false));
SELECT singletable.execute('TransactWriteItems', '{"TransactItems": [
  {"ConditionCheck": {"TableName": "app", "Key": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}},
                      "ConditionExpression": "attribute_exists(PK)"}},
  {"Delete": {"TableName": "app", "Key": {"PK": {"S": "U#3"}, "SK": {"S": "PROFILE"}},
              "ConditionExpression": "attribute_exists(PK)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]}',
  raise_errors => false);
-- The SQL transact_write reports the same reasons, plain, in its DETAIL.
SELECT singletable.transact_write('[{"ConditionCheck": {"TableName": "app", "Key": {"PK": "U#1", "SK": "PROFILE"},
  "ConditionExpression": "visits = :old", "ExpressionAttributeValues": {":old": 99},
  "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]');

-- ValidationException: a bad key, a malformed expression, an unknown
-- parameter, an item over the size limit, a number DynamoDB cannot store, an
-- unknown index.
SELECT singletable.execute('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "U#1"}}}', raise_errors => false);
SELECT singletable.execute('UpdateItem', '{"TableName": "app", "Key": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}},
  "UpdateExpression": "SET = 1"}', raise_errors => false);
SELECT singletable.execute('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}},
  "Consistent": true}', raise_errors => false);
SET singletable.max_item_size = '1kB';
SELECT singletable.execute('PutItem', jsonb_build_object('TableName', 'app', 'Item', jsonb_build_object(
  'PK', jsonb_build_object('S', 'U#4'), 'SK', jsonb_build_object('S', 'BIG'),
  'text', jsonb_build_object('S', repeat('x', 2000)))), raise_errors => false);
RESET singletable.max_item_size;
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#4"}, "SK": {"S": "N"},
  "n": {"N": "1E+200"}}}', raise_errors => false);
SELECT singletable.execute('Query', '{"TableName": "app", "IndexName": "GSI9", "KeyConditionExpression": "PK = :p",
  "ExpressionAttributeValues": {":p": {"S": "U#1"}}}', raise_errors => false);
-- A null or malformed argument is a ValidationException too.
SELECT singletable.execute(NULL, '{}', raise_errors => false);
SELECT singletable.execute('GetItem', '[]', raise_errors => false);

-- ResourceNotFoundException, ResourceInUseException.
SELECT singletable.execute('GetItem', '{"TableName": "nope", "Key": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}}}',
  raise_errors => false);
SELECT singletable.execute('DescribeTable', '{"TableName": "nope"}', raise_errors => false);
SELECT singletable.execute('CreateTable', '{"TableName": "app",
  "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}]}', raise_errors => false);

-- AccessDeniedException: a role without privileges on the table.
CREATE ROLE execute_errors_nobody;
GRANT USAGE ON SCHEMA execute_errors_test TO execute_errors_nobody;
SET ROLE execute_errors_nobody;
SELECT singletable.execute('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}}}',
  raise_errors => false);
RESET ROLE;

-- The singletable SQLSTATEs no request here causes on purpose, raised by the
-- trigger: ST005 is TransactionConflictException, the event store's ST003
-- and ST004 are ConditionalCheckFailedException.  The message is the DETAIL
-- after the exception name.
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#5"}, "SK": {"S": "X"},
  "raise": {"S": "ST005"}, "detail": {"S": "TransactionConflictException: Transaction is ongoing for the item."}}}',
  raise_errors => false);
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#5"}, "SK": {"S": "X"},
  "raise": {"S": "ST003"}}}', raise_errors => false);
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#5"}, "SK": {"S": "X"},
  "raise": {"S": "ST004"}}}', raise_errors => false);

-- Other errors still raise: internal errors, a division by zero in a
-- trigger, serialization failures and deadlocks (only a retry of the whole
-- SQL transaction helps), a statement timeout.  (Their SQLSTATEs shown.)
\set VERBOSITY sqlstate
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#5"}, "SK": {"S": "X"},
  "raise": {"S": "XX000"}}}', raise_errors => false);
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#5"}, "SK": {"S": "X"},
  "raise": {"S": "22012"}}}', raise_errors => false);
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#5"}, "SK": {"S": "X"},
  "raise": {"S": "40001"}}}', raise_errors => false);
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#5"}, "SK": {"S": "X"},
  "raise": {"S": "40P01"}}}', raise_errors => false);
SET statement_timeout = '50ms';
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#5"}, "SK": {"S": "X"},
  "sleep": {"N": "5"}}}', raise_errors => false);
RESET statement_timeout;
\set VERBOSITY default

-- Effects are rolled back, the caller's transaction goes on.  The
-- transaction writes U#6 (phase 2 writes in request order), then fails on
-- the update of U#1 (visits is a number, "+ SK" adds a string): U#6 is
-- gone, the put before it and the one after it stay.  CreateTable creates
-- the table, then fails on its second index: no table is left.
BEGIN;
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#7"}, "SK": {"S": "BEFORE"}}}',
  raise_errors => false);
SELECT singletable.execute('TransactWriteItems', '{"TransactItems": [
  {"Put": {"TableName": "app", "Item": {"PK": {"S": "U#6"}, "SK": {"S": "PROFILE"}}}},
  {"Update": {"TableName": "app", "Key": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}},
              "UpdateExpression": "SET visits = visits + SK"}}]}',
  raise_errors => false);
SELECT singletable.execute('CreateTable', '{"TableName": "half",
  "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}],
  "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "G", "AttributeType": "S"}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "ByG", "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}},
    {"IndexName": "ByH", "KeySchema": [{"AttributeName": "H", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}',
  raise_errors => false);
SELECT to_regclass('half') AS half_table, count(*) AS half_in_catalog
  FROM singletable.tables WHERE relid::text = 'half';
SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#7"}, "SK": {"S": "AFTER"}}}',
  raise_errors => false);
COMMIT;
SELECT item ->> 'PK' AS pk, item ->> 'SK' AS sk FROM app ORDER BY pk, sk;

-- The same inside a PL/pgSQL function, which runs in SPI itself.
CREATE FUNCTION execute_errors_test.put_then_get() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	failed jsonb;
BEGIN
	failed := singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}},
	  "ConditionExpression": "attribute_not_exists(PK)"}', raise_errors => false);
	RETURN (failed ->> '__type') || ', then ' ||
		(singletable.execute('GetItem', '{"TableName": "app", "Key": {"PK": {"S": "U#1"}, "SK": {"S": "PROFILE"}}}',
		                     raise_errors => false) -> 'Item' ->> 'name');
END
$$;
SELECT execute_errors_test.put_then_get();

-- DescribeEndpoints answers as DynamoDB does; an unknown operation answers
-- DynamoDB's UnknownOperationException, or raises ValidationException when
-- raise_errors is true.
SELECT singletable.execute('DescribeEndpoints', '{}');
SELECT singletable.execute('DynamoDB_20120810.DescribeEndpoints', '{}', raise_errors => false);
SELECT singletable.execute('RestoreTableToPointInTime', '{"SourceTableName": "app"}', raise_errors => false);
\set VERBOSITY terse
SELECT singletable.execute('RestoreTableToPointInTime', '{"SourceTableName": "app"}');
\set VERBOSITY default
-- raise_errors NULL counts as true.
SELECT singletable.execute('GetItem', '{"TableName": "nope", "Key": {}}', raise_errors => NULL);

DROP SCHEMA execute_errors_test CASCADE;
DROP ROLE execute_errors_nobody;
