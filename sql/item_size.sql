-- The item size limit, singletable.max_item_size, is a limit of the write
-- calls, not of the stored row: every call that writes an item checks it,
-- while the table's CHECK constraint, which plain SQL, a restore (COPY) and
-- a replication subscriber run, checks the item's shape only.
SET client_min_messages = warning;
CREATE SCHEMA item_size_test;
SET search_path = item_size_test, public;
SELECT singletable.create_table('app');
SELECT singletable.put_item('app', '{"PK": "u", "SK": "1", "n": 1}');
CREATE FUNCTION big(pk text, sk text) RETURNS jsonb LANGUAGE sql AS
$$ SELECT jsonb_build_object('PK', pk, 'SK', sk, 'body', repeat('x', 2000)) $$;
SET singletable.max_item_size = 1024;

-- Every write call refuses an item over the limit.
SELECT singletable.put_item('app', big('big', '1'));
SELECT singletable.put_item('app', big('big', '1'), condition => 'attribute_not_exists(PK)');
-- update_item measures the item after the update, existing or new
SELECT singletable.update_item('app', '{"PK": "u", "SK": "1"}', 'SET body = :b',
	"values" => jsonb_build_object(':b', repeat('x', 2000)));
SELECT singletable.update_item('app', '{"PK": "new", "SK": "1"}', 'SET body = :b',
	"values" => jsonb_build_object(':b', repeat('x', 2000)));
SELECT singletable.batch_write(jsonb_build_object('app', jsonb_build_array(
	jsonb_build_object('PutRequest', jsonb_build_object('Item', big('big', '2'))))));
SELECT singletable.transact_write(jsonb_build_array(
	jsonb_build_object('Put', jsonb_build_object('TableName', 'app', 'Item', big('big', '3')))));
SELECT singletable.transact_write(jsonb_build_array(
	jsonb_build_object('Update', jsonb_build_object('TableName', 'app', 'Key', '{"PK": "u", "SK": "1"}'::jsonb,
		'UpdateExpression', 'SET body = :b',
		'ExpressionAttributeValues', jsonb_build_object(':b', repeat('x', 2000))))));
-- execute(): an unconditional PutItem (the direct write path), an UpdateItem
SELECT singletable.execute('PutItem', jsonb_build_object('TableName', 'app',
	'Item', singletable.to_dynamodb_json(big('big', '4'))));
SELECT singletable.execute('UpdateItem', jsonb_build_object('TableName', 'app',
	'Key', '{"PK": {"S": "u"}, "SK": {"S": "1"}}'::jsonb, 'UpdateExpression', 'SET body = :b',
	'ExpressionAttributeValues', jsonb_build_object(':b', jsonb_build_object('S', repeat('x', 2000)))));
-- the event store: an event (the stream stays new: the small append that
-- follows expects version 0), a snapshot
SELECT singletable.append_events('app', 'STREAM#1',
	jsonb_build_array(jsonb_build_object('eventType', 'Big', 'eventData', repeat('x', 2000))), 0);
SELECT singletable.append_events('app', 'STREAM#1', '[{"eventType": "Small"}]', 0);
SELECT singletable.save_snapshot('app', 'STREAM#1', 1, jsonb_build_object('body', repeat('x', 2000)));
-- no item over the limit was written
SELECT pk, sk, item ? 'body' AS has_blob FROM app ORDER BY pk, sk;

-- Plain SQL is bounded by Postgres alone: the CHECK constraint reads no
-- setting, so a restore or a subscriber accepts what its source accepted.
INSERT INTO app VALUES (big('sql', '1'));
SELECT singletable.item_check(big('x', 'y'));
-- It still checks the shape.
INSERT INTO app VALUES ('[1]');
INSERT INTO app VALUES ('{"PK": "sql", "SK": "2", "v": 1e200}');

-- An item stored over the limit: read and delete work, and an update is
-- accepted when the item it leaves is within the limit.
SELECT length(singletable.get_item('app', '{"PK": "sql", "SK": "1"}') ->> 'body');
SELECT singletable.update_item('app', '{"PK": "sql", "SK": "1"}', 'SET n = :n', "values" => '{":n": 1}');
SELECT singletable.update_item('app', '{"PK": "sql", "SK": "1"}', 'REMOVE body', return_values => 'ALL_NEW');
RESET singletable.max_item_size;
SELECT singletable.put_item('app', big('big', '1'));
SELECT pk, sk, item ? 'body' AS has_blob FROM app ORDER BY pk, sk;

RESET search_path;
DROP SCHEMA item_size_test CASCADE;
