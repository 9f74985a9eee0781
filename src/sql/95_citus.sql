-- Part 95: scale-out on Citus (citus.c).  Citus is optional: these
-- functions call its functions only when they run, and refuse to run
-- without the citus extension.

-- Distribute a singletable table by its partition key, and each of its
-- index tables by the index's partition key (colocated with the table when
-- the key types match), moving the rows already there into the shards.
-- Citus cannot distribute by a generated column, so the key columns become
-- plain columns that a CHECK constraint holds to the item.
CREATE FUNCTION singletable.distribute_table(tbl regclass, shard_count integer DEFAULT NULL,
                                             colocate_with text DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
DECLARE
	t record;
	ix record;
	col record;
	rel regclass;
	checks text[];
BEGIN
	IF tbl IS NULL THEN
		RAISE EXCEPTION 'table must not be null'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'ValidationException: TableName is required.';
	END IF;
	SELECT * INTO t FROM singletable.tables WHERE relid = tbl;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'relation "%" is not a singletable table', tbl
			USING ERRCODE = 'undefined_table', DETAIL = 'ResourceNotFoundException: Requested resource not found.',
			      HINT = 'Create tables with singletable.create_table().';
	END IF;
	IF NOT pg_has_role((SELECT c.relowner FROM pg_class c WHERE c.oid = tbl), 'USAGE') THEN
		RAISE EXCEPTION 'must be owner of table %', tbl USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'cannot distribute table "%" without Citus', tbl
			USING ERRCODE = 'feature_not_supported', DETAIL = 'The citus extension is not installed in this database.',
			      HINT = 'Install Citus, add it to shared_preload_libraries and run CREATE EXTENSION citus.';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = tbl
	           AND c.oid IN (SELECT p.logicalrelid FROM pg_dist_partition p)) THEN
		RAISE EXCEPTION 'table "%" is already distributed', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF t.ttl_attribute IS NOT NULL THEN
		RAISE EXCEPTION 'cannot distribute table "%" with time to live enabled', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      DETAIL = 'ValidationException: Time to live does not expire the items of a distributed table.',
			      HINT = 'Disable it first with singletable.update_time_to_live(tbl, attribute, false).';
	END IF;
	IF EXISTS (SELECT 1 FROM singletable.indexes i WHERE i.relid = tbl AND i.status <> 'ACTIVE') THEN
		RAISE EXCEPTION 'cannot distribute table "%" while an index of it is being built', tbl
			USING ERRCODE = 'object_not_in_prerequisite_state',
			      HINT = 'Wait for the index to become ACTIVE (singletable.describe_table()).';
	END IF;

	-- Plain key columns, held to the item by a CHECK constraint.
	FOR rel IN SELECT tbl UNION ALL SELECT i.index_relid FROM singletable.indexes i WHERE i.relid = tbl LOOP
		checks := '{}';
		FOR col IN SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) AS expr
		             FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		            WHERE a.attrelid = rel AND a.attgenerated = 's' AND NOT a.attisdropped
		            ORDER BY a.attnum LOOP
			EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP EXPRESSION', rel, col.attname);
			checks := checks || format('%I IS NOT DISTINCT FROM %s', col.attname, col.expr);
		END LOOP;
		IF cardinality(checks) > 0 THEN
			EXECUTE format('ALTER TABLE %s ADD CONSTRAINT singletable_keys CHECK (%s)',
			               rel, array_to_string(checks, ' AND '));
		END IF;
	END LOOP;

	-- The extension's write functions keep the indexes of a distributed
	-- table themselves (citus.c): Citus refuses triggers on one.
	EXECUTE format('DROP TRIGGER IF EXISTS singletable_index_maintenance ON %s', tbl);
	EXECUTE format('DROP TRIGGER IF EXISTS singletable_index_truncate ON %s', tbl);

	PERFORM create_distributed_table(tbl, 'pk', colocate_with => coalesce(colocate_with, 'default'),
	                                 shard_count => shard_count);
	PERFORM truncate_local_data_after_distributing_table(tbl);
	FOR ix IN SELECT i.index_relid, i.partition_key_type FROM singletable.indexes i
	           WHERE i.relid = tbl ORDER BY i.index_name LOOP
		IF ix.partition_key_type = t.partition_key_type THEN
			PERFORM create_distributed_table(ix.index_relid, 'gsi_pk', colocate_with => tbl::text);
		ELSE
			PERFORM create_distributed_table(ix.index_relid, 'gsi_pk', shard_count => shard_count);
		END IF;
		PERFORM truncate_local_data_after_distributing_table(ix.index_relid);
	END LOOP;
	-- Citus' catalog change invalidates the table's relcache entry, and
	-- with it every session's cached facts of the table (catalog.c).
END
$$;

-- Copy the catalog rows of the distributed singletable tables to every
-- worker, where the change stream of their shards needs them.  Citus
-- creates a distributed table's shell on the workers in the distributing
-- transaction, which other connections cannot see until it commits: call
-- this after distribute_table has committed.  Returns the number of tables.
CREATE FUNCTION singletable.sync_workers() RETURNS integer
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t record;
	ix record;
	cmd text;
	n integer := 0;
	failure text;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'cannot copy the catalog to workers without Citus'
			USING ERRCODE = 'feature_not_supported', DETAIL = 'The citus extension is not installed in this database.';
	END IF;
	FOR t IN SELECT s.* FROM singletable.tables s
	          WHERE s.relid IN (SELECT p.logicalrelid FROM pg_dist_partition p) ORDER BY s.relid::text LOOP
		-- (a user catalog table takes no ON CONFLICT: replace the rows)
		cmd := format('DELETE FROM singletable.tables WHERE relid = %L::regclass; '
		              'INSERT INTO singletable.tables (relid, partition_key, partition_key_type, sort_key, '
		              'sort_key_type, stream_view, ttl_attribute) VALUES (%L::regclass, %L, %L, %L, %L, %L, %L)',
		              t.relid::text, t.relid::text, t.partition_key, t.partition_key_type, t.sort_key,
		              t.sort_key_type, t.stream_view, t.ttl_attribute);
		FOR ix IN SELECT i.* FROM singletable.indexes i WHERE i.relid = t.relid ORDER BY i.index_name LOOP
			cmd := cmd || format('; INSERT INTO singletable.indexes (relid, index_name, index_relid, partition_key, '
			                     'partition_key_type, sort_key, sort_key_type, projection, include) '
			                     'VALUES (%L::regclass, %L, %L::regclass, %L, %L, %L, %L, %L, %L)',
			                     t.relid::text, ix.index_name, ix.index_relid::text, ix.partition_key,
			                     ix.partition_key_type, ix.sort_key, ix.sort_key_type, ix.projection, ix.include);
		END LOOP;
		SELECT string_agg(r.result, '; ') INTO failure FROM run_command_on_workers(cmd) r WHERE NOT r.success;
		IF failure IS NOT NULL THEN
			RAISE EXCEPTION 'could not copy the catalog row of table "%" to the workers', t.relid
				USING ERRCODE = 'connection_failure', DETAIL = failure;
		END IF;
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;

-- Refill the index tables of a distributed table from its items, after
-- plain SQL DML on it (which does not maintain them).  Returns the number
-- of items read.
CREATE FUNCTION singletable.rebuild_indexes(tbl regclass) RETURNS bigint
	AS 'MODULE_PATHNAME', 'st_sql_rebuild_indexes'
	LANGUAGE C VOLATILE STRICT;
