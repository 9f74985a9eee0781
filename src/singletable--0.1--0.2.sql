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
