-- append_events bumps the VERSION item and writes its events through the
-- direct write path (items_direct.c): no UPDATE or INSERT statement runs, so
-- the generated key columns' functions do not run; everything the
-- statements would do still happens (CHECK constraint, unique key,
-- privileges, row triggers, GSIs).
CREATE SCHEMA es_direct;
SET search_path = es_direct;
SELECT singletable.create_table('ev');
SET track_functions = 'all';
CREATE TABLE seen (n bigint);
INSERT INTO seen VALUES (0);
-- calls of singletable.key_s() (the generated key columns) since the last
-- call, as the statistics show them after flush()
CREATE FUNCTION key_calls() RETURNS bigint LANGUAGE sql AS $$
  WITH old AS (SELECT n FROM es_direct.seen)
  UPDATE es_direct.seen SET n = (SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions
                                  WHERE schemaname = 'singletable' AND funcname = 'key_s')
  RETURNING n - (SELECT n FROM old)
$$;
CREATE FUNCTION flush() RETURNS void LANGUAGE sql AS $$ SELECT pg_stat_force_next_flush() $$;
SELECT singletable.append_events('ev', 's1', '[{"eventType": "Opened"}]');
SELECT flush();
SELECT key_calls() >= 0 AS started;

-- an append to an existing stream: no key_s() call
SELECT singletable.append_events('ev', 's1', '[{"eventType": "A"}, {"eventType": "B"}, {"eventType": "C"}]');
SELECT flush();
SELECT key_calls();
SELECT sk, item->>'eventType' AS type, item->'eventVersion' AS version FROM ev WHERE pk = 's1' ORDER BY sk;

-- the CHECK constraint applies to events: a number DynamoDB cannot hold
SELECT singletable.append_events('ev', 's1', '[{"eventType": "Big", "eventData": {"n": 1e126}}]');
-- an event item that exists already (written by hand) is a unique violation
INSERT INTO ev (item) VALUES ('{"PK": "s1", "SK": "EVENT#0000000005", "x": 1}');
SELECT singletable.append_events('ev', 's1', '[{"eventType": "D"}]');
DELETE FROM ev WHERE pk = 's1' AND sk = 'EVENT#0000000005';

-- row triggers fire for each event, and GSIs (events by type) are kept
CREATE TABLE log (sk text, type text);
CREATE FUNCTION log_row() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN INSERT INTO es_direct.log VALUES (NEW.sk, NEW.item->>'eventType'); RETURN NULL; END $$;
CREATE TRIGGER log_row AFTER INSERT ON ev FOR EACH ROW EXECUTE FUNCTION log_row();
SELECT singletable.append_events('ev', 's1', '[{"eventType": "E"}, {"eventType": "F"}]');
SELECT * FROM log ORDER BY sk;
DROP TRIGGER log_row ON ev;
SELECT singletable.events_by_type('ev');
SELECT singletable.create_index('ev', 'ByType', 'GSI1PK', 'GSI1SK');
SELECT singletable.append_events('ev', 's1', '[{"eventType": "G"}]');
SELECT gsi_pk, gsi_sk IS NOT NULL AS has_sk, pk, item->>'SK' AS sk FROM "ev__ByType" ORDER BY 1, 4;

-- a role with INSERT but no UPDATE on the table cannot append
CREATE ROLE es_direct_writer;
GRANT USAGE ON SCHEMA es_direct TO es_direct_writer;
GRANT SELECT, INSERT ON ev TO es_direct_writer;
SET ROLE es_direct_writer;
SELECT singletable.append_events('ev', 's1', '[{"eventType": "H"}]');
RESET ROLE;
SELECT singletable.stream_version('ev', 's1');

RESET search_path;
DROP SCHEMA es_direct CASCADE;
DROP ROLE es_direct_writer;
