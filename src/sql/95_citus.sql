-- Part 95: scale-out on Citus (citus.c).  Citus is optional: these
-- functions call its functions only when they run, and refuse to run
-- without the citus extension.

-- Distribute a singletable table by its partition key, and each of its
-- index tables by the index's partition key (colocated with the table when
-- the key types match), moving the rows already there into the shards.
CREATE FUNCTION singletable.distribute_table(tbl regclass, shard_count integer DEFAULT NULL,
                                             colocate_with text DEFAULT NULL)
	RETURNS void
	AS 'MODULE_PATHNAME', 'st_sql_distribute_table'
	LANGUAGE C VOLATILE;

-- Copy the catalog rows of the distributed singletable tables to every
-- worker, where the change stream of their shards needs them; call it after
-- distribute_table has committed.  Returns the number of tables.
CREATE FUNCTION singletable.sync_workers() RETURNS integer
	AS 'MODULE_PATHNAME', 'st_sql_sync_workers'
	LANGUAGE C VOLATILE;

-- Refill the index tables of a distributed table from its items, after
-- plain SQL DML on it (which does not maintain them).  Returns the number
-- of items read.
CREATE FUNCTION singletable.rebuild_indexes(tbl regclass) RETURNS bigint
	AS 'MODULE_PATHNAME', 'st_sql_rebuild_indexes'
	LANGUAGE C VOLATILE STRICT;
