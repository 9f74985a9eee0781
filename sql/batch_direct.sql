-- batch_write's puts to one table take put_item's direct write path
-- (items_direct.c) once for the table: the same rows, triggers, errors and
-- privilege checks as the multi-row upsert it replaces, which still runs
-- when the direct path does not apply (here: a CHECK constraint of the
-- user's on table s).
CREATE SCHEMA batch_direct;
SET search_path = batch_direct;
SELECT singletable.create_table('d');
SELECT singletable.create_table('s');
ALTER TABLE s ADD CONSTRAINT small CHECK (length(item::text) < 200);
CREATE TABLE log (tbl text, op text, pk text, sk text, who text, rows_then bigint);
CREATE FUNCTION log_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('INSERT INTO batch_direct.log SELECT %L, %L, %L, %L, %L, count(*) FROM batch_direct.%I',
                 TG_TABLE_NAME, TG_OP, NEW.pk, NEW.sk, NEW.item->>'who', TG_TABLE_NAME);
  RETURN NULL;
END $$;
CREATE TRIGGER log_row AFTER INSERT OR UPDATE ON d FOR EACH ROW EXECUTE FUNCTION log_row();
CREATE TRIGGER log_row AFTER INSERT OR UPDATE ON s FOR EACH ROW EXECUTE FUNCTION log_row();
SELECT singletable.put_item(t, '{"PK": "a", "SK": "2", "who": "old"}') FROM unnest(ARRAY['d', 's']) t;
TRUNCATE log;

-- new keys are inserted, an existing one updated, key columns follow the
-- items; the AFTER ROW triggers fire at the end of the one command, each
-- seeing every row, as after the multi-row upsert
SELECT singletable.batch_write(jsonb_build_object(t, '[
  {"PutRequest": {"Item": {"PK": "a", "SK": "3", "who": "new3"}}},
  {"PutRequest": {"Item": {"PK": "a", "SK": "2", "who": "replaced"}}},
  {"PutRequest": {"Item": {"PK": "a", "SK": "1", "who": "new1"}}}]'::jsonb))
  FROM unnest(ARRAY['d', 's']) t;
SELECT 'd' AS tbl, pk, sk, item FROM d UNION ALL SELECT 's', pk, sk, item FROM s ORDER BY 1, 2, 3;
SELECT * FROM log ORDER BY tbl, sk;
TRUNCATE log;

-- the direct path neither evaluates the CHECK constraint nor the generated
-- key columns (the call validated the items and computed their keys); the
-- upsert on s does both, per row
BEGIN;
SET LOCAL track_functions = 'all';
SELECT singletable.batch_write('{"d": [
  {"PutRequest": {"Item": {"PK": "b", "SK": "1"}}},
  {"PutRequest": {"Item": {"PK": "b", "SK": "2"}}}]}');
SELECT funcname, calls FROM pg_stat_xact_user_functions
 WHERE schemaname = 'singletable' AND funcname IN ('item_check', 'key_s') ORDER BY 1;
SELECT singletable.batch_write('{"s": [
  {"PutRequest": {"Item": {"PK": "b", "SK": "1"}}},
  {"PutRequest": {"Item": {"PK": "b", "SK": "2"}}}]}');
SELECT funcname, calls FROM pg_stat_xact_user_functions
 WHERE schemaname = 'singletable' AND funcname IN ('item_check', 'key_s') ORDER BY 1;
ROLLBACK;
TRUNCATE log;

-- a unique index of the user's: the same violation on both paths, and
-- nothing of the batch is written
CREATE UNIQUE INDEX d_who ON d ((item->>'who'));
CREATE UNIQUE INDEX s_who ON s ((item->>'who'));
SELECT singletable.batch_write('{"d": [
  {"PutRequest": {"Item": {"PK": "c", "SK": "1", "who": "twin"}}},
  {"PutRequest": {"Item": {"PK": "c", "SK": "2", "who": "twin"}}}]}');
SELECT singletable.batch_write('{"s": [
  {"PutRequest": {"Item": {"PK": "c", "SK": "1", "who": "twin"}}},
  {"PutRequest": {"Item": {"PK": "c", "SK": "2", "who": "twin"}}}]}');
SELECT (SELECT count(*) FROM d WHERE pk = 'c') AS d, (SELECT count(*) FROM s WHERE pk = 'c') AS s;
DROP INDEX d_who;
DROP INDEX s_who;

-- a GSI is maintained by the put itself (its trigger is the table's only
-- row trigger once log_row is gone), as by put_item
DROP TRIGGER log_row ON d;
SELECT singletable.create_index('d', 'by_who', 'who');
SELECT singletable.batch_write('{"d": [
  {"PutRequest": {"Item": {"PK": "e", "SK": "1", "who": "gsi-1"}}},
  {"PutRequest": {"Item": {"PK": "a", "SK": "1", "who": "gsi-2"}}}]}');
SELECT singletable.query('d', 'who = :w', "values" => '{":w": "gsi-1"}', index => 'by_who');
SELECT singletable.query('d', 'who = :w', "values" => '{":w": "gsi-2"}', index => 'by_who');
SELECT singletable.query('d', 'who = :w', "values" => '{":w": "new1"}', index => 'by_who');

-- a read-only transaction refuses the batch on both paths
BEGIN READ ONLY;
SELECT singletable.batch_write('{"d": [{"PutRequest": {"Item": {"PK": "f", "SK": "1"}}}, {"PutRequest": {"Item": {"PK": "f", "SK": "2"}}}]}');
ROLLBACK;
BEGIN READ ONLY;
SELECT singletable.batch_write('{"s": [{"PutRequest": {"Item": {"PK": "f", "SK": "1"}}}, {"PutRequest": {"Item": {"PK": "f", "SK": "2"}}}]}');
ROLLBACK;

-- privileges: without INSERT the batch fails as the upsert does; with the
-- column privileges put_item's direct path asks (SELECT of the key columns,
-- INSERT and UPDATE of item) it succeeds, as put_item and a one-item batch
-- did already; under row-level security the policies hold
CREATE ROLE st_batch_direct_none;
CREATE ROLE st_batch_direct_cols;
GRANT USAGE ON SCHEMA batch_direct TO st_batch_direct_none, st_batch_direct_cols;
GRANT SELECT ON d TO st_batch_direct_none;
GRANT SELECT (pk, sk), INSERT (item), UPDATE (item) ON d TO st_batch_direct_cols;
SET ROLE st_batch_direct_none;
SELECT singletable.batch_write('{"d": [{"PutRequest": {"Item": {"PK": "g", "SK": "1"}}}, {"PutRequest": {"Item": {"PK": "g", "SK": "2"}}}]}');
RESET ROLE;
SET ROLE st_batch_direct_cols;
SELECT singletable.batch_write('{"d": [{"PutRequest": {"Item": {"PK": "g", "SK": "1"}}}, {"PutRequest": {"Item": {"PK": "a", "SK": "3", "who": "cols"}}}]}');
RESET ROLE;
SELECT pk, sk, item FROM d WHERE pk = 'g' OR (pk = 'a' AND sk = '3') ORDER BY 1, 2;
GRANT SELECT, INSERT, UPDATE ON d TO st_batch_direct_cols;
ALTER TABLE d ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON d TO st_batch_direct_cols USING (pk LIKE 'm%') WITH CHECK (pk LIKE 'm%');
SET ROLE st_batch_direct_cols;
SELECT singletable.batch_write('{"d": [{"PutRequest": {"Item": {"PK": "m1", "SK": "1"}}}, {"PutRequest": {"Item": {"PK": "m2", "SK": "1"}}}]}');
SELECT singletable.batch_write('{"d": [{"PutRequest": {"Item": {"PK": "m3", "SK": "1"}}}, {"PutRequest": {"Item": {"PK": "x", "SK": "1"}}}]}');
RESET ROLE;
SELECT pk, sk FROM d WHERE pk LIKE 'm%' OR pk = 'x' ORDER BY 1, 2;

DROP POLICY mine ON d;
REVOKE ALL ON d FROM st_batch_direct_none, st_batch_direct_cols;
REVOKE ALL ON SCHEMA batch_direct FROM st_batch_direct_none, st_batch_direct_cols;
DROP ROLE st_batch_direct_none;
DROP ROLE st_batch_direct_cols;
RESET search_path;
DROP SCHEMA batch_direct CASCADE;
