-- The event store: streams of events in a singletable table.
CREATE SCHEMA eventstore_test;
SET search_path = eventstore_test, public;
SELECT singletable.create_table('events');

-- Server-set attributes vary from run to run: show events without them, and
-- check their shape separately.
CREATE FUNCTION show(e jsonb) RETURNS jsonb LANGUAGE sql AS
$$ SELECT e - 'timestamp' - 'eventId' $$;

--
-- append_events: a new stream (expected version 0) gets versions 1..n
--
SELECT singletable.append_events('events', 'AGGREGATE#acc-1',
	'[{"eventType": "AccountOpened", "eventData": {"owner": "ann"}, "metadata": {"user": "u1"}},
	  {"eventId": "ev-2", "eventType": "MoneyDeposited", "eventData": {"amount": 100}}]', 0);
SELECT show(e) FROM singletable.read_stream('events', 'AGGREGATE#acc-1') e;
-- the VERSION item holds the stream's version
SELECT item FROM events WHERE pk = 'AGGREGATE#acc-1' AND sk = 'VERSION';
SELECT singletable.stream_version('events', 'AGGREGATE#acc-1');
-- an absent stream is at version 0
SELECT singletable.stream_version('events', 'AGGREGATE#nobody');
-- timestamps are ISO 8601 UTC with milliseconds; generated eventIds are UUIDs (v4)
SELECT e->>'timestamp' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$' AS iso_timestamp,
       (e->>'timestamp')::timestamptz BETWEEN now() - interval '1 minute' AND clock_timestamp() AS recent,
       e->>'eventId' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' AS uuid_v4
  FROM singletable.read_stream('events', 'AGGREGATE#acc-1', "limit" => 1) e;
-- events of one append share one timestamp; eventData and metadata default to {}
SELECT count(DISTINCT e->>'timestamp') FROM singletable.read_stream('events', 'AGGREGATE#acc-1') e;
SELECT singletable.append_events('events', 'AGGREGATE#acc-3', '[{"eventType": "Created"}]');
SELECT show(e) FROM singletable.read_stream('events', 'AGGREGATE#acc-3') e;

--
-- expected_version
--
-- N: the stream must be at N
SELECT singletable.append_events('events', 'AGGREGATE#acc-1',
	'[{"eventId": "ev-3", "eventType": "MoneyWithdrawn", "eventData": {"amount": 30}}]', 2);
-- a mismatch is ST003 with both versions, and writes nothing
SELECT singletable.append_events('events', 'AGGREGATE#acc-1',
	'[{"eventType": "MoneyWithdrawn", "eventData": {"amount": 1}}]', 2);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.append_events('events', 'AGGREGATE#acc-1',
	'[{"eventType": "MoneyWithdrawn", "eventData": {"amount": 1}}]', 7);
SELECT singletable.stream_version('events', 'AGGREGATE#acc-1'),
       (SELECT count(*) FROM events WHERE pk = 'AGGREGATE#acc-1');
-- 0: the stream must not exist
SELECT singletable.append_events('events', 'AGGREGATE#acc-1', '[{"eventType": "AccountOpened"}]', 0);
-- NULL (the default): any version, new stream or not
SELECT singletable.append_events('events', 'AGGREGATE#acc-1', '[{"eventType": "Noted"}]');
SELECT singletable.append_events('events', 'AGGREGATE#acc-2', '[{"eventType": "Noted"}]', NULL);
-- stream_must_exist: any version of an existing stream (EventStoreDB's StreamExists)
SELECT singletable.append_events('events', 'AGGREGATE#acc-2', '[{"eventType": "Noted"}]',
	stream_must_exist => true);
SELECT singletable.append_events('events', 'AGGREGATE#ghost', '[{"eventType": "Noted"}]',
	stream_must_exist => true);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) FROM events WHERE pk = 'AGGREGATE#ghost';
-- stream_must_exist with a version: both must hold
SELECT singletable.append_events('events', 'AGGREGATE#acc-2', '[{"eventType": "Noted"}]', 3,
	stream_must_exist => true);
SELECT singletable.append_events('events', 'AGGREGATE#acc-2', '[{"eventType": "Noted"}]', 9,
	stream_must_exist => true);
-- an empty append checks the version and writes nothing
SELECT singletable.append_events('events', 'AGGREGATE#acc-2', '[]', 4);
SELECT singletable.append_events('events', 'AGGREGATE#acc-2', '[]', 3);
SELECT singletable.append_events('events', 'AGGREGATE#empty', '[]', 0);
SELECT count(*) FROM events WHERE pk = 'AGGREGATE#empty';

--
-- idempotent retries: the same eventIds at the same positions return the version
--
SELECT singletable.append_events('events', 'AGGREGATE#idem',
	'[{"eventId": "a", "eventType": "T"}, {"eventId": "b", "eventType": "T"}]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#idem',
	'[{"eventId": "c", "eventType": "T"}]', 2);
-- the reply of the first append was lost: the retry returns its version, 2
SELECT singletable.append_events('events', 'AGGREGATE#idem',
	'[{"eventId": "a", "eventType": "T"}, {"eventId": "b", "eventType": "T"}]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#idem',
	'[{"eventId": "c", "eventType": "T"}]', 2);
-- with any version, the events are found wherever they are, in order
SELECT singletable.append_events('events', 'AGGREGATE#idem',
	'[{"eventId": "b", "eventType": "T"}, {"eventId": "c", "eventType": "T"}]');
SELECT singletable.stream_version('events', 'AGGREGATE#idem');
-- the same ids at other positions: ST004
SELECT singletable.append_events('events', 'AGGREGATE#idem',
	'[{"eventId": "b", "eventType": "T"}]', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.append_events('events', 'AGGREGATE#idem',
	'[{"eventId": "b", "eventType": "T"}, {"eventId": "a", "eventType": "T"}]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#idem',
	'[{"eventId": "a", "eventType": "T"}, {"eventId": "new", "eventType": "T"}]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#idem',
	'[{"eventId": "c", "eventType": "T"}, {"eventId": "a", "eventType": "T"}]');
SELECT singletable.append_events('events', 'AGGREGATE#idem',
	'[{"eventId": "new", "eventType": "T"}, {"eventId": "a", "eventType": "T"}]');
-- new ids with a stale version are a plain version conflict
SELECT singletable.append_events('events', 'AGGREGATE#idem',
	'[{"eventId": "x", "eventType": "T"}]', 1);
-- an eventId twice in one append
SELECT singletable.append_events('events', 'AGGREGATE#idem',
	'[{"eventId": "y", "eventType": "T"}, {"eventId": "y", "eventType": "T"}]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.stream_version('events', 'AGGREGATE#idem'),
       (SELECT count(*) FROM events WHERE pk = 'AGGREGATE#idem');
-- an explicit expected version that matches writes, whatever came before
-- (the caller has read the stream up to it)
SELECT singletable.append_events('events', 'AGGREGATE#idem',
	'[{"eventId": "d", "eventType": "T"}]', 3);

--
-- atomicity: an append inside a transaction that rolls back leaves nothing
--
BEGIN;
SELECT singletable.append_events('events', 'AGGREGATE#tx', '[{"eventType": "T"}]', 0);
ROLLBACK;
SELECT singletable.stream_version('events', 'AGGREGATE#tx');
-- two appends in one transaction
BEGIN;
SELECT singletable.append_events('events', 'AGGREGATE#tx', '[{"eventType": "T"}]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#tx', '[{"eventType": "U"}]', 1);
COMMIT;
SELECT e->>'SK', e->>'eventType' FROM singletable.read_stream('events', 'AGGREGATE#tx') e;
-- an event item over the item size limit: nothing of the append is written
SET singletable.max_item_size = 1024;
SELECT singletable.append_events('events', 'AGGREGATE#tx',
	jsonb_build_array(jsonb_build_object('eventType', 'Small'),
	                  jsonb_build_object('eventType', 'Big', 'eventData', repeat('x', 2000))), 2);
RESET singletable.max_item_size;
SELECT singletable.stream_version('events', 'AGGREGATE#tx'),
       (SELECT count(*) FROM events WHERE pk = 'AGGREGATE#tx');

--
-- read_stream(tbl, stream, from_version, limit, forward)
--
SELECT singletable.append_events('events', 'AGGREGATE#r',
	(SELECT jsonb_agg(jsonb_build_object('eventType', 'N', 'eventData', jsonb_build_object('n', i)))
	   FROM generate_series(1, 5) i), 0);
SELECT e->'eventVersion' AS v, e->'eventData' AS data FROM singletable.read_stream('events', 'AGGREGATE#r') e;
SELECT e->'eventVersion' AS v FROM singletable.read_stream('events', 'AGGREGATE#r', 3) e;
SELECT e->'eventVersion' AS v FROM singletable.read_stream('events', 'AGGREGATE#r', 2, 2) e;
-- backward: from the last event, or from from_version down
SELECT e->'eventVersion' AS v FROM singletable.read_stream('events', 'AGGREGATE#r', forward => false) e;
SELECT e->'eventVersion' AS v FROM singletable.read_stream('events', 'AGGREGATE#r', 4, 3, false) e;
SELECT count(*) FROM singletable.read_stream('events', 'AGGREGATE#r', "limit" => 0);
SELECT count(*) FROM singletable.read_stream('events', 'AGGREGATE#r', 6);
SELECT count(*) FROM singletable.read_stream('events', 'AGGREGATE#nobody');
-- other items of the stream's partition are not events
SELECT singletable.put_item('events', '{"PK": "AGGREGATE#r", "SK": "EVENTS-NOTE", "x": 1}');
SELECT count(*) FROM singletable.read_stream('events', 'AGGREGATE#r');
-- more events than one fetch batch
SET singletable.max_events_per_append = 1500;
SELECT singletable.append_events('events', 'AGGREGATE#long',
	(SELECT jsonb_agg(jsonb_build_object('eventType', 'N')) FROM generate_series(1, 1500)), 0);
RESET singletable.max_events_per_append;
SELECT count(*), min((e->>'eventVersion')::int), max((e->>'eventVersion')::int),
       bool_and(e->>'SK' = 'EVENT#' || lpad(e->>'eventVersion', 10, '0'))
  FROM singletable.read_stream('events', 'AGGREGATE#long') e;
SELECT count(*) FROM singletable.read_stream('events', 'AGGREGATE#long', 200, 1100);
SELECT singletable.stream_version('events', 'AGGREGATE#long');

--
-- snapshots
--
SELECT singletable.save_snapshot('events', 'AGGREGATE#r', 3, '{"sum": 6}');
SELECT jsonb_pretty(singletable.load_stream('events', 'AGGREGATE#r') #- '{snapshot,timestamp}'
	#- '{events,0,timestamp}' #- '{events,0,eventId}' #- '{events,1,timestamp}' #- '{events,1,eventId}');
-- the newest snapshot wins; a snapshot at the current version leaves no events
SELECT singletable.save_snapshot('events', 'AGGREGATE#r', 5, '{"sum": 15}');
SELECT singletable.save_snapshot('events', 'AGGREGATE#r', 4, '{"sum": 10}');
SELECT j->'snapshot'->'state', j->'snapshot'->'version', j->'events', j->'version'
  FROM singletable.load_stream('events', 'AGGREGATE#r') j;
-- saving the same version again replaces it
SELECT singletable.save_snapshot('events', 'AGGREGATE#r', 5, '{"sum": 15, "v": 2}');
SELECT singletable.load_stream('events', 'AGGREGATE#r')->'snapshot'->'state';
-- a state may be any JSON value
SELECT singletable.save_snapshot('events', 'AGGREGATE#acc-3', 1, '42');
SELECT singletable.load_stream('events', 'AGGREGATE#acc-3')->'snapshot'->'state';
-- snapshots are not events
SELECT count(*) FROM singletable.read_stream('events', 'AGGREGATE#r');
-- no snapshot: every event; no stream: nothing
SELECT j->'snapshot', jsonb_array_length(j->'events'), j->'version'
  FROM singletable.load_stream('events', 'AGGREGATE#acc-1') j;
SELECT singletable.load_stream('events', 'AGGREGATE#nobody');
-- bad snapshots
SELECT singletable.save_snapshot('events', 'AGGREGATE#r', 6, '{}');
SELECT singletable.save_snapshot('events', 'AGGREGATE#r', 0, '{}');
SELECT singletable.save_snapshot('events', 'AGGREGATE#nobody', 1, '{}');
SELECT singletable.save_snapshot('events', 'AGGREGATE#r', NULL, '{}');
SELECT singletable.save_snapshot('events', 'AGGREGATE#r', 1, NULL);

--
-- bad input: a clear error, nothing written
--
SELECT singletable.append_events('events', 'AGGREGATE#bad', '{"eventType": "T"}', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.append_events('events', 'AGGREGATE#bad', '"T"', 0);
SELECT singletable.append_events('events', 'AGGREGATE#bad', NULL, 0);
SELECT singletable.append_events('events', 'AGGREGATE#bad', '[{"eventType": "T"}, {"eventData": {}}]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#bad', '[{"eventType": ""}]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#bad', '[{"eventType": 7}]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#bad', '[{"eventType": "T", "eventId": 1}]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#bad', '[{"eventType": "T", "eventId": ""}]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#bad', '[{"eventType": "T", "evenData": {}}]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#bad', '["T"]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#bad', '[{"eventType": "T", "eventData": {"n": 1e400}}]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#bad', '[{"eventType": "T"}]', -1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.append_events('events', 'AGGREGATE#bad', '[{"eventType": "T"}]', 0, true);
SELECT singletable.append_events('events', 'AGGREGATE#bad', '[{"eventType": "T"}]', 10000000000);
-- the stream must be a valid partition key
SELECT singletable.append_events('events', '', '[{"eventType": "T"}]', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.append_events('events', repeat('s', 2049), '[{"eventType": "T"}]', 0);
SELECT singletable.append_events('events', NULL, '[{"eventType": "T"}]', 0);
SELECT singletable.stream_version('events', '');
SELECT * FROM singletable.read_stream('events', '');
-- more events than singletable.max_events_per_append
SET singletable.max_events_per_append = 3;
SELECT singletable.append_events('events', 'AGGREGATE#bad',
	'[{"eventType": "T"}, {"eventType": "T"}, {"eventType": "T"}, {"eventType": "T"}]', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.append_events('events', 'AGGREGATE#bad',
	'[{"eventType": "T"}, {"eventType": "T"}, {"eventType": "T"}]', 0);
RESET singletable.max_events_per_append;
SELECT singletable.stream_version('events', 'AGGREGATE#bad');
-- read_stream arguments
SELECT * FROM singletable.read_stream('events', 'AGGREGATE#r', 0);
SELECT * FROM singletable.read_stream('events', 'AGGREGATE#r', 1, -1);
-- versions have 10 digits
UPDATE events SET item = jsonb_set(item, '{version}', '9999999999') WHERE pk = 'AGGREGATE#bad' AND sk = 'VERSION';
SELECT singletable.append_events('events', 'AGGREGATE#bad', '[{"eventType": "T"}]');
-- a VERSION item changed by hand into something that is not a version
UPDATE events SET item = item - 'version' WHERE pk = 'AGGREGATE#bad' AND sk = 'VERSION';
SELECT singletable.stream_version('events', 'AGGREGATE#bad');
-- tables: not a singletable table, or keys that cannot hold streams
CREATE TABLE plain (x int);
SELECT singletable.append_events('plain', 's', '[]');
SELECT singletable.append_events(NULL, 's', '[]');
SELECT singletable.create_table('numbered', sort_key_type => 'N');
SELECT singletable.append_events('numbered', 's', '[]');
SELECT singletable.create_table('hashonly', sort_key => NULL);
SELECT singletable.read_stream('hashonly', 's');
SELECT singletable.create_table('weird', partition_key => 'eventId');
SELECT singletable.stream_version('weird', 's');
-- other key attribute names are used as they are
SELECT singletable.create_table('custom', partition_key => 'stream', sort_key => 'pos');
SELECT singletable.append_events('custom', 's-1', '[{"eventId": "e", "eventType": "T"}]', 0);
SELECT item - 'timestamp' FROM custom ORDER BY sk;

--
-- events by type: appends also write GSI1PK = EVENT#<type>, GSI1SK = timestamp
--
SELECT singletable.create_table('bytype');
SELECT singletable.events_by_type('bytype');
SELECT singletable.create_index('bytype', 'GSI1', 'GSI1PK', 'GSI1SK');
SELECT singletable.append_events('bytype', 'AGGREGATE#a', '[{"eventType": "Opened"}, {"eventType": "Deposited"}]', 0);
SELECT pg_sleep(0.01);
SELECT singletable.append_events('bytype', 'AGGREGATE#b', '[{"eventType": "Opened"}]', 0);
SELECT pg_sleep(0.01);
SELECT singletable.append_events('bytype', 'AGGREGATE#a', '[{"eventType": "Opened"}]', 2);
SELECT item->>'GSI1PK' AS gsi1pk, item->>'GSI1SK' = item->>'timestamp' AS sk_is_timestamp
  FROM bytype WHERE sk LIKE 'EVENT#%' ORDER BY pk, sk;
-- a GSI query returns the events of one type, newest first
SELECT i->>'PK' AS stream, i->>'SK' AS sk
  FROM jsonb_array_elements(singletable.query('bytype', 'GSI1PK = :t',
	"values" => '{":t": "EVENT#Opened"}', index => 'GSI1', forward => false)->'Items') i;
-- VERSION and SNAPSHOT items are not in the index
SELECT singletable.save_snapshot('bytype', 'AGGREGATE#a', 1, '{}');
SELECT count(*) FROM "bytype__GSI1";
-- other attribute names
SELECT singletable.events_by_type('bytype', partition_key => 'TypePK', sort_key => 'TypeSK');
SELECT singletable.append_events('bytype', 'AGGREGATE#c', '[{"eventType": "Opened"}]', 0);
SELECT item ? 'GSI1PK' AS gsi1, item->>'TypePK' AS type_pk, item ? 'TypeSK' AS type_sk
  FROM bytype WHERE pk = 'AGGREGATE#c' AND sk = 'EVENT#0000000001';
-- turned off: events carry no index attributes
SELECT singletable.events_by_type('bytype', false);
SELECT singletable.append_events('bytype', 'AGGREGATE#c', '[{"eventType": "Opened"}]', 1);
SELECT item ? 'TypePK' FROM bytype WHERE pk = 'AGGREGATE#c' AND sk = 'EVENT#0000000002';
SELECT * FROM singletable.event_type_indexes;
-- bad settings
SELECT singletable.events_by_type('bytype', partition_key => 'PK');
SELECT singletable.events_by_type('bytype', sort_key => 'eventType');
SELECT singletable.events_by_type('bytype', partition_key => 'A', sort_key => 'A');
SELECT singletable.events_by_type('bytype', partition_key => '');
-- only the table's owner may change it
SELECT singletable.events_by_type('bytype');
CREATE ROLE es_other;
GRANT USAGE ON SCHEMA eventstore_test TO es_other;
GRANT SELECT, INSERT, UPDATE ON bytype TO es_other;
SET ROLE es_other;
SELECT singletable.events_by_type('bytype', false);
-- appends run with the caller's rights
SELECT singletable.append_events('bytype', 'AGGREGATE#d', '[{"eventType": "Opened"}]', 0);
SELECT singletable.append_events('events', 'AGGREGATE#d', '[{"eventType": "Opened"}]', 0);
SELECT * FROM singletable.read_stream('events', 'AGGREGATE#acc-1');
RESET ROLE;
-- the setting goes with the table
SELECT singletable.drop_table('bytype');
SELECT count(*) FROM singletable.event_type_indexes;

SET client_min_messages = warning;
DROP SCHEMA eventstore_test CASCADE;
RESET client_min_messages;
DROP ROLE es_other;
