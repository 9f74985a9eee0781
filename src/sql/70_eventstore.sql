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
