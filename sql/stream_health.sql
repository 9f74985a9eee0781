-- singletable.streams: every slot of the singletable plugin, active or not,
-- with its confirmed position, its lag and the WAL it retains in bytes, and
-- the commit time of the last transaction its consumer has confirmed (read
-- from the commit record in the WAL).
SET client_min_messages = warning;
CREATE SCHEMA stream_health_test;
SET search_path = stream_health_test, public;
SELECT 'init' FROM pg_create_logical_replication_slot('st_health', 'singletable');
-- a slot of another plugin is not listed
SELECT 'init' FROM pg_create_logical_replication_slot('st_health_other', 'test_decoding');
SELECT singletable.create_table('health');
SELECT singletable.put_item('health', '{"PK": "a", "SK": "1"}');
SELECT singletable.put_item('health', '{"PK": "a", "SK": "2"}');

-- Nothing is confirmed yet: the lag covers both writes; no commit of ours.
SELECT slot_name, database = current_database() AS this_database, active, active_pid, consumer,
       lag_bytes > 0 AS behind, retained_wal_bytes >= lag_bytes AS retains, wal_status,
       last_reply_time
  FROM singletable.streams WHERE slot_name LIKE 'st_health%';

-- The consumer confirms the first write: the position of its last record
-- is the end of its commit record, whose commit time the view reads back.
SELECT lsn AS first_lsn, data::jsonb ->> 'commitTime' AS first_commit
  FROM pg_logical_slot_peek_changes('st_health', NULL, 1) \gset
SELECT 'advanced' FROM pg_replication_slot_advance('st_health', :'first_lsn');
SELECT confirmed_flush_lsn = :'first_lsn' AS at_first, lag_bytes > 0 AS behind,
       confirmed_commit_time = :'first_commit'::timestamptz AS first_commit_time
  FROM singletable.streams WHERE slot_name = 'st_health';

-- After the second write is consumed, the time is the second commit's.
SELECT max(lsn) AS second_lsn, max(data::jsonb ->> 'commitTime') AS second_commit
  FROM pg_logical_slot_peek_changes('st_health', NULL, NULL) \gset
SELECT 'advanced' FROM pg_replication_slot_advance('st_health', :'second_lsn');
SELECT confirmed_commit_time = :'second_commit'::timestamptz AS second_commit_time,
       confirmed_commit_time > :'first_commit'::timestamptz AS later
  FROM singletable.streams WHERE slot_name = 'st_health';

-- The commit time is for roles that may read replication statistics
-- (superuser, REPLICATION, pg_read_all_stats); others see NULL.
CREATE ROLE st_health_nobody;
CREATE ROLE st_health_monitor IN ROLE pg_read_all_stats;
SET ROLE st_health_nobody;
SELECT slot_name, confirmed_commit_time FROM singletable.streams WHERE slot_name = 'st_health';
SET ROLE st_health_monitor;
SELECT slot_name, confirmed_commit_time IS NOT NULL AS commit_time FROM singletable.streams
 WHERE slot_name = 'st_health';
RESET ROLE;

-- wal_commit_time() itself: NULL when the range holds no commit.
SELECT singletable.wal_commit_time('0/1', '0/0') AS nothing_before;
SELECT singletable.wal_commit_time(:'first_lsn', :'first_lsn') AS empty_range;

SELECT pg_drop_replication_slot('st_health');
SELECT pg_drop_replication_slot('st_health_other');
SELECT count(*) AS slots FROM singletable.streams WHERE slot_name LIKE 'st_health%';
DROP ROLE st_health_nobody, st_health_monitor;
DROP SCHEMA stream_health_test CASCADE;
