-- singletable install script, part 00: the catalog.
-- (src/sql/*.sql are concatenated in name order into singletable--0.1.sql.)

\echo Use "CREATE EXTENSION singletable" to load this file. \quit

-- Everyone may call the extension's functions; each function runs with the
-- caller's rights, so table privileges and row-level security still decide.
GRANT USAGE ON SCHEMA singletable TO PUBLIC;

-- One row per singletable table.  user_catalog_table lets the change-stream
-- output plugin read it under logical decoding's historic snapshots.
CREATE TABLE singletable.tables (
	relid regclass PRIMARY KEY,
	partition_key text NOT NULL,
	partition_key_type "char" NOT NULL CHECK (partition_key_type IN ('S', 'N', 'B')),
	sort_key text,
	sort_key_type "char" CHECK (sort_key_type IN ('S', 'N', 'B')),
	stream_view text NOT NULL DEFAULT 'NEW_AND_OLD_IMAGES'
		CHECK (stream_view IN ('KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES')),
	created_at timestamptz NOT NULL DEFAULT now(),
	CHECK ((sort_key IS NULL) = (sort_key_type IS NULL))
) WITH (user_catalog_table = true);

-- One row per global secondary index; each index is a table of its own.
CREATE TABLE singletable.indexes (
	relid regclass NOT NULL REFERENCES singletable.tables ON DELETE CASCADE,
	index_name text NOT NULL,
	index_relid regclass NOT NULL UNIQUE,
	partition_key text NOT NULL,
	partition_key_type "char" NOT NULL CHECK (partition_key_type IN ('S', 'N', 'B')),
	sort_key text,
	sort_key_type "char" CHECK (sort_key_type IN ('S', 'N', 'B')),
	projection text NOT NULL DEFAULT 'ALL' CHECK (projection IN ('ALL', 'KEYS_ONLY', 'INCLUDE')),
	include text[],
	PRIMARY KEY (relid, index_name),
	CHECK ((sort_key IS NULL) = (sort_key_type IS NULL)),
	CHECK ((projection = 'INCLUDE') = (include IS NOT NULL))
) WITH (user_catalog_table = true);

-- pg_dump dumps the catalog rows with the tables, so a restored database
-- still knows its singletable tables.
SELECT pg_catalog.pg_extension_config_dump('singletable.tables', '');
SELECT pg_catalog.pg_extension_config_dump('singletable.indexes', '');

-- Anyone may read the catalog; a row may be written only by the owner of the
-- table it describes, so one tenant cannot re-key another's table.  An index
-- row must also name an index table its writer owns: the index functions
-- read and write the index table without privilege checks of their own
-- (reading an index is reading its base table), so a row pointing at
-- someone else's table would expose it.  The C code checks both again.
-- A temporary table cannot be registered: it vanishes at the end of its
-- session without the sql_drop event that removes its row.
GRANT SELECT ON singletable.tables, singletable.indexes TO PUBLIC;
GRANT INSERT, UPDATE, DELETE ON singletable.tables, singletable.indexes TO PUBLIC;
ALTER TABLE singletable.tables ENABLE ROW LEVEL SECURITY;
ALTER TABLE singletable.indexes ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON singletable.tables FOR SELECT USING (true);
CREATE POLICY read_all ON singletable.indexes FOR SELECT USING (true);
CREATE POLICY owner_writes ON singletable.tables FOR ALL
	USING (pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = relid), 'USAGE'))
	WITH CHECK (pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = relid), 'USAGE')
	            AND (SELECT c.relpersistence FROM pg_catalog.pg_class c WHERE c.oid = relid) <> 't');
CREATE POLICY owner_writes ON singletable.indexes FOR ALL
	USING (pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = relid), 'USAGE'))
	WITH CHECK (pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = relid), 'USAGE')
	            AND pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = index_relid), 'USAGE'));
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
-- Part 10: item validation and key derivation, used by every table's
-- CHECK constraint and generated key columns.  IMMUTABLE because the key
-- of an item depends on the item alone; item_check also reads the setting
-- singletable.max_item_size, which only narrows what new writes accept.
CREATE FUNCTION singletable.item_check(item jsonb) RETURNS boolean
	AS 'MODULE_PATHNAME', 'st_sql_item_check'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION singletable.key_s(item jsonb, attr text, is_partition boolean) RETURNS text
	AS 'MODULE_PATHNAME', 'st_sql_key_s'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION singletable.key_n(item jsonb, attr text, is_partition boolean) RETURNS numeric
	AS 'MODULE_PATHNAME', 'st_sql_key_n'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION singletable.key_b(item jsonb, attr text, is_partition boolean) RETURNS bytea
	AS 'MODULE_PATHNAME', 'st_sql_key_b'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Part 15: DynamoDB typed JSON ({"S": ..}, {"N": ..}, {"M": ..} ...) to and
-- from plain JSON items, for whole items (attribute maps) and single values.
CREATE FUNCTION singletable.to_dynamodb_json(item jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_to_dynamodb_json'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION singletable.from_dynamodb_json(item jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_from_dynamodb_json'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION singletable.to_dynamodb_value(v jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_to_dynamodb_value'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION singletable.from_dynamodb_value(v jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_from_dynamodb_value'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- The text of to_dynamodb_json(item), printed straight from the item (what
-- the change stream uses for typed images).
CREATE FUNCTION singletable.to_dynamodb_json_text(item jsonb) RETURNS text
	AS 'MODULE_PATHNAME', 'st_sql_to_dynamodb_json_text'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- singletable install script, part 20: the expression language helpers.
-- The same parser and evaluator the item and query functions use, callable
-- from plain SQL (src/expr_eval.c, src/expr_update.c).

-- Does the item satisfy a condition expression?  A NULL item is "no such
-- item": attribute_not_exists(...) is true, comparisons are false.
CREATE FUNCTION singletable.matches(item jsonb, condition text,
	names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL)
RETURNS boolean
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'st_sql_matches';

COMMENT ON FUNCTION singletable.matches(jsonb, text, jsonb, jsonb) IS
	'evaluate a DynamoDB condition expression against an item';

-- The item after an update expression (SET, REMOVE, ADD, DELETE).  A NULL
-- item is updated as the empty item.
CREATE FUNCTION singletable.apply_update(item jsonb, update text,
	names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL)
RETURNS jsonb
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'st_sql_apply_update';

COMMENT ON FUNCTION singletable.apply_update(jsonb, text, jsonb, jsonb) IS
	'apply a DynamoDB update expression to an item';

-- The parts of an item a projection expression selects.
CREATE FUNCTION singletable.project(item jsonb, projection text,
	names jsonb DEFAULT NULL)
RETURNS jsonb
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'st_sql_project';

COMMENT ON FUNCTION singletable.project(jsonb, text, jsonb) IS
	'apply a DynamoDB projection expression to an item';

-- How a query reads a key condition expression: the partition key equality
-- and the optional sort key condition, placeholders substituted.
CREATE FUNCTION singletable.key_condition(condition text,
	names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL)
RETURNS jsonb
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'st_sql_key_condition';

COMMENT ON FUNCTION singletable.key_condition(text, jsonb, jsonb) IS
	'parse a DynamoDB key condition expression';
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
-- Part 40: queries and scans (src/query.c).  STABLE: they read with the
-- statement's snapshot.  PARALLEL RESTRICTED: they read tables directly.
CREATE FUNCTION singletable.query(
	tbl regclass, key_condition text,
	names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL,
	index text DEFAULT NULL, filter text DEFAULT NULL, projection text DEFAULT NULL,
	"limit" integer DEFAULT NULL, forward boolean DEFAULT true, start_key jsonb DEFAULT NULL)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_query'
	LANGUAGE C STABLE PARALLEL RESTRICTED;

CREATE FUNCTION singletable.query_items(
	tbl regclass, key_condition text,
	names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL,
	index text DEFAULT NULL, filter text DEFAULT NULL, projection text DEFAULT NULL,
	"limit" integer DEFAULT NULL, forward boolean DEFAULT true, start_key jsonb DEFAULT NULL)
	RETURNS SETOF jsonb
	AS 'MODULE_PATHNAME', 'st_sql_query_items'
	LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 100;

CREATE FUNCTION singletable.scan(
	tbl regclass, filter text DEFAULT NULL,
	names jsonb DEFAULT NULL, "values" jsonb DEFAULT NULL, projection text DEFAULT NULL,
	"limit" integer DEFAULT NULL, start_key jsonb DEFAULT NULL,
	segment integer DEFAULT NULL, total_segments integer DEFAULT NULL,
	index text DEFAULT NULL)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_scan'
	LANGUAGE C STABLE PARALLEL RESTRICTED;
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
-- Part 60: the change stream.  The output plugin itself needs no SQL (the
-- shared library exports _PG_output_plugin_init); this part holds the
-- projection helper apply_changes and its checkpoints.

-- The last record each projection has applied, per slot.  It is written in
-- the same transaction as the projection's own writes, which is what makes
-- apply_changes exactly-once.  Deliberately not marked for pg_dump
-- (pg_extension_config_dump): a checkpoint is a position in this cluster's
-- WAL, meaningful only with the slot of the same cluster, and pg_dump does
-- not dump slots either; a restored checkpoint would make a new slot's
-- records look applied already.
CREATE TABLE singletable.stream_checkpoints (
	slot_name name PRIMARY KEY,
	sequence_number text NOT NULL,	-- last applied SequenceNumber ('' = none)
	lsn pg_lsn NOT NULL,			-- the slot may be advanced up to here
	applied_at timestamptz NOT NULL DEFAULT now()
);

-- Slots are for roles with the REPLICATION attribute (or superusers), so
-- only they keep checkpoints.
GRANT SELECT, INSERT, UPDATE, DELETE ON singletable.stream_checkpoints TO PUBLIC;
ALTER TABLE singletable.stream_checkpoints ENABLE ROW LEVEL SECURITY;
CREATE POLICY replication_roles ON singletable.stream_checkpoints FOR ALL
	USING (EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
	               WHERE r.rolname = current_user AND (r.rolreplication OR r.rolsuper)));

-- apply_changes(slot, handler, max_changes, options): reads the records
-- pending in a slot of the singletable plugin, calls handler(record jsonb)
-- for each one not applied yet, records the last one in
-- stream_checkpoints, all in the caller's transaction, and returns how many
-- it applied.  max_changes NULL means all pending records; options are the
-- plugin's options as name, value pairs (e.g. '{tables,app}').
CREATE FUNCTION singletable.apply_changes(
	slot name,
	handler regprocedure,
	max_changes integer DEFAULT 1000,
	options text[] DEFAULT '{}')
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'st_sql_apply_changes'
	LANGUAGE C VOLATILE;
-- Part 70: the event store (eventstore.c).  Streams live in ordinary
-- singletable tables with string keys: PK = stream, SK = VERSION |
-- EVENT#<version, 10 digits> | SNAPSHOT#<version, 10 digits>.

-- Tables whose appends also write the events-by-type index attributes
-- (partition_key = 'EVENT#' || eventType, sort_key = timestamp).  Written by
-- singletable.events_by_type(); a row exists only while it is enabled.
CREATE TABLE singletable.event_type_indexes (
	relid regclass PRIMARY KEY REFERENCES singletable.tables ON DELETE CASCADE,
	partition_key text NOT NULL,
	sort_key text NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('singletable.event_type_indexes', '');
GRANT SELECT, INSERT, UPDATE, DELETE ON singletable.event_type_indexes TO PUBLIC;
ALTER TABLE singletable.event_type_indexes ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON singletable.event_type_indexes FOR SELECT USING (true);
CREATE POLICY owner_writes ON singletable.event_type_indexes FOR ALL
	USING (pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = relid), 'USAGE'));

-- Append events atomically; returns the stream's new version.
--   expected_version: NULL = any, 0 = the stream must not exist, N = at N.
--   stream_must_exist: the stream must exist (EventStoreDB's StreamExists).
CREATE FUNCTION singletable.append_events(
	tbl regclass, stream text, events jsonb,
	expected_version bigint DEFAULT NULL,
	stream_must_exist boolean DEFAULT false)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'st_sql_append_events'
	LANGUAGE C VOLATILE;

-- The events of a stream in version order.  from_version NULL: from the
-- first event (forward) or the last (backward).
CREATE FUNCTION singletable.read_stream(
	tbl regclass, stream text,
	from_version bigint DEFAULT NULL, "limit" bigint DEFAULT NULL,
	forward boolean DEFAULT true)
	RETURNS SETOF jsonb
	AS 'MODULE_PATHNAME', 'st_sql_read_stream'
	LANGUAGE C STABLE ROWS 100;

-- The stream's current version, 0 when it does not exist.
CREATE FUNCTION singletable.stream_version(tbl regclass, stream text)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'st_sql_stream_version'
	LANGUAGE C STABLE;

-- Store the aggregate's state as of a version of its stream.
CREATE FUNCTION singletable.save_snapshot(tbl regclass, stream text, version bigint, state jsonb)
	RETURNS void
	AS 'MODULE_PATHNAME', 'st_sql_save_snapshot'
	LANGUAGE C VOLATILE;

-- {"snapshot": latest snapshot item or null, "events": [events after it],
--  "version": N}, read in one snapshot of the database.
CREATE FUNCTION singletable.load_stream(tbl regclass, stream text)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_load_stream'
	LANGUAGE C STABLE;

-- Make appends to tbl write <partition_key> = 'EVENT#' || eventType and
-- <sort_key> = timestamp, for a GSI over them (enabled => false: stop).
CREATE FUNCTION singletable.events_by_type(
	tbl regclass, enabled boolean DEFAULT true,
	partition_key text DEFAULT 'GSI1PK', sort_key text DEFAULT 'GSI1SK')
	RETURNS void
	AS 'MODULE_PATHNAME', 'st_sql_events_by_type'
	LANGUAGE C VOLATILE;
-- Part 80: many-item operations in DynamoDB's request shape (batch.c,
-- transact.c) and execute(), DynamoDB's wire request/response (execute.c).
-- Table names inside requests resolve through search_path (see README).
CREATE FUNCTION singletable.batch_get(requests jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_batch_get'
	LANGUAGE C STABLE;

CREATE FUNCTION singletable.batch_write(requests jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_batch_write'
	LANGUAGE C VOLATILE;

CREATE FUNCTION singletable.transact_write(items jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_transact_write'
	LANGUAGE C VOLATILE;

CREATE FUNCTION singletable.transact_get(items jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_transact_get'
	LANGUAGE C STABLE;

-- The names of the singletable tables the caller can see, as execute()'s
-- ListTables reports them: bare when visible through search_path,
-- schema.table otherwise (either form resolves in a request's TableName).
-- Visibility depends on the caller's search_path, so it is not pinned here;
-- every name is schema-qualified instead.
CREATE FUNCTION singletable.list_tables() RETURNS SETOF text
	LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN pg_catalog.pg_table_is_visible(c.oid) THEN c.relname::pg_catalog.text
	            ELSE pg_catalog.concat(n.nspname, '.', c.relname) END
	  FROM singletable.tables t
	  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid
	  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE pg_catalog.has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE')
$$;

CREATE FUNCTION singletable.execute(operation text, request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_execute'
	LANGUAGE C VOLATILE;
