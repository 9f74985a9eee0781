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
