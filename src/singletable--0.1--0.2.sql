-- singletable upgrade script from 0.1 to 0.2.
-- Each change to src/sql/*.sql since 0.1 that an existing installation needs
-- is repeated here; test/t/90_upgrade.pl checks that an upgraded database
-- has the same extension objects as a fresh 0.2 installation.

\echo Use "ALTER EXTENSION singletable UPDATE TO '0.2'" to load this file. \quit

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
