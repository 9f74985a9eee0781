-- Global secondary indexes: creation, backfill, maintenance by plain SQL
-- DML on the base table, projections, sparse indexes, key validation, drop.
-- Index tables are read here with plain SQL; sql/index_query.sql reads them
-- with singletable.query(..., index => ...).

-- SQLSTATE and message of a statement that should fail.
CREATE FUNCTION pg_temp.fails(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN sqlstate || ': ' || sqlerrm;
END
$$;

SELECT singletable.create_table('app');
INSERT INTO app (item) VALUES
	('{"PK": "USER#1", "SK": "PROFILE", "GSI1PK": "ORG#1", "GSI1SK": "alice", "age": 30, "city": "Oslo"}'),
	('{"PK": "USER#2", "SK": "PROFILE", "GSI1PK": "ORG#1", "GSI1SK": "bob", "age": 41}'),
	('{"PK": "USER#3", "SK": "PROFILE", "GSI1PK": "ORG#2"}'),
	('{"PK": "USER#4", "SK": "PROFILE", "name": "not indexed"}'),
	('{"PK": "ORDER#1", "SK": "ITEM#1", "GSI1PK": "ORG#1", "GSI1SK": "carol", "qty": 2}');

-- Backfill: only items with both index keys are in the index (sparse).
SELECT singletable.create_index('app', 'GSI1', 'GSI1PK', 'GSI1SK');
SELECT * FROM "app__GSI1" ORDER BY gsi_pk, gsi_sk, pk, sk;
\d "app__GSI1"

-- A hash-only index takes USER#3, which has no GSI1SK.
SELECT singletable.create_index('app', 'ByOrg', 'GSI1PK', projection => 'KEYS_ONLY');
SELECT * FROM "app__ByOrg" ORDER BY gsi_pk, pk, sk;

-- INCLUDE projects the keys and the named attributes.
SELECT singletable.create_index('app', 'ByName', 'GSI1SK', projection => 'INCLUDE',
	include => ARRAY['age', 'missing']);
SELECT * FROM "app__ByName" ORDER BY gsi_pk, pk, sk;

-- Inverted index: its keys are the base keys, so it has no other key columns.
SELECT singletable.create_index('app', 'Inverted', 'SK', 'PK', projection => 'KEYS_ONLY');
SELECT * FROM "app__Inverted" ORDER BY gsi_pk, gsi_sk;

-- Same partition key as the table: a local secondary index, numeric sort key.
SELECT singletable.create_index('app', 'ByAge', 'PK', 'age', partition_key_type => 'S',
	sort_key_type => 'N');
SELECT * FROM "app__ByAge" ORDER BY gsi_pk, gsi_sk;
SELECT attname, format_type(atttypid, atttypmod), attcollation::regcollation
  FROM pg_attribute WHERE attrelid = '"app__ByAge"'::regclass AND attnum > 0 ORDER BY attnum;

-- The catalog and describe_table.
SELECT relid, index_name, index_relid, partition_key, partition_key_type, sort_key,
       sort_key_type, projection, include
  FROM singletable.indexes ORDER BY index_name;
SELECT jsonb_pretty(singletable.describe_table('app') -> 'GlobalSecondaryIndexes');
SELECT tgname, tgtype FROM pg_trigger WHERE tgrelid = 'app'::regclass ORDER BY tgname;

-- Insert: a new item enters every index whose keys it has.
INSERT INTO app (item) VALUES ('{"PK": "USER#5", "SK": "PROFILE", "GSI1PK": "ORG#2", "GSI1SK": "dave", "age": 25}');
SELECT pk, gsi_pk, gsi_sk FROM "app__GSI1" WHERE pk = 'USER#5';
SELECT gsi_pk, gsi_sk FROM "app__ByAge" WHERE gsi_pk = 'USER#5';

-- Update of an index key moves the entry.
UPDATE app SET item = item || '{"GSI1SK": "alicia"}' WHERE pk = 'USER#1';
SELECT item, gsi_pk, gsi_sk FROM "app__GSI1" WHERE pk = 'USER#1';
SELECT gsi_pk, pk, item FROM "app__ByName" WHERE pk = 'USER#1';

-- Removing an index key attribute drops the entry; adding it back restores it.
UPDATE app SET item = item - 'GSI1SK' WHERE pk = 'USER#2';
SELECT count(*) FROM "app__GSI1" WHERE pk = 'USER#2';
SELECT count(*) FROM "app__ByOrg" WHERE pk = 'USER#2';
UPDATE app SET item = item || '{"GSI1SK": "bobby"}' WHERE pk = 'USER#2';
SELECT gsi_sk FROM "app__GSI1" WHERE pk = 'USER#2';

-- An update that changes nothing an index shows leaves its entry alone.
CREATE TEMP TABLE before AS SELECT ctid AS t, xmin::text AS x, pk, sk FROM "app__ByOrg";
UPDATE app SET item = item || '{"city": "Bergen"}' WHERE pk = 'USER#1';
SELECT count(*) AS untouched FROM "app__ByOrg" i JOIN before b ON i.ctid = b.t AND i.xmin::text = b.x;
SELECT count(*) AS total FROM "app__ByOrg";
-- ... but an ALL index gets the new item.
SELECT item -> 'city' FROM "app__GSI1" WHERE pk = 'USER#1';
-- INCLUDE: a change of an included attribute updates the entry.
UPDATE app SET item = item || '{"age": 31}' WHERE pk = 'USER#1';
SELECT item FROM "app__ByName" WHERE pk = 'USER#1';

-- A change of the base key (possible in plain SQL) moves the entries.
UPDATE app SET item = item || '{"PK": "USER#9"}' WHERE pk = 'USER#5';
SELECT pk, gsi_sk FROM "app__GSI1" WHERE gsi_sk = 'dave';
SELECT gsi_pk, gsi_sk FROM "app__Inverted" WHERE gsi_sk IN ('USER#5', 'USER#9');

-- INSERT ... ON CONFLICT DO UPDATE (an upsert) is maintained too.
SELECT gsi_pk, gsi_sk FROM "app__ByAge" WHERE gsi_pk = 'USER#9';
INSERT INTO app (item) VALUES ('{"PK": "USER#9", "SK": "PROFILE", "GSI1PK": "ORG#3", "GSI1SK": "dave"}')
	ON CONFLICT (pk, sk) DO UPDATE SET item = excluded.item;
SELECT pk, gsi_pk, gsi_sk FROM "app__GSI1" WHERE pk = 'USER#9';
SELECT count(*) FROM "app__ByAge" WHERE gsi_pk = 'USER#9';

-- Delete removes the entries.
DELETE FROM app WHERE pk = 'USER#9';
SELECT (SELECT count(*) FROM "app__GSI1" WHERE pk = 'USER#9') AS gsi1,
       (SELECT count(*) FROM "app__Inverted" WHERE gsi_sk = 'USER#9') AS inverted;

-- An index key of the wrong type rejects the write; nothing is written.
INSERT INTO app (item) VALUES ('{"PK": "USER#6", "SK": "PROFILE", "GSI1PK": 6}');
UPDATE app SET item = item || '{"age": "old"}' WHERE pk = 'USER#1';
UPDATE app SET item = item || '{"GSI1SK": ""}' WHERE pk = 'USER#1';
SELECT pg_temp.fails($$INSERT INTO app (item) VALUES (jsonb_build_object('PK', 'USER#7', 'SK', 'P', 'GSI1PK', repeat('x', 2049)))$$);
SELECT pg_temp.fails($$INSERT INTO app (item) VALUES ('{"PK": "USER#7", "SK": "P", "GSI1PK": "ORG#1", "GSI1SK": {"S": "x"}}')$$);
SELECT count(*) FROM app WHERE pk IN ('USER#6', 'USER#7');
SELECT item -> 'age' AS age, item -> 'GSI1SK' AS gsi1sk FROM app WHERE pk = 'USER#1';

-- Rollback leaves the indexes as they were.
BEGIN;
INSERT INTO app (item) VALUES ('{"PK": "USER#8", "SK": "PROFILE", "GSI1PK": "ORG#8", "GSI1SK": "x"}');
UPDATE app SET item = item || '{"GSI1SK": "zed"}' WHERE pk = 'USER#1';
DELETE FROM app WHERE pk = 'USER#2';
ROLLBACK;
SELECT pk, gsi_pk, gsi_sk FROM "app__GSI1" ORDER BY gsi_pk, gsi_sk, pk, sk;

-- Several changes to one item in one transaction.
BEGIN;
INSERT INTO app (item) VALUES ('{"PK": "USER#8", "SK": "PROFILE", "GSI1PK": "ORG#8", "GSI1SK": "a"}');
UPDATE app SET item = item || '{"GSI1SK": "b"}' WHERE pk = 'USER#8';
UPDATE app SET item = item || '{"GSI1SK": "c"}' WHERE pk = 'USER#8';
SELECT gsi_sk FROM "app__GSI1" WHERE pk = 'USER#8';
DELETE FROM app WHERE pk = 'USER#8';
INSERT INTO app (item) VALUES ('{"PK": "USER#8", "SK": "PROFILE", "GSI1PK": "ORG#8", "GSI1SK": "c"}');
COMMIT;
SELECT gsi_sk FROM "app__GSI1" WHERE pk = 'USER#8';

-- TRUNCATE empties the index tables, in the same transaction.
BEGIN;
TRUNCATE app;
SELECT (SELECT count(*) FROM "app__GSI1") AS gsi1, (SELECT count(*) FROM "app__Inverted") AS inverted;
ROLLBACK;
SELECT (SELECT count(*) FROM "app__GSI1") AS gsi1, (SELECT count(*) FROM "app__Inverted") AS inverted;

-- Writers need no privilege on the index tables.
CREATE ROLE regress_index_writer;
GRANT USAGE ON SCHEMA singletable TO regress_index_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON app TO regress_index_writer;
SET ROLE regress_index_writer;
INSERT INTO app (item) VALUES ('{"PK": "USER#10", "SK": "PROFILE", "GSI1PK": "ORG#1", "GSI1SK": "erin"}');
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'Nope', 'x')$$);
SELECT pg_temp.fails($$SELECT singletable.drop_index('app', 'GSI1')$$);
RESET ROLE;
SELECT pk, gsi_sk FROM "app__GSI1" WHERE pk = 'USER#10';

-- Backfill leaves out items whose index keys are invalid, and says so.
INSERT INTO app (item) VALUES ('{"PK": "USER#11", "SK": "PROFILE", "score": "high"}'),
	('{"PK": "USER#12", "SK": "PROFILE", "score": 7}');
SELECT singletable.create_index('app', 'ByScore', 'score', partition_key_type => 'N');
SELECT gsi_pk, pk FROM "app__ByScore";
-- ... and a later write of such an item must fix the key.
UPDATE app SET item = item || '{"x": 1}' WHERE pk = 'USER#11';
UPDATE app SET item = item || '{"score": 8}' WHERE pk = 'USER#11';
SELECT gsi_pk, pk FROM "app__ByScore" ORDER BY gsi_pk;

-- Binary index keys are {"$B": base64} in the item, bytea in the index table.
SELECT singletable.create_index('app', 'ByBlob', 'blob', partition_key_type => 'B');
INSERT INTO app (item) VALUES ('{"PK": "USER#13", "SK": "PROFILE", "blob": {"$B": "AAEC"}}');
SELECT gsi_pk, pk FROM "app__ByBlob";
SELECT pg_temp.fails($$INSERT INTO app (item) VALUES ('{"PK": "USER#14", "SK": "P", "blob": {"$B": "not base64!"}}')$$);

-- Bad input: a clear error, nothing changed.
CREATE TABLE plain (x int);
SELECT count(*) AS indexes_before FROM singletable.indexes;
SELECT pg_temp.fails($$SELECT singletable.create_index('no_such_table', 'GSI9', 'a')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('plain', 'GSI9', 'a')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI1', 'a')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', 'SK', partition_key_type => 'N')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', 'x', 'GSI1SK', sort_key_type => 'N')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', 'x', 'age', sort_key_type => 'S')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', 'x', projection => 'NONE')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', 'x', projection => 'keys_only')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', 'x', include => ARRAY['a'])$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', 'x', projection => 'INCLUDE')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', 'x', projection => 'INCLUDE', include => '{}')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', 'x', projection => 'INCLUDE', include => ARRAY['a', 'a'])$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', 'x', projection => 'INCLUDE', include => ARRAY['a', NULL])$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', 'x', 'x')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', 'x', partition_key_type => 'X')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', '')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI9', NULL)$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', NULL, 'x')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'G', 'x')$$);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'GSI 9', 'x')$$);
SELECT pg_temp.fails($$SELECT singletable.drop_index('app', 'GSI9')$$);
SELECT pg_temp.fails($$SELECT singletable.drop_index('plain', 'GSI1')$$);
CREATE TABLE "app__Taken" (x int);
SELECT pg_temp.fails($$SELECT singletable.create_index('app', 'Taken', 'x')$$);
DROP TABLE "app__Taken", plain;
SELECT count(*) AS indexes_after FROM singletable.indexes;
SELECT relname FROM pg_class WHERE relname LIKE 'app\_\_%' AND relkind = 'r' ORDER BY relname;

-- drop_index drops the index table; the last one takes the triggers along.
SELECT singletable.create_table('solo', 'PK', NULL);
SELECT singletable.create_index('solo', 'GSI1', 'g');
INSERT INTO solo (item) VALUES ('{"PK": "a", "g": "x"}');
SELECT * FROM "solo__GSI1";
SELECT singletable.drop_index('solo', 'GSI1');
SELECT count(*) FROM pg_class WHERE relname = 'solo__GSI1';
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'solo'::regclass;
INSERT INTO solo (item) VALUES ('{"PK": "b", "g": 1}');
SELECT singletable.describe_table('solo') ? 'GlobalSecondaryIndexes' AS has_indexes;

-- drop_index in a transaction that rolls back keeps the index.
BEGIN;
SELECT singletable.drop_index('app', 'ByBlob');
ROLLBACK;
SELECT count(*) FROM "app__ByBlob";

-- A plain DROP TABLE of the base table drops its index tables and rows.
DROP TABLE app;
SELECT relname FROM pg_class WHERE relname LIKE 'app\_\_%';
SELECT count(*) FROM singletable.indexes;
-- drop_table likewise.
SELECT singletable.create_index('solo', 'GSI2', 'g');
SELECT singletable.drop_table('solo');
SELECT count(*) FROM pg_class WHERE relname LIKE 'solo%';
SELECT count(*) FROM singletable.indexes;
REVOKE USAGE ON SCHEMA singletable FROM regress_index_writer;
DROP ROLE regress_index_writer;

-- The index table depends on its base table (AUTO), recorded by the
-- catalog row's trigger, which also serves pg_restore.
SELECT singletable.create_table('deps');
SELECT singletable.create_index('deps', 'GSI1', 'g');
SELECT deptype FROM pg_depend WHERE classid = 'pg_class'::regclass AND objid = '"deps__GSI1"'::regclass
   AND refobjid = 'deps'::regclass;
-- A catalog row written by hand takes effect at once; one that names a
-- table unlike an index table stops writes rather than corrupting it.
CREATE TABLE not_an_index (x int);
INSERT INTO singletable.indexes (relid, index_name, index_relid, partition_key, partition_key_type)
	VALUES ('deps', 'Fake', 'not_an_index', 'f', 'S');
SELECT jsonb_array_length(singletable.describe_table('deps') -> 'GlobalSecondaryIndexes') AS indexes;
SELECT pg_temp.fails($$INSERT INTO deps (item) VALUES ('{"PK": "a", "SK": "b", "f": "x"}')$$);
DELETE FROM singletable.indexes WHERE index_name = 'Fake';
INSERT INTO deps (item) VALUES ('{"PK": "a", "SK": "b", "f": "x", "g": "y"}');
SELECT gsi_pk, pk FROM "deps__GSI1";

-- An owner's member may create an index; the index table belongs to the
-- table's owner.  A catalog row naming another owner's table is refused.
CREATE ROLE regress_index_owner;
CREATE ROLE regress_index_member IN ROLE regress_index_owner;
GRANT CREATE, USAGE ON SCHEMA public TO regress_index_owner;
SET ROLE regress_index_owner;
SELECT singletable.create_table('owned');
SET ROLE regress_index_member;
SELECT singletable.create_index('owned', 'GSI1', 'g');
INSERT INTO owned (item) VALUES ('{"PK": "a", "SK": "b", "g": "x"}');
SELECT gsi_pk FROM "owned__GSI1";
SELECT pg_temp.fails($$INSERT INTO singletable.indexes (relid, index_name, index_relid, partition_key, partition_key_type)
	VALUES ('owned', 'Steal', 'not_an_index', 'f', 'S')$$);
RESET ROLE;
SELECT relowner::regrole FROM pg_class WHERE relname = 'owned__GSI1';
DROP TABLE owned, deps, not_an_index;
SELECT count(*) FROM pg_class WHERE relname IN ('owned__GSI1', 'deps__GSI1');
REVOKE CREATE, USAGE ON SCHEMA public FROM regress_index_owner;
DROP ROLE regress_index_member, regress_index_owner;
