-- Part 50: single-item operations.
CREATE FUNCTION singletable.put_item(
	tbl regclass, item jsonb,
	condition text DEFAULT NULL, names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL,
	return_values text DEFAULT 'NONE')
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_put_item'
	LANGUAGE C VOLATILE;

CREATE FUNCTION singletable.get_item(
	tbl regclass, key jsonb,
	projection text DEFAULT NULL, names jsonb DEFAULT NULL)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_get_item'
	LANGUAGE C STABLE;

CREATE FUNCTION singletable.delete_item(
	tbl regclass, key jsonb,
	condition text DEFAULT NULL, names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL,
	return_values text DEFAULT 'NONE')
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_delete_item'
	LANGUAGE C VOLATILE;

CREATE FUNCTION singletable.update_item(
	tbl regclass, key jsonb,
	update text DEFAULT NULL, condition text DEFAULT NULL,
	names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL,
	return_values text DEFAULT 'NONE')
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_update_item'
	LANGUAGE C VOLATILE;
