-- The change stream: the singletable logical decoding output plugin.
-- Records are read with pg_logical_slot_peek_changes / _get_changes.  The
-- fields that change from run to run (LSNs, xids, times) are checked
-- separately at the end and masked in the listings.
SET client_min_messages = warning;

-- One record per row, without its run-dependent fields.
CREATE FUNCTION stream_peek(slot text, VARIADIC opts text[] DEFAULT '{}')
RETURNS SETOF jsonb LANGUAGE sql AS $$
	SELECT (data::jsonb - 'eventID' - 'transactionId' - 'commitLsn' - 'commitTime')
		#- '{dynamodb,ApproximateCreationDateTime}' #- '{dynamodb,SequenceNumber}'
	FROM pg_logical_slot_peek_changes(slot, NULL, NULL, VARIADIC opts)
$$;

SELECT singletable.create_table('app');
SELECT singletable.create_table('keysonly', sort_key => NULL, stream_view => 'KEYS_ONLY');
SELECT singletable.create_table('nums', partition_key => 'id', partition_key_type => 'N',
                                sort_key => 'at', sort_key_type => 'N');
CREATE TABLE not_singletable (id int PRIMARY KEY, note text);

SELECT 'init' FROM pg_create_logical_replication_slot('st_regress', 'singletable');

-- INSERT for a new key, MODIFY for put_item over an existing item,
-- nothing for a put that leaves the item as it was, REMOVE for a delete.
SELECT singletable.put_item('app', '{"PK": "u#1", "SK": "A", "x": 1}');
SELECT singletable.put_item('app', '{"PK": "u#1", "SK": "A", "x": 2, "tags": ["a", "b"]}');
SELECT singletable.put_item('app', '{"PK": "u#1", "SK": "A", "x": 2, "tags": ["a", "b"]}');
SELECT singletable.update_item('app', '{"PK": "u#1", "SK": "A"}', 'SET x = x + :one',
                               "values" => '{":one": 1}');
SELECT singletable.delete_item('app', '{"PK": "u#1", "SK": "A"}');
SELECT * FROM stream_peek('st_regress');

-- Plain DML on a singletable table gives the same records; an UPDATE that
-- changes the key is a REMOVE of the old item and an INSERT of the new one.
SELECT count(*) FROM pg_logical_slot_get_changes('st_regress', NULL, NULL);
INSERT INTO app (item) VALUES ('{"PK": "u#2", "SK": "B", "n": 1.50, "ok": true, "m": {"k": null}}');
UPDATE app SET item = item || '{"n": 2}' WHERE pk = 'u#2';
UPDATE app SET item = item || '{"SK": "C"}' WHERE pk = 'u#2';
DELETE FROM app WHERE pk = 'u#2';
SELECT * FROM stream_peek('st_regress');
SELECT count(*) FROM pg_logical_slot_get_changes('st_regress', NULL, NULL);

-- Rolled back work, rolled back savepoints and transactions that touch no
-- singletable table produce nothing.
BEGIN;
SELECT singletable.put_item('app', '{"PK": "gone", "SK": "1"}');
ROLLBACK;
BEGIN;
SELECT singletable.put_item('app', '{"PK": "kept", "SK": "1"}');
SAVEPOINT s1;
SELECT singletable.put_item('app', '{"PK": "gone", "SK": "2"}');
ROLLBACK TO SAVEPOINT s1;
INSERT INTO not_singletable VALUES (1, 'not streamed');
COMMIT;
INSERT INTO not_singletable VALUES (2, 'not streamed');
SELECT * FROM stream_peek('st_regress');
SELECT count(*) FROM pg_logical_slot_get_changes('st_regress', NULL, NULL);

-- A hash-only table with KEYS_ONLY as its view, and number keys.
SELECT singletable.put_item('keysonly', '{"PK": "k1", "v": "secret"}');
SELECT singletable.put_item('nums', '{"id": 7, "at": 1.5, "v": "x"}');
SELECT singletable.put_item('nums', '{"id": 7, "at": 1.5, "v": "y"}');
SELECT * FROM stream_peek('st_regress');

-- Every view type, overriding the table's own.
SELECT * FROM stream_peek('st_regress', 'view', 'KEYS_ONLY');
SELECT * FROM stream_peek('st_regress', 'view', 'NEW_IMAGE');
SELECT * FROM stream_peek('st_regress', 'view', 'OLD_IMAGE');
SELECT * FROM stream_peek('st_regress', 'view', 'new_and_old_images');

-- DynamoDB typed JSON.
SELECT * FROM stream_peek('st_regress', 'format', 'typed');

-- Only some tables; transaction markers around each transaction.
SELECT * FROM stream_peek('st_regress', 'tables', 'nums');
SELECT * FROM stream_peek('st_regress', 'tables', 'public.keysonly, nums', 'view', 'KEYS_ONLY');
SELECT * FROM stream_peek('st_regress', 'tables', 'keysonly', 'transaction_markers', 'on');

-- TRUNCATE has no DynamoDB event: one TRUNCATE record per table.
SELECT count(*) FROM pg_logical_slot_get_changes('st_regress', NULL, NULL);
TRUNCATE nums, not_singletable;
SELECT * FROM stream_peek('st_regress');
SELECT count(*) FROM pg_logical_slot_get_changes('st_regress', NULL, NULL);

-- The run-dependent fields: SequenceNumber is 30 digits (20 of commit LSN,
-- 10 of place in the transaction) and increases; eventID is unique;
-- commitLsn and the SequenceNumber agree; the times are the commit's.
BEGIN;
SELECT singletable.put_item('app', '{"PK": "s", "SK": "1"}');
SELECT singletable.put_item('app', '{"PK": "s", "SK": "2"}');
COMMIT;
SELECT singletable.put_item('app', '{"PK": "s", "SK": "3"}');
SELECT singletable.put_item('app', '{"PK": "s", "SK": "1", "more": true}');
WITH r AS (
	SELECT n, data::jsonb AS d, lsn
	FROM pg_logical_slot_peek_changes('st_regress', NULL, NULL) WITH ORDINALITY AS c(lsn, xid, data, n)
), s AS (
	SELECT n, d, lsn, d->'dynamodb'->>'SequenceNumber' AS seq,
	       lag(d->'dynamodb'->>'SequenceNumber') OVER (ORDER BY n) AS prev
	FROM r
)
SELECT count(*) AS records,
       bool_and(seq ~ '^[0-9]{30}$') AS seq_30_digits,
       bool_and(prev IS NULL OR seq > prev) AS seq_increases,
       count(DISTINCT d->>'eventID') = count(*) AS event_ids_unique,
       count(DISTINCT d->>'transactionId') AS transactions,
       bool_and(substr(seq, 1, 20)::numeric = (d->>'commitLsn')::pg_lsn - '0/0') AS seq_has_commit_lsn,
       bool_and(abs(extract(epoch FROM now()) - (d->'dynamodb'->>'ApproximateCreationDateTime')::numeric) < 600) AS creation_time_recent,
       bool_and((d->>'commitTime')::timestamptz <= clock_timestamp()) AS commit_time_ok
FROM s;
-- the last record of a transaction carries the end of its commit record,
-- so a client confirming it never receives that transaction again
WITH r AS (
	SELECT lsn, data::jsonb AS d FROM pg_logical_slot_peek_changes('st_regress', NULL, NULL)
)
SELECT d->'dynamodb'->'Keys'->>'SK' AS sk, lsn > (d->>'commitLsn')::pg_lsn AS after_commit
FROM r;
SELECT count(*) FROM pg_logical_slot_get_changes('st_regress', NULL, NULL);

-- Bad options are errors at start.
SELECT * FROM stream_peek('st_regress', 'bogus', 'on');
SELECT * FROM stream_peek('st_regress', 'view', 'ALL');
SELECT * FROM stream_peek('st_regress', 'format', 'xml');
SELECT * FROM stream_peek('st_regress', 'include_indexes', 'maybe');
SELECT * FROM stream_peek('st_regress', 'tables', 'not_singletable');
SELECT * FROM stream_peek('st_regress', 'tables', 'nosuch.app');
SELECT * FROM stream_peek('st_regress', 'tables', '');

SELECT pg_drop_replication_slot('st_regress');

-- A slot in a database without the extension: a clear error at start.
SELECT current_database() AS regress_db \gset
CREATE DATABASE singletable_stream_noext;
\c singletable_stream_noext
SET client_min_messages = warning;
SELECT 'init' FROM pg_create_logical_replication_slot('st_noext', 'singletable');
SELECT count(*) FROM pg_logical_slot_get_changes('st_noext', NULL, NULL);
SELECT pg_drop_replication_slot('st_noext');
\c :regress_db
DROP DATABASE singletable_stream_noext;

DROP FUNCTION stream_peek(text, text[]);
SELECT singletable.drop_table('app');
SELECT singletable.drop_table('keysonly');
SELECT singletable.drop_table('nums');
DROP TABLE not_singletable;
