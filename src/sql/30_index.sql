-- Part 30: global secondary indexes.  Each index is a table of its own,
-- <table>__<index>, maintained by the two triggers below on its base table.
CREATE FUNCTION singletable.create_index(
	tbl regclass,
	index_name text,
	partition_key text,
	sort_key text DEFAULT NULL,
	projection text DEFAULT 'ALL',
	include text[] DEFAULT NULL,
	partition_key_type text DEFAULT 'S',
	sort_key_type text DEFAULT 'S',
	online boolean DEFAULT false,
	local boolean DEFAULT false)
	RETURNS regclass
	AS 'MODULE_PATHNAME', 'st_sql_create_index'
	LANGUAGE C VOLATILE;

CREATE FUNCTION singletable.drop_index(tbl regclass, index_name text) RETURNS void
	AS 'MODULE_PATHNAME', 'st_sql_drop_index'
	LANGUAGE C VOLATILE;

-- Trigger functions installed on a table by its first create_index.
CREATE FUNCTION singletable.index_maintain() RETURNS trigger
	AS 'MODULE_PATHNAME', 'st_index_maintain'
	LANGUAGE C;
CREATE FUNCTION singletable.index_truncate() RETURNS trigger
	AS 'MODULE_PATHNAME', 'st_index_truncate'
	LANGUAGE C;

-- On every change of singletable.indexes: invalidate the base table's cached
-- facts; for a new row (create_index, or pg_restore reloading the catalog)
-- link the index table to its base table in pg_depend (AUTO), so that DROP
-- TABLE of the base drops it.
CREATE FUNCTION singletable.index_catalog_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'st_index_catalog_changed'
	LANGUAGE C;
CREATE TRIGGER index_catalog_changed AFTER INSERT OR UPDATE OR DELETE ON singletable.indexes
	FOR EACH ROW EXECUTE FUNCTION singletable.index_catalog_changed();

-- ALTER TABLE of a table with indexes: its index tables follow a new owner,
-- schema, name or LOGGED/UNLOGGED (index_alter.c).  It runs with the
-- rights of whoever altered the table.
CREATE FUNCTION singletable.index_tables_follow() RETURNS event_trigger
	AS 'MODULE_PATHNAME', 'st_index_tables_follow'
	LANGUAGE C;
CREATE EVENT TRIGGER singletable_index_tables_follow ON ddl_command_end
	WHEN TAG IN ('ALTER TABLE')
	EXECUTE FUNCTION singletable.index_tables_follow();

-- Online builds (index_online.c).  create_index(..., online => true) and
-- execute('UpdateTable') record the index as CREATING and start a
-- background worker that backfills it in batches, each in a transaction of
-- its own, then makes it ACTIVE.  One row per online build: its progress,
-- kept after the index is ACTIVE (describe_table then shows "Backfilling":
-- false, as DynamoDB does for an index added to a live table).  Only the
-- build worker writes it.  Not dumped: a restored CREATING index starts its
-- build again with resume_index_builds().  resume_after is the key of the
-- last item examined, a value of the table: it is not for everyone to read.
CREATE TABLE singletable.index_builds (
	index_relid regclass PRIMARY KEY REFERENCES singletable.indexes (index_relid) ON DELETE CASCADE,
	items_total bigint NOT NULL,
	items_done bigint NOT NULL DEFAULT 0,
	index_key_violations bigint NOT NULL DEFAULT 0,
	resume_after jsonb,
	started_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz
);
GRANT SELECT (index_relid, items_total, items_done, index_key_violations, started_at, updated_at, finished_at)
	ON singletable.index_builds TO PUBLIC;

-- Start a build worker for each CREATING index of a table the caller owns
-- whose build is not running (after a restart, a crash of the worker, or a
-- restore).  Returns how many it started.
CREATE FUNCTION singletable.resume_index_builds() RETURNS integer
	AS 'MODULE_PATHNAME', 'st_sql_resume_index_builds'
	LANGUAGE C VOLATILE;

-- The progress of every CREATING index, as pg_stat_progress_create_index
-- shows a CREATE INDEX.  The build worker holds an advisory lock on
-- (pg_class, index table, 21332) while it runs, which gives its pid.
CREATE VIEW singletable.index_progress AS
SELECT i.relid, i.index_name, i.index_relid, l.pid,
       CASE WHEN l.pid IS NULL THEN 'stopped'
            WHEN b.index_relid IS NULL THEN 'starting'
            ELSE 'backfilling' END AS phase,
       b.items_total, b.items_done, b.index_key_violations, b.started_at, b.updated_at
  FROM singletable.indexes i
  LEFT JOIN singletable.index_builds b ON b.index_relid OPERATOR(pg_catalog.=) i.index_relid
  LEFT JOIN pg_catalog.pg_locks l
    ON l.locktype OPERATOR(pg_catalog.=) 'advisory' AND l.granted
   AND l.database OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d
                                          WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
   AND l.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
   AND l.objid OPERATOR(pg_catalog.=) i.index_relid
   AND l.objsubid OPERATOR(pg_catalog.=) 21332
 WHERE i.status OPERATOR(pg_catalog.=) 'CREATING';
GRANT SELECT ON singletable.index_progress TO PUBLIC;
