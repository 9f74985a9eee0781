-- put_item's direct write path maintains a table's GSIs itself when the GSI
-- trigger is the table's only row trigger: the index tables end exactly as
-- the trigger leaves them for the same writes in plain SQL, the trigger
-- function is not called for a direct put, and plain DML still fires it.
CREATE SCHEMA index_direct;
SET search_path = index_direct;
SELECT singletable.create_table('d');
SELECT singletable.create_table('s');	-- the same writes in plain SQL
SELECT singletable.create_index(t, 'ALL1', 'G1PK', 'G1SK') FROM unnest('{d,s}'::regclass[]) t;
SELECT singletable.create_index(t, 'KEYS', 'G2PK', projection => 'KEYS_ONLY') FROM unnest('{d,s}'::regclass[]) t;
SELECT singletable.create_index(t, 'INCL', 'G1PK', 'n', 'INCLUDE', '{a}', sort_key_type => 'N')
  FROM unnest('{d,s}'::regclass[]) t;

-- the rows of d's index tables that s's do not have, and the reverse
CREATE FUNCTION diff() RETURNS TABLE (side text, ix text, gsi_pk text, item jsonb)
LANGUAGE sql AS $$
  (SELECT 'only d', 'ALL1', gsi_pk, item FROM "d__ALL1" EXCEPT SELECT 'only d', 'ALL1', gsi_pk, item FROM "s__ALL1")
  UNION ALL (SELECT 'only s', 'ALL1', gsi_pk, item FROM "s__ALL1" EXCEPT SELECT 'only s', 'ALL1', gsi_pk, item FROM "d__ALL1")
  UNION ALL (SELECT 'only d', 'KEYS', gsi_pk, item FROM "d__KEYS" EXCEPT SELECT 'only d', 'KEYS', gsi_pk, item FROM "s__KEYS")
  UNION ALL (SELECT 'only s', 'KEYS', gsi_pk, item FROM "s__KEYS" EXCEPT SELECT 'only s', 'KEYS', gsi_pk, item FROM "d__KEYS")
  UNION ALL (SELECT 'only d', 'INCL', gsi_pk, item FROM "d__INCL" EXCEPT SELECT 'only d', 'INCL', gsi_pk, item FROM "s__INCL")
  UNION ALL (SELECT 'only s', 'INCL', gsi_pk, item FROM "s__INCL" EXCEPT SELECT 'only s', 'INCL', gsi_pk, item FROM "d__INCL")
$$;
-- put into d with put_item, into s with the upsert put_item stands for
CREATE FUNCTION put(item jsonb) RETURNS void LANGUAGE sql AS $$
  SELECT singletable.put_item('index_direct.d', item);
  INSERT INTO index_direct.s (item) VALUES (item) ON CONFLICT (pk, sk) DO UPDATE SET item = excluded.item;
$$;
-- calls of the trigger function since the last call of trigger_calls(),
-- as the statistics show them after flush()
SET track_functions = 'all';
CREATE TABLE seen (n bigint);
INSERT INTO seen VALUES (0);
CREATE FUNCTION trigger_calls() RETURNS bigint LANGUAGE sql AS $$
  WITH old AS (SELECT n FROM index_direct.seen)
  UPDATE index_direct.seen SET n = (SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions
                                     WHERE schemaname = 'singletable' AND funcname = 'index_maintain')
  RETURNING n - (SELECT n FROM old)
$$;
CREATE FUNCTION flush() RETURNS void LANGUAGE sql AS $$ SELECT pg_stat_force_next_flush() $$;
SELECT flush();
SELECT trigger_calls() >= 0 AS started;

-- new items, a changed projection, moved index keys, an item leaving an
-- index (sparse) and coming back, an item in no index
SELECT put('{"PK": "u1", "SK": "p", "G1PK": "org", "G1SK": "a", "G2PK": "x", "n": 1, "a": 1, "b": 1}');
SELECT put('{"PK": "u2", "SK": "p", "G1PK": "org", "G1SK": "b", "n": 2}');
SELECT put('{"PK": "u3", "SK": "p", "other": true}');
SELECT put('{"PK": "u1", "SK": "p", "G1PK": "org", "G1SK": "a", "G2PK": "x", "n": 1, "a": 1, "b": 2}');
SELECT put('{"PK": "u1", "SK": "p", "G1PK": "org2", "G1SK": "z", "G2PK": "y", "n": 7, "a": "A"}');
SELECT put('{"PK": "u2", "SK": "p", "G1PK": "org"}');
SELECT put('{"PK": "u2", "SK": "p", "G1PK": "org", "G1SK": "c", "n": 3}');
-- every call came from the upserts into s (7), none from put_item
SELECT flush();
SELECT trigger_calls();
SELECT * FROM diff();
SELECT gsi_pk, gsi_sk, pk, item FROM "d__ALL1" ORDER BY 1, 2;
SELECT gsi_pk, pk, item FROM "d__KEYS" ORDER BY 1, 2;
SELECT gsi_pk, gsi_sk, pk, item FROM "d__INCL" ORDER BY 1, 2;

-- an invalid index key rejects the put, which changes nothing
SELECT singletable.put_item('d', '{"PK": "u1", "SK": "p", "G1PK": "org", "G1SK": "", "n": 1}');
SELECT singletable.put_item('d', '{"PK": "u9", "SK": "p", "G1PK": "org", "G1SK": "q", "n": "one"}');
SELECT singletable.get_item('d', '{"PK": "u1", "SK": "p"}');
SELECT * FROM diff();

-- plain DML on d still fires the trigger and keeps the indexes exact
UPDATE d SET item = item || '{"G1SK": "y"}' WHERE pk = 'u1';
UPDATE s SET item = item || '{"G1SK": "y"}' WHERE pk = 'u1';
DELETE FROM d WHERE pk = 'u2';
DELETE FROM s WHERE pk = 'u2';
SELECT flush();
SELECT trigger_calls();	-- four
SELECT * FROM diff();

-- a disabled trigger: neither path maintains the indexes
ALTER TABLE d DISABLE TRIGGER singletable_index_maintenance;
SELECT singletable.put_item('d', '{"PK": "u5", "SK": "p", "G1PK": "org", "G1SK": "e"}');
SELECT count(*) FROM "d__ALL1" WHERE pk = 'u5';
ALTER TABLE d ENABLE TRIGGER singletable_index_maintenance;
DELETE FROM d WHERE pk = 'u5';
-- session_replication_role = replica: an ordinary trigger does not fire
SET session_replication_role = replica;
SELECT singletable.put_item('d', '{"PK": "u5", "SK": "p", "G1PK": "org", "G1SK": "e"}');
SELECT count(*) FROM "d__ALL1" WHERE pk = 'u5';
RESET session_replication_role;
-- ENABLE ALWAYS: it does
DELETE FROM d WHERE pk = 'u5';
ALTER TABLE d ENABLE ALWAYS TRIGGER singletable_index_maintenance;
SET session_replication_role = replica;
SELECT singletable.put_item('d', '{"PK": "u5", "SK": "p", "G1PK": "org", "G1SK": "e"}');
SELECT count(*) FROM "d__ALL1" WHERE pk = 'u5';
RESET session_replication_role;
ALTER TABLE d ENABLE TRIGGER singletable_index_maintenance;
DELETE FROM d WHERE pk = 'u5';

-- another row trigger on the table: the put queues every row trigger and
-- the GSI trigger does the work, as for the upsert: one call for each side
SELECT flush();
SELECT trigger_calls() >= 0 AS reset;
CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER noop AFTER INSERT ON d FOR EACH ROW EXECUTE FUNCTION noop();
SELECT put('{"PK": "u6", "SK": "p", "G1PK": "org", "G1SK": "f", "n": 6, "a": 6}');
SELECT flush();
SELECT trigger_calls();
DROP TRIGGER noop ON d;
SELECT * FROM diff();

RESET search_path;
DROP SCHEMA index_direct CASCADE;
