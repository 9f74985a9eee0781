-- singletable upgrade script from 0.1 to 0.2.
-- Each change to src/sql/*.sql since 0.1 that an existing installation needs
-- is repeated here; test/t/90_upgrade.pl checks that an upgraded database
-- has the same extension objects as a fresh 0.2 installation.

\echo Use "ALTER EXTENSION singletable UPDATE TO '0.2'" to load this file. \quit

-- query, query_items, scan: "limit" is bigint, so an over-large limit gets
-- the range error rather than "function does not exist".
DROP FUNCTION singletable.query(regclass, text, jsonb, jsonb, text, text, text, integer, boolean, jsonb);
DROP FUNCTION singletable.query_items(regclass, text, jsonb, jsonb, text, text, text, integer, boolean, jsonb);
DROP FUNCTION singletable.scan(regclass, text, jsonb, jsonb, text, integer, jsonb, integer, integer, text);
CREATE FUNCTION singletable.query(
	tbl regclass, key_condition text,
	names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL,
	index text DEFAULT NULL, filter text DEFAULT NULL, projection text DEFAULT NULL,
	"limit" bigint DEFAULT NULL, forward boolean DEFAULT true, start_key jsonb DEFAULT NULL)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_query'
	LANGUAGE C STABLE PARALLEL RESTRICTED;

CREATE FUNCTION singletable.query_items(
	tbl regclass, key_condition text,
	names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL,
	index text DEFAULT NULL, filter text DEFAULT NULL, projection text DEFAULT NULL,
	"limit" bigint DEFAULT NULL, forward boolean DEFAULT true, start_key jsonb DEFAULT NULL)
	RETURNS SETOF jsonb
	AS 'MODULE_PATHNAME', 'st_sql_query_items'
	LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 100;

CREATE FUNCTION singletable.scan(
	tbl regclass, filter text DEFAULT NULL,
	names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL, projection text DEFAULT NULL,
	"limit" bigint DEFAULT NULL, start_key jsonb DEFAULT NULL,
	segment integer DEFAULT NULL, total_segments integer DEFAULT NULL,
	index text DEFAULT NULL)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_scan'
	LANGUAGE C STABLE PARALLEL RESTRICTED;

-- ALTER TABLE of a table with indexes: its index tables follow a new owner,
-- schema, name or LOGGED/UNLOGGED (index_alter.c).
CREATE FUNCTION singletable.index_tables_follow() RETURNS event_trigger
	AS 'MODULE_PATHNAME', 'st_index_tables_follow'
	LANGUAGE C;
CREATE EVENT TRIGGER singletable_index_tables_follow ON ddl_command_end
	WHEN TAG IN ('ALTER TABLE')
	EXECUTE FUNCTION singletable.index_tables_follow();

-- execute() gains raise_errors (src/sql/80_batch.sql).
DROP FUNCTION singletable.execute(text, jsonb);
-- raise_errors => false returns DynamoDB's error body for DynamoDB-level
-- errors, the request's effects rolled back (README: execute).
CREATE FUNCTION singletable.execute(operation text, request jsonb,
                                    raise_errors boolean DEFAULT true) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_execute'
	LANGUAGE C VOLATILE;

-- Time to live (src/sql/00_catalog.sql, src/sql/90_ttl.sql).
ALTER TABLE singletable.tables
	ADD COLUMN ttl_attribute text CHECK (octet_length(ttl_attribute) BETWEEN 1 AND 255);

CREATE FUNCTION singletable.update_time_to_live(tbl regclass, attribute text, enabled boolean DEFAULT true)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_update_time_to_live'
	LANGUAGE C VOLATILE;

CREATE FUNCTION singletable.describe_time_to_live(tbl regclass) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_describe_time_to_live'
	LANGUAGE C STABLE STRICT;

CREATE FUNCTION singletable.is_expired(item jsonb, attribute text, at timestamptz DEFAULT pg_catalog.now())
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'st_sql_is_expired'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION singletable.expire_items(tbl regclass, max_items integer DEFAULT NULL) RETURNS bigint
	AS 'MODULE_PATHNAME', 'st_sql_expire_items'
	LANGUAGE C VOLATILE;

-- Indexes added online (index_online.c): an index's status, CREATING while
-- a background worker backfills it; create_index(..., online); the builds'
-- progress, resume_index_builds() and the index_progress view.
-- (Added without a default, then filled: a column added with one keeps a
-- "missing value" that a fresh installation does not have.)
ALTER TABLE singletable.indexes ADD COLUMN status text;
UPDATE singletable.indexes SET status = 'ACTIVE';
ALTER TABLE singletable.indexes ALTER COLUMN status SET DEFAULT 'ACTIVE',
	ALTER COLUMN status SET NOT NULL, ADD CHECK (status IN ('CREATING', 'ACTIVE'));
DROP FUNCTION singletable.create_index(regclass, text, text, text, text, text[], text, text);
CREATE FUNCTION singletable.create_index(
	tbl regclass,
	index_name text,
	partition_key text,
	sort_key text DEFAULT NULL,
	projection text DEFAULT 'ALL',
	include text[] DEFAULT NULL,
	partition_key_type text DEFAULT 'S',
	sort_key_type text DEFAULT 'S',
	online boolean DEFAULT false)
	RETURNS regclass
	AS 'MODULE_PATHNAME', 'st_sql_create_index'
	LANGUAGE C VOLATILE;
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
CREATE FUNCTION singletable.resume_index_builds() RETURNS integer
	AS 'MODULE_PATHNAME', 'st_sql_resume_index_builds'
	LANGUAGE C VOLATILE;
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

-- The health of the change stream's slots (stream_health.c).
CREATE FUNCTION singletable.wal_commit_time(upto pg_lsn, since pg_lsn) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'st_sql_wal_commit_time'
	LANGUAGE C STABLE STRICT;
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

-- scale-out on Citus (95_citus.sql)

-- Distribute a singletable table by its partition key, and each of its
-- index tables by the index's partition key (colocated with the table when
-- the key types match), moving the rows already there into the shards.
-- Citus cannot distribute by a generated column, so the key columns become
-- plain columns that a CHECK constraint holds to the item.
CREATE FUNCTION singletable.distribute_table(tbl regclass, shard_count integer DEFAULT NULL,
                                             colocate_with text DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
DECLARE
	t record;
	ix record;
	col record;
	rel regclass;
	checks text[];
BEGIN
	IF tbl IS NULL THEN
		RAISE EXCEPTION 'table must not be null'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'ValidationException: TableName is required.';
	END IF;
	SELECT * INTO t FROM singletable.tables WHERE relid = tbl;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'relation "%" is not a singletable table', tbl
			USING ERRCODE = 'undefined_table', DETAIL = 'ResourceNotFoundException: Requested resource not found.',
			      HINT = 'Create tables with singletable.create_table().';
	END IF;
	IF NOT pg_has_role((SELECT c.relowner FROM pg_class c WHERE c.oid = tbl), 'USAGE') THEN
		RAISE EXCEPTION 'must be owner of table %', tbl USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'cannot distribute table "%" without Citus', tbl
			USING ERRCODE = 'feature_not_supported', DETAIL = 'The citus extension is not installed in this database.',
			      HINT = 'Install Citus, add it to shared_preload_libraries and run CREATE EXTENSION citus.';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = tbl
	           AND c.oid IN (SELECT p.logicalrelid FROM pg_dist_partition p)) THEN
		RAISE EXCEPTION 'table "%" is already distributed', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF t.ttl_attribute IS NOT NULL THEN
		RAISE EXCEPTION 'cannot distribute table "%" with time to live enabled', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'ValidationException: Time to live does not expire the items of a distributed table.',
			      HINT = 'Disable it first with singletable.update_time_to_live(tbl, attribute, false).';
	END IF;
	IF EXISTS (SELECT 1 FROM singletable.indexes i WHERE i.relid = tbl AND i.status <> 'ACTIVE') THEN
		RAISE EXCEPTION 'cannot distribute table "%" while an index of it is being built', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Wait for the index to become ACTIVE (singletable.describe_table()).';
	END IF;

	-- Plain key columns, held to the item by a CHECK constraint.
	FOR rel IN SELECT tbl UNION ALL SELECT i.index_relid FROM singletable.indexes i WHERE i.relid = tbl LOOP
		checks := '{}';
		FOR col IN SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) AS expr
		             FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		            WHERE a.attrelid = rel AND a.attgenerated = 's' AND NOT a.attisdropped
		            ORDER BY a.attnum LOOP
			EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP EXPRESSION', rel, col.attname);
			checks := checks || format('%I IS NOT DISTINCT FROM %s', col.attname, col.expr);
		END LOOP;
		IF cardinality(checks) > 0 THEN
			EXECUTE format('ALTER TABLE %s ADD CONSTRAINT singletable_keys CHECK (%s)',
			               rel, array_to_string(checks, ' AND '));
		END IF;
	END LOOP;

	-- The extension's write functions keep the indexes of a distributed
	-- table themselves (citus.c): Citus refuses triggers on one.
	EXECUTE format('DROP TRIGGER IF EXISTS singletable_index_maintenance ON %s', tbl);
	EXECUTE format('DROP TRIGGER IF EXISTS singletable_index_truncate ON %s', tbl);

	PERFORM create_distributed_table(tbl, 'pk', colocate_with => coalesce(colocate_with, 'default'),
	                                 shard_count => shard_count);
	PERFORM truncate_local_data_after_distributing_table(tbl);
	FOR ix IN SELECT i.index_relid, i.partition_key_type FROM singletable.indexes i
	           WHERE i.relid = tbl ORDER BY i.index_name LOOP
		IF ix.partition_key_type = t.partition_key_type THEN
			PERFORM create_distributed_table(ix.index_relid, 'gsi_pk', colocate_with => tbl::text);
		ELSE
			PERFORM create_distributed_table(ix.index_relid, 'gsi_pk', shard_count => shard_count);
		END IF;
		PERFORM truncate_local_data_after_distributing_table(ix.index_relid);
	END LOOP;
	-- Citus' catalog change invalidates the table's relcache entry, and
	-- with it every session's cached facts of the table (catalog.c).
END
$$;

-- Copy the catalog rows of the distributed singletable tables to every
-- worker, where the change stream of their shards needs them.  Citus
-- creates a distributed table's shell on the workers in the distributing
-- transaction, which other connections cannot see until it commits: call
-- this after distribute_table has committed.  Returns the number of tables.
CREATE FUNCTION singletable.sync_workers() RETURNS integer
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t record;
	ix record;
	cmd text;
	n integer := 0;
	failure text;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'cannot copy the catalog to workers without Citus'
			USING ERRCODE = 'feature_not_supported', DETAIL = 'The citus extension is not installed in this database.';
	END IF;
	FOR t IN SELECT s.* FROM singletable.tables s
	          WHERE s.relid IN (SELECT p.logicalrelid FROM pg_dist_partition p) ORDER BY s.relid::text LOOP
		-- (a user catalog table takes no ON CONFLICT: replace the rows)
		cmd := format('DELETE FROM singletable.tables WHERE relid = %L::regclass; '
		              'INSERT INTO singletable.tables (relid, partition_key, partition_key_type, sort_key, '
		              'sort_key_type, stream_view, ttl_attribute) VALUES (%L::regclass, %L, %L, %L, %L, %L, %L)',
		              t.relid::text, t.relid::text, t.partition_key, t.partition_key_type, t.sort_key,
		              t.sort_key_type, t.stream_view, t.ttl_attribute);
		FOR ix IN SELECT i.* FROM singletable.indexes i WHERE i.relid = t.relid ORDER BY i.index_name LOOP
			cmd := cmd || format('; INSERT INTO singletable.indexes (relid, index_name, index_relid, partition_key, '
			                     'partition_key_type, sort_key, sort_key_type, projection, include) '
			                     'VALUES (%L::regclass, %L, %L::regclass, %L, %L, %L, %L, %L, %L)',
			                     t.relid::text, ix.index_name, ix.index_relid::text, ix.partition_key,
			                     ix.partition_key_type, ix.sort_key, ix.sort_key_type, ix.projection, ix.include);
		END LOOP;
		SELECT string_agg(r.result, '; ') INTO failure FROM run_command_on_workers(cmd) r WHERE NOT r.success;
		IF failure IS NOT NULL THEN
			RAISE EXCEPTION 'could not copy the catalog row of table "%" to the workers', t.relid
				USING ERRCODE = 'connection_failure', DETAIL = failure;
		END IF;
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;

-- Refill the index tables of a distributed table from its items, after
-- plain SQL DML on it (which does not maintain them).  Returns the number
-- of items read.
CREATE FUNCTION singletable.rebuild_indexes(tbl regclass) RETURNS bigint
	AS 'MODULE_PATHNAME', 'st_sql_rebuild_indexes'
	LANGUAGE C VOLATILE STRICT;
