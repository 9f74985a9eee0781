-- Indexes added online: create_index(..., online => true) and
-- execute('UpdateTable') with a GlobalSecondaryIndexUpdates Create return at
-- once; the index is CREATING while a background worker copies the
-- existing items in batches, then ACTIVE.  Writers racing the batches are
-- in test/specs/index_online.spec, a worker under load in
-- test/t/60_index_online.pl.
SET client_min_messages = warning;
CREATE SCHEMA index_online_test;
SET search_path = index_online_test, public;

-- Wait (at most 60 s) until an index is ACTIVE, until no worker builds it,
-- or until no build worker runs in this database.  A transaction reads the
-- server's activity once unless told to read it again.
CREATE FUNCTION wait_active(tbl regclass, ix text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..6000 LOOP
		IF (SELECT status FROM singletable.indexes WHERE relid = tbl AND index_name = ix) = 'ACTIVE' THEN
			RETURN 'ACTIVE';
		END IF;
		PERFORM pg_sleep(0.01);
	END LOOP;
	RETURN 'still CREATING';
END
$$;
CREATE FUNCTION wait_stopped(tbl regclass, ix text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..6000 LOOP
		PERFORM pg_stat_clear_snapshot();	-- read the server's activity anew
		IF NOT EXISTS (SELECT FROM singletable.index_progress
		               WHERE relid = tbl AND index_name = ix AND pid IS NOT NULL) THEN
			RETURN 'stopped';
		END IF;
		PERFORM pg_sleep(0.01);
	END LOOP;
	RETURN 'still running';
END
$$;
CREATE FUNCTION wait_no_worker() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..6000 LOOP
		PERFORM pg_stat_clear_snapshot();	-- read the server's activity anew
		IF NOT EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'singletable index build'
		               AND datname = current_database()) THEN
			RETURN 'no worker';
		END IF;
		PERFORM pg_sleep(0.01);
	END LOOP;
	RETURN 'a worker still runs';
END
$$;
CREATE FUNCTION gsi(tbl regclass, ix text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT g FROM jsonb_array_elements(singletable.describe_table(tbl) -> 'GlobalSecondaryIndexes') g
	 WHERE g ->> 'IndexName' = ix
$$;

-- 30 users: 20 with a city and a name, 5 without a city (not in the index),
-- 5 whose city is a number (left out as index key violations).
SELECT singletable.create_table('app');
INSERT INTO app (item)
SELECT jsonb_strip_nulls(jsonb_build_object('PK', 'USER#' || lpad(i::text, 2, '0'), 'SK', 'PROFILE',
	'name', 'user ' || i, 'age', 20 + i,
	'city', CASE WHEN i <= 20 THEN to_jsonb('CITY#' || i % 3) WHEN i > 25 THEN to_jsonb(i) END))
  FROM generate_series(1, 30) i;
ANALYZE app;

-- Four items per batch, so the build takes several transactions.
SET singletable.index_build_batch_size = 4;
BEGIN;
SELECT singletable.create_index('app', 'ByCity', 'city', 'name', online => true);
-- Until its build is done the index cannot be read, not even by its creator
-- (55000, DynamoDB's ValidationException).
SAVEPOINT s;
\set VERBOSITY default
SELECT singletable.query('app', 'city = :c', "values" => '{":c": "CITY#1"}', index => 'ByCity');
ROLLBACK TO s;
\set VERBOSITY terse
SELECT singletable.scan('app', index => 'ByCity');
ROLLBACK TO s;
SELECT singletable.execute('Query', '{"TableName": "index_online_test.app", "IndexName": "ByCity",
	"KeyConditionExpression": "city = :c", "ExpressionAttributeValues": {":c": {"S": "CITY#1"}}}');
ROLLBACK TO s;
-- describe_table says CREATING and Backfilling; the worker runs already,
-- waiting for this transaction to commit.
SELECT g -> 'IndexStatus' AS status, g -> 'Backfilling' AS backfilling, g ? 'BackfillProgress' AS progress
  FROM gsi('app', 'ByCity') g;
SELECT index_name, index_relid, pid IS NOT NULL AS worker, phase, items_total, items_done
  FROM singletable.index_progress WHERE relid = 'app'::regclass;
COMMIT;
SELECT wait_active('app', 'ByCity');

-- ACTIVE: Backfilling false (DynamoDB shows it for an index added to a live
-- table), and what the build did: every item examined, 5 left out.
SELECT g -> 'IndexStatus' AS status, g -> 'Backfilling' AS backfilling, g ? 'BackfillProgress' AS progress
  FROM gsi('app', 'ByCity') g;
SELECT items_total, items_done, index_key_violations, finished_at IS NOT NULL AS finished
  FROM singletable.index_builds WHERE index_relid = '"app__ByCity"'::regclass;
SELECT count(*) AS building FROM singletable.index_progress WHERE relid = 'app'::regclass;

-- The same index built offline has exactly the same entries.
SELECT singletable.create_index('app', 'ByCityOffline', 'city', 'name');
SELECT (SELECT count(*) FROM (TABLE "app__ByCity" EXCEPT ALL TABLE "app__ByCityOffline") o) AS online_only,
       (SELECT count(*) FROM (TABLE "app__ByCityOffline" EXCEPT ALL TABLE "app__ByCity") o) AS offline_only,
       (SELECT count(*) FROM "app__ByCity") AS entries;
SELECT singletable.query('app', 'city = :c', "values" => '{":c": "CITY#1"}', index => 'ByCity',
	projection => 'PK') -> 'Items' AS items;

-- execute('UpdateTable') answers at once with the index CREATING, as
-- DynamoDB's UpdateTable does; the worker makes it ACTIVE.
SELECT singletable.execute('UpdateTable', '{"TableName": "index_online_test.app",
	"AttributeDefinitions": [{"AttributeName": "age", "AttributeType": "N"}],
	"GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "ByAge",
		"KeySchema": [{"AttributeName": "age", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}}]}')
	-> 'TableDescription' -> 'GlobalSecondaryIndexes' -> 0 AS "ByAge";
SELECT wait_active('app', 'ByAge');
SELECT g -> 'IndexName' AS name, g -> 'IndexStatus' AS status, g -> 'Backfilling' AS backfilling
  FROM jsonb_array_elements(singletable.execute('DescribeTable', '{"TableName": "index_online_test.app"}')
                            -> 'Table' -> 'GlobalSecondaryIndexes') g
 ORDER BY 1;
SELECT singletable.execute('Query', '{"TableName": "index_online_test.app", "IndexName": "ByAge",
	"KeyConditionExpression": "age = :a", "ExpressionAttributeValues": {":a": {"N": "27"}}}') -> 'Items' AS items;

-- A build whose worker stopped (here: terminated while it waits for the
-- creating transaction) leaves the index CREATING; resume_index_builds()
-- starts a worker again.
BEGIN;
SELECT singletable.create_index('app', 'ByName', 'name', online => true);
SELECT pg_terminate_backend(pid) AS terminated
  FROM (SELECT pid FROM singletable.index_progress
         WHERE relid = 'app'::regclass AND index_name = 'ByName' OFFSET 0) p;
SELECT wait_stopped('app', 'ByName');
COMMIT;
SELECT index_name, pid, phase FROM singletable.index_progress WHERE relid = 'app'::regclass;
SELECT gsi('app', 'ByName') -> 'IndexStatus' AS status;
SELECT singletable.resume_index_builds() AS started;
SELECT wait_active('app', 'ByName');
SELECT count(*) AS entries FROM "app__ByName";
SELECT singletable.resume_index_builds() AS started;

-- A CREATING index can be dropped (as DynamoDB lets a backfilling index be
-- deleted); its worker finds it gone and stops.
SELECT singletable.create_index('app', 'ByCity2', 'city', online => true);
SELECT singletable.drop_index('app', 'ByCity2');
SELECT wait_no_worker();
SELECT count(*) AS builds FROM singletable.index_builds b
  JOIN singletable.indexes i USING (index_relid) WHERE i.index_name = 'ByCity2';

-- Batches resume after the last item of the one before whatever the key:
-- a hash-only table, number and binary keys.
SET singletable.index_build_batch_size = 3;
SELECT singletable.create_table('sessions', partition_key => 'token', sort_key => NULL);
INSERT INTO sessions (item) SELECT jsonb_build_object('token', 't' || i, 'user', 'u' || i % 4) FROM generate_series(1, 10) i;
SELECT singletable.create_table('readings', partition_key => 'sensor', partition_key_type => 'N',
	sort_key => 'raw', sort_key_type => 'B');
INSERT INTO readings (item)
SELECT jsonb_build_object('sensor', i % 3, 'raw', jsonb_build_object('$B', encode(int4send(i), 'base64')), 'site', 's' || i % 2)
  FROM generate_series(1, 10) i;
SELECT singletable.create_index('sessions', 'ByUser', 'user', online => true);
SELECT singletable.create_index('readings', 'BySite', 'site', online => true);
SELECT wait_active('sessions', 'ByUser'), wait_active('readings', 'BySite');
SELECT singletable.create_index('sessions', 'ByUserOffline', 'user');
SELECT singletable.create_index('readings', 'BySiteOffline', 'site');
SELECT (SELECT count(*) FROM (TABLE "sessions__ByUser" EXCEPT ALL TABLE "sessions__ByUserOffline") o) AS online_only,
       (SELECT count(*) FROM (TABLE "sessions__ByUserOffline" EXCEPT ALL TABLE "sessions__ByUser") o) AS offline_only,
       (SELECT count(*) FROM "sessions__ByUser") AS entries,
       (SELECT items_done FROM singletable.index_builds WHERE index_relid = '"sessions__ByUser"'::regclass) AS examined;
SELECT (SELECT count(*) FROM (TABLE "readings__BySite" EXCEPT ALL TABLE "readings__BySiteOffline") o) AS online_only,
       (SELECT count(*) FROM (TABLE "readings__BySiteOffline" EXCEPT ALL TABLE "readings__BySite") o) AS offline_only,
       (SELECT count(*) FROM "readings__BySite") AS entries,
       (SELECT items_done FROM singletable.index_builds WHERE index_relid = '"readings__BySite"'::regclass) AS examined;
RESET singletable.index_build_batch_size;

-- Online or not, create_index checks the same things first.
SELECT singletable.create_index('app', 'ByCity', 'city', online => true);
SELECT singletable.create_index('app', 'x', 'city', online => true);
SELECT singletable.create_index('app', 'ByAge2', 'age', partition_key_type => 'S', online => true);
SELECT count(*) AS creating FROM singletable.indexes WHERE status = 'CREATING';

DROP SCHEMA index_online_test CASCADE;
