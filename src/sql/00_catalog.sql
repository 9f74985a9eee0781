-- singletable install script, part 00: the catalog.
-- (src/sql/*.sql are concatenated in name order into the current version's
-- install script, src/singletable--<default_version>.sql.  Every change here
-- that an existing installation needs too goes into that version's upgrade
-- script, src/singletable--<previous>--<default_version>.sql, as well.)

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
	CHECK ((sort_key IS NULL) = (sort_key_type IS NULL)),
	-- time to live (90_ttl.sql): the attribute holding each item's expiry
	-- time, NULL when TTL is disabled
	ttl_attribute text CHECK (octet_length(ttl_attribute) BETWEEN 1 AND 255),
	-- whether the table's creator asked for a stream (create_table's
	-- stream_view given, CreateTable's StreamSpecification enabled): only
	-- then do descriptions show StreamSpecification, as DynamoDB's do.
	-- The change stream itself exists either way.
	stream_specified boolean NOT NULL DEFAULT true,
	-- the DynamoDB name (TableName) when the relation is not named after
	-- it (over 63 bytes, mapped: catalog.c); NULL: the relation's name,
	-- which a RENAME changes as it always did
	name text CHECK (octet_length(name) BETWEEN 1 AND 255),
	-- the provisioned throughput CreateTable and UpdateTable set, as
	-- DescribeTable shows it (never enforced: execute_table.c); NULL: on
	-- demand (PAY_PER_REQUEST)
	throughput jsonb CHECK (pg_catalog.jsonb_typeof(throughput) = 'object')
) WITH (user_catalog_table = true);

-- One row per secondary index; each index is a table of its own.
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
	-- CREATING while an online build backfills the index (index_online.c)
	status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('CREATING', 'ACTIVE')),
	-- a local secondary index (CreateTable's LocalSecondaryIndexes,
	-- create_index(..., local => true)): the table's partition key
	local boolean NOT NULL DEFAULT false,
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
