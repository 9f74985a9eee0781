-- Part 40: queries and scans (src/query.c).  STABLE: they read with the
-- statement's snapshot.  PARALLEL RESTRICTED: they read tables directly.
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
