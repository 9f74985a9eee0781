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
	online boolean DEFAULT false,
	local boolean DEFAULT false)
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
CREATE FUNCTION singletable.distribute_table(tbl regclass, shard_count integer DEFAULT NULL,
                                             colocate_with text DEFAULT NULL)
	RETURNS void
	AS 'MODULE_PATHNAME', 'st_sql_distribute_table'
	LANGUAGE C VOLATILE;

-- Copy the catalog rows of the distributed singletable tables to every
-- worker again, where the change stream of their shards needs them
-- (distribute_table and create_index already do it for their table): for a
-- worker added later.  Returns the number of tables.
CREATE FUNCTION singletable.sync_workers() RETURNS integer
	AS 'MODULE_PATHNAME', 'st_sql_sync_workers'
	LANGUAGE C VOLATILE;

-- Refill the index tables of a distributed table from its items, after
-- plain SQL DML on it (which does not maintain them).  Returns the number
-- of items read.
CREATE FUNCTION singletable.rebuild_indexes(tbl regclass) RETURNS bigint
	AS 'MODULE_PATHNAME', 'st_sql_rebuild_indexes'
	LANGUAGE C VOLATILE STRICT;

-- TransactWriteItems' ClientRequestToken (transact.c): each token a role
-- used in the last 10 minutes, with a hash of its TransactItems and the
-- answer given; expired rows are deleted by the role's next request with a
-- token.  Tokens are per role, as DynamoDB's are per caller: row-level
-- security lets a role see and write only its own rows, so no role can
-- read another's answers or plant an answer for another's token.
CREATE TABLE singletable.client_request_tokens (
	owner name NOT NULL DEFAULT current_user,
	token text NOT NULL,
	request_hash bytea NOT NULL,
	response jsonb NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (owner, token));
CREATE INDEX client_request_tokens_created_at ON singletable.client_request_tokens (owner, created_at);
ALTER TABLE singletable.client_request_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_tokens ON singletable.client_request_tokens
	USING (owner OPERATOR(pg_catalog.=) current_user)
	WITH CHECK (owner OPERATOR(pg_catalog.=) current_user);
GRANT SELECT, INSERT, UPDATE, DELETE ON singletable.client_request_tokens TO PUBLIC;

-- Binary keys keep their type: 0.1 held a B key (of a table or of one of
-- its indexes) as base64 text in the item, 0.2 holds {"$B": "<base64>"}.
-- Rewrite those attributes in place; the key columns keep their bytes, and
-- the index triggers read the old images' base64 text leniently.  Arrays
-- used as sets stay arrays (plain JSON cannot tell which were sets).
DO $$
DECLARE
	t record;
	a text;
	expr text;
	cond text;
BEGIN
	FOR t IN
		SELECT c.relid, pg_catalog.array_agg(DISTINCT k.attr) AS attrs
		  FROM singletable.tables c
		 CROSS JOIN LATERAL (
			SELECT c.partition_key WHERE c.partition_key_type OPERATOR(pg_catalog.=) 'B'
			UNION ALL
			SELECT c.sort_key WHERE c.sort_key_type OPERATOR(pg_catalog.=) 'B'
			UNION ALL
			SELECT i.partition_key FROM singletable.indexes i
			 WHERE i.relid OPERATOR(pg_catalog.=) c.relid AND i.partition_key_type OPERATOR(pg_catalog.=) 'B'
			UNION ALL
			SELECT i.sort_key FROM singletable.indexes i
			 WHERE i.relid OPERATOR(pg_catalog.=) c.relid AND i.sort_key_type OPERATOR(pg_catalog.=) 'B') k(attr)
		 GROUP BY c.relid
	LOOP
		expr := 'item';
		cond := 'false';
		FOREACH a IN ARRAY t.attrs LOOP
			expr := pg_catalog.format(
				'CASE WHEN pg_catalog.jsonb_typeof(item OPERATOR(pg_catalog.->) %1$L) OPERATOR(pg_catalog.=) ''string'' '
				'THEN (%2$s) OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(%1$L, '
				'pg_catalog.jsonb_build_object(''$B'', item OPERATOR(pg_catalog.->) %1$L)) ELSE %2$s END',
				a, expr);
			cond := pg_catalog.format(
				'%s OR pg_catalog.jsonb_typeof(item OPERATOR(pg_catalog.->) %L) OPERATOR(pg_catalog.=) ''string''',
				cond, a);
		END LOOP;
		EXECUTE pg_catalog.format('UPDATE %s SET item = %s WHERE %s', t.relid, expr, cond);
	END LOOP;
END
$$;

-- Local secondary indexes and StreamSpecification (execute_table.c): an
-- index row says whether the index is local; a table row whether its
-- creator asked for a stream, which descriptions show only then (tables
-- from 0.1 were all created with one).
ALTER TABLE singletable.indexes ADD COLUMN local boolean;
UPDATE singletable.indexes SET local = false;
ALTER TABLE singletable.indexes ALTER COLUMN local SET DEFAULT false,
	ALTER COLUMN local SET NOT NULL;
ALTER TABLE singletable.tables ADD COLUMN stream_specified boolean;
UPDATE singletable.tables SET stream_specified = true;
ALTER TABLE singletable.tables ALTER COLUMN stream_specified SET DEFAULT true,
	ALTER COLUMN stream_specified SET NOT NULL;

-- Table names as DynamoDB has them (src/sql/00_catalog.sql, 05_tables.sql,
-- 80_batch.sql): a table's DynamoDB name, up to 255 characters, is its
-- relation's name, or over 63 bytes kept here and mapped to a shorter
-- relation name.  Existing tables keep their relation's name (NULL here).
ALTER TABLE singletable.tables
	ADD COLUMN name text CHECK (octet_length(name) BETWEEN 1 AND 255);

-- The table a DynamoDB name (TableName) names, as the regclass argument of
-- the other functions: a name over 63 bytes is not its relation's name.
CREATE FUNCTION singletable.table_named(name text) RETURNS regclass
	AS 'MODULE_PATHNAME', 'st_sql_table_named'
	LANGUAGE C STABLE STRICT;

-- The names of the singletable tables the caller can see, as execute()'s
-- ListTables reports them: the DynamoDB name when visible through
-- search_path, schema.relation as SQL writes it otherwise (either form
-- resolves in a request's TableName).
-- Visibility depends on the caller's search_path, so it is not pinned here;
-- every name is schema-qualified instead.
CREATE OR REPLACE FUNCTION singletable.list_tables() RETURNS SETOF text
	LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN pg_catalog.pg_table_is_visible(c.oid) THEN COALESCE(t.name, c.relname::pg_catalog.text)
	            ELSE pg_catalog.concat(pg_catalog.quote_ident(n.nspname), '.', pg_catalog.quote_ident(c.relname)) END
	  FROM singletable.tables t
	  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE pg_catalog.has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE')
$$;

-- Provisioned throughput as DynamoDB describes it (src/sql/00_catalog.sql):
-- existing tables are on demand (NULL), as they were described.
ALTER TABLE singletable.tables
	ADD COLUMN throughput jsonb CHECK (pg_catalog.jsonb_typeof(throughput) = 'object');
