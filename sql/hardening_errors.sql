-- Errors that say what is wrong, with the documented SQLSTATE, and without
-- the extension's internal SQL text.  Each error is followed by its
-- SQLSTATE; at this verbosity a CONTEXT or QUERY line would show up too.
SET client_min_messages = warning;
CREATE SCHEMA hardening_errors;
SET search_path = hardening_errors, public;
\set VERBOSITY default

--
-- Table names: execute('CreateTable') takes DynamoDB's names, 3 to 255 of
-- a-z A-Z 0-9 _ . - (longer than a Postgres name, with dots: see
-- fidelity_table_names).
--
\set keys '"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]'
SELECT singletable.execute('CreateTable', ('{"TableName": "", ' || :'keys' || '}')::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.execute('CreateTable', ('{"TableName": "ab", ' || :'keys' || '}')::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.execute('CreateTable', ('{"TableName": "my table!", ' || :'keys' || '}')::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.execute('CreateTable', ('{"TableName": "' || repeat('x', 256) || '", ' || :'keys' || '}')::jsonb);
\echo :LAST_ERROR_SQLSTATE
-- 63 bytes fit, and the name is kept whole
SELECT singletable.execute('CreateTable', ('{"TableName": "Orders-2024_v1_' || repeat('x', 48) || '", ' || :'keys' || '}')::jsonb)
       #>> '{TableDescription,TableName}' AS created;
SELECT singletable.execute('DeleteTable', ('{"TableName": "Orders-2024_v1_' || repeat('x', 48) || '"}')::jsonb)
       #>> '{TableDescription,TableName}' AS deleted;

-- create_table takes a name as SQL writes it: the same checks, by SQL's
-- rules (quoted names keep their case).
SELECT singletable.create_table('');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.create_table('""');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.create_table('"unterminated');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.create_table('hardening_errors.');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.create_table('.orders');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.create_table('a.b.c.d');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.create_table('"Mixed Case"');
SELECT singletable.create_table('hardening_errors.' || repeat('y', 63)) = (repeat('y', 63))::regclass AS whole_name;

--
-- A relation that does not exist (an OID nothing has, a table dropped
-- under the call) is ResourceNotFoundException, and the message says so.
--
SELECT singletable.query(0, 'PK = :p', "values" => '{":p": "x"}');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.describe_table(4294967295);
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.stream_version(0, 's');
\echo :LAST_ERROR_SQLSTATE
-- a relation that exists but is not a singletable table keeps its name
CREATE TABLE plain (id int);
SELECT singletable.get_item('plain', '{"PK": "a", "SK": "b"}');
\echo :LAST_ERROR_SQLSTATE

--
-- Limits: DynamoDB's Limit is an integer of at least 1; ours stops at
-- 2147483647.  The message gives the range, whatever the bad value.
--
SELECT singletable.create_table('lim');
\set q '"TableName": "lim", "KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": {"S": "x"}}'
SELECT singletable.execute('Query', ('{' || :'q' || ', "Limit": 99999999999}')::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.execute('Query', ('{' || :'q' || ', "Limit": 0}')::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.execute('Query', ('{' || :'q' || ', "Limit": 2.5}')::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.execute('Scan', '{"TableName": "lim", "Limit": -1}');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.execute('Query', ('{' || :'q' || ', "Limit": 2147483647}')::jsonb);
SELECT singletable.execute('Scan', '{"TableName": "lim", "Segment": 1000000, "TotalSegments": 1000000}');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.execute('Scan', '{"TableName": "lim", "Segment": 0, "TotalSegments": 1000001}');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.execute('ListTables', '{"Limit": 101}');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.query('lim', 'PK = :p', "values" => '{":p": "x"}', "limit" => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.scan('lim', "limit" => -2147483648);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM singletable.query_items('lim', 'PK = :p', "values" => '{":p": "x"}', "limit" => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.query('lim', 'PK = :p', "values" => '{":p": "x"}', "limit" => 99999999999);
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.scan('lim', "limit" => 2147483647);

--
-- The change stream's "tables" option: a name that is not a table name is
-- 22023, naming the option and the value.  Quoted names keep their case.
--
SELECT 'init' FROM pg_create_logical_replication_slot('hardening_errors', 'singletable');
SELECT count(*) FROM pg_logical_slot_peek_changes('hardening_errors', NULL, NULL, 'tables', 'public.');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pg_logical_slot_peek_changes('hardening_errors', NULL, NULL, 'tables', '.lim');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pg_logical_slot_peek_changes('hardening_errors', NULL, NULL, 'tables', '""');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pg_logical_slot_peek_changes('hardening_errors', NULL, NULL, 'tables', 'lim, a.b.c');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pg_logical_slot_peek_changes('hardening_errors', NULL, NULL, 'tables', repeat('z', 64));
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pg_logical_slot_peek_changes('hardening_errors', NULL, NULL, 'tables', 'lim,');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pg_logical_slot_peek_changes('hardening_errors', NULL, NULL,
	'tables', '"Mixed Case", hardening_errors."Mixed Case", LIM');
SELECT pg_drop_replication_slot('hardening_errors');

--
-- Event store: a VERSION item edited by hand to hold something other than
-- a version (a non-negative integer of at most 10 digits) is reported as
-- corrupted data, naming the stream and the value, and nothing is written.
--
SELECT singletable.create_table('events');
SELECT singletable.append_events('events', 'acc-1', '[{"eventType": "Opened"}]', 0);
SELECT singletable.save_snapshot('events', 'acc-1', 1, '{"open": true}');
CREATE FUNCTION set_version(v jsonb) RETURNS void LANGUAGE sql AS
$$ UPDATE events SET item = jsonb_set(item, '{version}', v) WHERE pk = 'acc-1' AND sk = 'VERSION' $$;
CREATE FUNCTION item_count() RETURNS bigint LANGUAGE sql AS
$$ SELECT count(*) FROM events WHERE pk = 'acc-1' $$;
SELECT set_version('"abc"');
-- any version (the one-statement path), an expected version, a retry by
-- eventId (the locking path), and the readers
SELECT singletable.append_events('events', 'acc-1', '[{"eventType": "Deposited"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.append_events('events', 'acc-1', '[{"eventType": "Deposited"}]', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.append_events('events', 'acc-1', '[{"eventType": "Deposited", "eventId": "e-2"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.stream_version('events', 'acc-1');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.load_stream('events', 'acc-1');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.save_snapshot('events', 'acc-1', 1, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT set_version('-5');
SELECT singletable.append_events('events', 'acc-1', '[{"eventType": "Deposited"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.append_events('events', 'acc-1', '[]', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT set_version('1.5');
SELECT singletable.append_events('events', 'acc-1', '[{"eventType": "Deposited"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT set_version('1e20');
SELECT singletable.append_events('events', 'acc-1', '[{"eventType": "Deposited"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT set_version('10000000000');
SELECT singletable.stream_version('events', 'acc-1');
\echo :LAST_ERROR_SQLSTATE
SELECT set_version('null');
SELECT singletable.append_events('events', 'acc-1', '[{"eventType": "Deposited"}]', 1);
\echo :LAST_ERROR_SQLSTATE
-- nothing was written: the stream still holds its event, snapshot and VERSION
SELECT item_count();
SELECT sk FROM events WHERE pk = 'acc-1' ORDER BY sk;
-- a repaired version works again (1.0 is the integer 1)
SELECT set_version('1.0');
SELECT singletable.append_events('events', 'acc-1', '[{"eventType": "Deposited"}]', 1);
SELECT set_version('2');
-- a snapshot item's version is checked too
UPDATE events SET item = jsonb_set(item, '{version}', '"one"') WHERE pk = 'acc-1' AND sk = 'SNAPSHOT#0000000001';
SELECT singletable.load_stream('events', 'acc-1');
\echo :LAST_ERROR_SQLSTATE

--
-- No internal SQL text: errors raised inside the statements the extension
-- runs itself come without a CONTEXT line naming them.
--
CREATE ROLE hardening_errors_reader;
GRANT USAGE ON SCHEMA hardening_errors TO hardening_errors_reader;
GRANT SELECT ON events TO hardening_errors_reader;
SET ROLE hardening_errors_reader;
SELECT singletable.append_events('events', 'acc-2', '[{"eventType": "Opened"}]', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.drop_table('events');
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.execute('DeleteTable', '{"TableName": "events"}');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT singletable.append_events('events', 'acc-2', ('[{"eventType": "Big", "eventData": "' || repeat('x', 500000) || '"}]')::jsonb, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT singletable.execute('Query', '{"TableName": "events", "KeyConditionExpression": "PK = :p AND"}');
\echo :LAST_ERROR_SQLSTATE
CREATE VIEW event_view AS SELECT item FROM events;
SELECT singletable.drop_table('events');
\echo :LAST_ERROR_SQLSTATE
-- the caller's own context is kept
DO $$ BEGIN PERFORM singletable.execute('Query', '{"TableName": "events", "KeyConditionExpression": "PK = :p AND"}'); END $$;
\echo :LAST_ERROR_SQLSTATE
DROP VIEW event_view;

DROP SCHEMA hardening_errors CASCADE;
DROP ROLE hardening_errors_reader;
