-- Part 90: time to live (ttl.c; the background workers are ttl_worker.c).
-- A table's TTL attribute is singletable.tables.ttl_attribute.
CREATE FUNCTION singletable.update_time_to_live(tbl regclass, attribute text, enabled boolean DEFAULT true)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_update_time_to_live'
	LANGUAGE C VOLATILE;

CREATE FUNCTION singletable.describe_time_to_live(tbl regclass) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_describe_time_to_live'
	LANGUAGE C STABLE STRICT;

-- DynamoDB's rule for one item: the attribute is a Number of epoch seconds
-- before "at" and not more than five years before it.
CREATE FUNCTION singletable.is_expired(item jsonb, attribute text, at timestamptz DEFAULT pg_catalog.now())
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'st_sql_is_expired'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- One expiry pass in the caller's transaction; max_items NULL: no limit.
CREATE FUNCTION singletable.expire_items(tbl regclass, max_items integer DEFAULT NULL) RETURNS bigint
	AS 'MODULE_PATHNAME', 'st_sql_expire_items'
	LANGUAGE C VOLATILE;
