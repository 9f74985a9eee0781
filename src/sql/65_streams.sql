-- Part 65: the health of the change stream's slots (stream_health.c).

-- The commit time of the last transaction whose commit record ends at or
-- before upto, read from the WAL between since and upto (NULL when none is
-- found there, when the WAL is gone, or for a role that may not read
-- replication statistics).
CREATE FUNCTION singletable.wal_commit_time(upto pg_lsn, since pg_lsn) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'st_sql_wal_commit_time'
	LANGUAGE C STABLE STRICT;

-- One row per slot of the singletable plugin, active or not, in any
-- database: its confirmed position, how far behind the WAL it is, how much
-- WAL it keeps from being removed, and when its consumer last confirmed.
CREATE VIEW singletable.streams AS
SELECT s.slot_name, s.database, s.active, s.active_pid,
       r.application_name AS consumer,
       s.confirmed_flush_lsn,
       pg_catalog.pg_wal_lsn_diff(w.lsn, s.confirmed_flush_lsn) AS lag_bytes,
       pg_catalog.pg_wal_lsn_diff(w.lsn, s.restart_lsn) AS retained_wal_bytes,
       s.wal_status, s.safe_wal_size,
       r.reply_time AS last_reply_time,
       singletable.wal_commit_time(s.confirmed_flush_lsn, s.restart_lsn) AS confirmed_commit_time
  FROM pg_catalog.pg_replication_slots s
  LEFT JOIN pg_catalog.pg_stat_replication r ON r.pid OPERATOR(pg_catalog.=) s.active_pid
 CROSS JOIN (SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()
                         ELSE pg_catalog.pg_current_wal_lsn() END AS lsn) w
 WHERE s.plugin OPERATOR(pg_catalog.=) 'singletable';
GRANT SELECT ON singletable.streams TO PUBLIC;
