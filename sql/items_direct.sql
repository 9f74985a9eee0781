-- put_item's direct write path (items_direct.c) and the cases where it
-- hands over to the SQL upsert: whichever path runs, triggers fire with the
-- right operation, constraints hold and privileges are checked.
CREATE SCHEMA direct_test;
SET search_path = direct_test;
SELECT singletable.create_table('d');
CREATE TABLE log (op text, pk text, who text);
CREATE FUNCTION log_row() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN INSERT INTO direct_test.log VALUES (TG_OP, NEW.pk, NEW.item->>'who'); RETURN NULL; END $$;
CREATE TRIGGER log_row AFTER INSERT OR UPDATE ON d FOR EACH ROW EXECUTE FUNCTION log_row();

-- a new key is an INSERT, an existing one an UPDATE; key columns follow the item
SELECT singletable.put_item('d', '{"PK": "a", "SK": "1", "who": "first"}');
SELECT singletable.put_item('d', '{"PK": "a", "SK": "1", "who": "second"}');
SELECT pk, sk, item FROM d;
SELECT * FROM log;
TRUNCATE log;

-- column triggers: replacing the item updates the item and its key columns
CREATE FUNCTION log_col() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN INSERT INTO direct_test.log VALUES (TG_NAME, NEW.pk, NEW.item->>'who'); RETURN NULL; END $$;
CREATE TRIGGER of_sk AFTER UPDATE OF sk ON d FOR EACH ROW EXECUTE FUNCTION log_col();
CREATE TRIGGER of_item AFTER UPDATE OF item ON d FOR EACH ROW EXECUTE FUNCTION log_col();
SELECT singletable.put_item('d', '{"PK": "a", "SK": "1", "who": "third"}');
SELECT * FROM log ORDER BY op;
DROP TRIGGER of_sk ON d;
DROP TRIGGER of_item ON d;
TRUNCATE log;

-- several puts of one key in one statement: each sees the one before
SELECT count(singletable.put_item('d', jsonb_build_object('PK', 'b', 'SK', '1', 'who', 'n' || i)))
  FROM generate_series(1, 3) i;
SELECT item->>'who' AS who FROM d WHERE pk = 'b';
SELECT * FROM log ORDER BY who;
TRUNCATE log;

-- put then get in one transaction; a rolled-back put leaves nothing
BEGIN;
SELECT singletable.put_item('d', '{"PK": "c", "SK": "1", "who": "tx"}');
SELECT singletable.get_item('d', '{"PK": "c", "SK": "1"}');
ROLLBACK;
SELECT singletable.get_item('d', '{"PK": "c", "SK": "1"}');
TRUNCATE log;

-- invalid items are refused before anything is written
SELECT singletable.put_item('d', '{"PK": "", "SK": "1"}');
SELECT singletable.put_item('d', '{"PK": "e", "SK": "1", "n": 1e200}');
SELECT count(*) FROM d WHERE pk = 'e';

-- a read-only transaction refuses the put
BEGIN READ ONLY;
SELECT singletable.put_item('d', '{"PK": "f", "SK": "1"}');
ROLLBACK;

-- a BEFORE ROW trigger that changes the item: its change is kept and the
-- key columns are computed from the changed item
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN NEW.item := NEW.item || '{"stamped": true}'; RETURN NEW; END $$;
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON d FOR EACH ROW EXECUTE FUNCTION stamp();
SELECT singletable.put_item('d', '{"PK": "g", "SK": "1", "who": "before"}');
SELECT singletable.put_item('d', '{"PK": "g", "SK": "1", "who": "before2"}');
SELECT item FROM d WHERE pk = 'g';
DROP TRIGGER stamp ON d;

-- a statement-level trigger fires once per put
CREATE TABLE stmts (op text);
CREATE FUNCTION log_stmt() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN INSERT INTO direct_test.stmts VALUES (TG_OP); RETURN NULL; END $$;
CREATE TRIGGER log_stmt AFTER INSERT ON d FOR EACH STATEMENT EXECUTE FUNCTION log_stmt();
SELECT singletable.put_item('d', '{"PK": "h", "SK": "1"}');
SELECT * FROM stmts;
DROP TRIGGER log_stmt ON d;

-- a CHECK constraint added by the user holds
ALTER TABLE d ADD CONSTRAINT small CHECK (length(item::text) < 60);
SELECT singletable.put_item('d', '{"PK": "i", "SK": "1", "pad": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}');
ALTER TABLE d DROP CONSTRAINT small;

-- other indexes of the table are maintained, and their unique constraints hold
CREATE UNIQUE INDEX d_who ON d ((item->>'who'));
SELECT singletable.put_item('d', '{"PK": "j", "SK": "1", "who": "unique-1"}');
SELECT singletable.put_item('d', '{"PK": "j", "SK": "2", "who": "unique-1"}');
-- the failure can be caught, and the session goes on writing
DO $$
BEGIN
  PERFORM singletable.put_item('direct_test.d', '{"PK": "j", "SK": "3", "who": "unique-1"}');
EXCEPTION WHEN unique_violation THEN
  RAISE NOTICE 'caught %', SQLERRM;
END $$;
SELECT singletable.put_item('d', '{"PK": "j", "SK": "3", "who": "unique-3"}');
SET enable_seqscan = off;
SELECT pk, sk FROM d WHERE item->>'who' LIKE 'unique-%' ORDER BY 1, 2;
RESET enable_seqscan;
DROP INDEX d_who;

-- privileges: none, table-level, column-level
CREATE ROLE st_direct_none;
CREATE ROLE st_direct_insert;
CREATE ROLE st_direct_cols;
GRANT USAGE ON SCHEMA direct_test TO st_direct_none, st_direct_insert, st_direct_cols;
GRANT INSERT ON d TO st_direct_insert;
GRANT SELECT (pk, sk), INSERT (item), UPDATE (item) ON d TO st_direct_cols;
GRANT INSERT ON log TO st_direct_cols;
SET ROLE st_direct_none;
SELECT singletable.put_item('d', '{"PK": "k", "SK": "1"}');
RESET ROLE;
SET ROLE st_direct_insert;
SELECT singletable.put_item('d', '{"PK": "k", "SK": "1"}');
RESET ROLE;
SET ROLE st_direct_cols;
SELECT singletable.put_item('d', '{"PK": "k", "SK": "1", "who": "cols"}');
SELECT singletable.put_item('d', '{"PK": "k", "SK": "1", "who": "cols2"}');
RESET ROLE;
SELECT item FROM d WHERE pk = 'k';

-- row-level security: a policy's WITH CHECK refuses a put outside it
GRANT SELECT, INSERT, UPDATE ON d TO st_direct_insert;
GRANT INSERT ON log TO st_direct_insert;
ALTER TABLE d ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON d TO st_direct_insert USING (pk LIKE 'm%') WITH CHECK (pk LIKE 'm%');
SET ROLE st_direct_insert;
SELECT singletable.put_item('d', '{"PK": "m1", "SK": "1", "who": "rls"}');
SELECT singletable.put_item('d', '{"PK": "n1", "SK": "1", "who": "rls"}');
RESET ROLE;
SELECT pk FROM d WHERE item->>'who' = 'rls';
ALTER TABLE d DISABLE ROW LEVEL SECURITY;
DROP POLICY mine ON d;

SELECT op, pk, who FROM log ORDER BY pk, op, who;
REVOKE ALL ON d, log FROM st_direct_none, st_direct_insert, st_direct_cols;
REVOKE ALL ON SCHEMA direct_test FROM st_direct_none, st_direct_insert, st_direct_cols;
DROP ROLE st_direct_none;
DROP ROLE st_direct_insert;
DROP ROLE st_direct_cols;
RESET search_path;
DROP SCHEMA direct_test CASCADE;
