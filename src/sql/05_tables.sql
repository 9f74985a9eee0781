-- Part 05: creating, dropping and describing tables.
CREATE FUNCTION singletable.create_table(
	name text,
	partition_key text DEFAULT 'PK',
	sort_key text DEFAULT 'SK',
	partition_key_type text DEFAULT 'S',
	sort_key_type text DEFAULT 'S',
	stream_view text DEFAULT 'NEW_AND_OLD_IMAGES')
	RETURNS regclass
	AS 'MODULE_PATHNAME', 'st_sql_create_table'
	LANGUAGE C VOLATILE;

CREATE FUNCTION singletable.drop_table(tbl regclass) RETURNS void
	AS 'MODULE_PATHNAME', 'st_sql_drop_table'
	LANGUAGE C VOLATILE STRICT;

CREATE FUNCTION singletable.describe_table(tbl regclass) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_describe_table'
	LANGUAGE C STABLE STRICT;

-- The table a DynamoDB name (TableName) names, as the regclass argument of
-- the other functions: a name over 63 bytes is not its relation's name.
CREATE FUNCTION singletable.table_named(name text) RETURNS regclass
	AS 'MODULE_PATHNAME', 'st_sql_table_named'
	LANGUAGE C STABLE STRICT;

-- A plain DROP TABLE of a singletable table removes its catalog rows too.
-- SECURITY DEFINER (reviewed): the catalog's row-level security lets only a
-- table's owner delete its row, and after the drop nobody owns it any more.
-- The function takes no input but pg_event_trigger_dropped_objects() and
-- deletes only rows whose relation is gone; search_path is pinned.
CREATE FUNCTION singletable.forget_dropped_tables() RETURNS event_trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	DELETE FROM singletable.indexes i
	 WHERE i.index_relid::oid IN (SELECT objid FROM pg_event_trigger_dropped_objects()
	                              WHERE classid = 'pg_class'::regclass AND objsubid = 0);
	DELETE FROM singletable.tables t
	 WHERE t.relid::oid IN (SELECT objid FROM pg_event_trigger_dropped_objects()
	                        WHERE classid = 'pg_class'::regclass AND objsubid = 0);
END
$$;
REVOKE ALL ON FUNCTION singletable.forget_dropped_tables() FROM PUBLIC;
CREATE EVENT TRIGGER singletable_forget_dropped_tables ON sql_drop
	WHEN TAG IN ('DROP TABLE', 'DROP SCHEMA', 'DROP OWNED')
	EXECUTE FUNCTION singletable.forget_dropped_tables();
