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
	sort_key_type text DEFAULT 'S')
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
