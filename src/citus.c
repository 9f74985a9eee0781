/*
 * citus.c
 *	  Scale-out on Citus: distribute_table, sync_workers and rebuild_indexes
 *	  (declared in 95_citus.sql), create_index's part on a distributed
 *	  table, and everything the extension does differently for a table
 *	  that Citus distributes.  The rest of the extension asks only the
 *	  questions of citus.h; nothing else names a Citus catalog or function.
 *
 *	  A distributed table's rows live in shards on the workers; the
 *	  coordinator's table is an empty shell.  So on such a table no path
 *	  may read or write the relation's heap or btree directly: catalog.c
 *	  sets StTable.distributed once per table-catalog lookup, and the item,
 *	  query and event store paths then take their SQL (SPI) paths, whose
 *	  statements Citus plans and routes, a single-key or single-partition
 *	  statement to the one shard that holds the partition.
 *
 *	  Key columns: Citus cannot distribute by a generated column, so
 *	  distribute_table turns pk/sk (and the index tables' key columns) into
 *	  plain columns held to the item by a CHECK constraint; the INSERTs of
 *	  plans.c and the event store then give the key columns themselves
 *	  (st_citus_insert_source), computed by the same key functions.
 *
 *	  Global secondary indexes: Citus refuses triggers on a distributed
 *	  table (a trigger on a shard writing another table's shard is not part
 *	  of the distributed transaction), so distribute_table drops the
 *	  maintenance triggers, and every write through the extension's
 *	  functions updates the index tables itself, from the coordinator, in
 *	  the same distributed transaction (st_citus_write_indexes): the index
 *	  is strongly consistent with the table at commit, as the trigger keeps
 *	  it on a local table.  A write locks the table before it reads which
 *	  indexes it has (st_citus_lock_for_write), so that it waits for a
 *	  create_index and then sees the new index.  Plain SQL DML on a distributed table does not
 *	  maintain its indexes (README: Scaling out with Citus); rebuild_indexes
 *	  refills them from the items.  create_index on a distributed table
 *	  distributes the new index table and fills it the same way
 *	  (st_citus_create_index); online, the build worker fills it in
 *	  key-ordered batches (st_citus_backfill_batch) while the writes keep
 *	  the CREATING index.
 *
 *	  Catalog rows on the workers: the change stream of a shard needs its
 *	  table's singletable.tables and singletable.indexes rows on the
 *	  worker.  distribute_table and create_index send them through Citus'
 *	  SendCommandToWorkersWithMetadata, in their own distributed
 *	  transaction (copy_catalog_to_workers); sync_workers sends them all
 *	  again, for a worker added later.
 *
 *	  Not done here: Citus function delegation (running a call on the
 *	  worker that holds its shard); every call plans on the coordinator.
 *
 *	  The change stream: on a worker, changes arrive for shard relations
 *	  (app_102008); st_citus_shard_base_table maps one to its table by the
 *	  shard naming rule, so records carry the table's own name.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "args.h"
#include "catalog.h"
#include "citus.h"
#include "errors.h"
#include "index.h"
#include "keys.h"
#include "plans.h"
#include "settings.h"
#include "ttl.h"

static int	write_indexes(StTable *t, StIndex *only, Jsonb *old_item, Jsonb *new_item, bool strict);
static int64 fill_indexes(StTable *t, StIndex *only, int64 *skipped);
static void citus_distribute(Oid relid, const char *column, const char *colocate_with, Datum shard_count,
							 bool shard_count_null);
static int	enter_citus_settings(void);
static uint64 copy_catalog_to_workers(Oid relid);

/*
 * The statements that keep an index table of a distributed table:
 * kind = 2 * (the index's place in t->indexes) + (0: delete an entry by its
 * key columns, 1: insert an entry).  The index table is distributed by
 * gsi_pk, so each routes to one shard.
 */
static char *
build_index_statement(StTable *t, int kind, Oid *argtypes, int *nargs)
{
	StIndex    *ix = list_nth(t->indexes, kind / 2);
	StIndexLayout layout;
	StringInfoData sql;
	char	   *rel = quote_qualified_identifier(get_namespace_name(get_rel_namespace(ix->relid)),
												 get_rel_name(ix->relid));

	st_index_layout(t, ix, &layout);
	initStringInfo(&sql);
	if (kind % 2 == 0)
	{
		appendStringInfo(&sql, "DELETE FROM %s WHERE true", rel);
		for (int i = 0; i < layout.ncols; i++)
		{
			argtypes[i] = st_key_type_oid(layout.type[i]);
			appendStringInfo(&sql, " AND %s OPERATOR(pg_catalog.=) $%d",
							 quote_identifier(layout.column[i]), i + 1);
		}
		*nargs = layout.ncols;
		return sql.data;
	}
	appendStringInfo(&sql, "INSERT INTO %s (item", rel);
	for (int i = 0; i < layout.ncols; i++)
		appendStringInfo(&sql, ", %s", quote_identifier(layout.column[i]));
	appendStringInfoString(&sql, ") VALUES ($1");
	argtypes[0] = JSONBOID;
	for (int i = 0; i < layout.ncols; i++)
	{
		argtypes[i + 1] = st_key_type_oid(layout.type[i]);
		appendStringInfo(&sql, ", $%d", i + 2);
	}
	appendStringInfoChar(&sql, ')');
	*nargs = layout.ncols + 1;
	return sql.data;
}

/* Are two entries of one index the same (keys and projected item)? */
static bool
entries_equal(const StIndexLayout *layout, StIndexEntry *a, StIndexEntry *b)
{
	for (int i = 0; i <= layout->ncols; i++)
		if (!datumIsEqual(a->values[i], b->values[i], false, -1))
			return false;
	return true;
}

/*
 * After a write of one item of a distributed table through the extension's
 * functions (old_item the item before, new_item after; either NULL), bring
 * each of its index tables up to date, in the same transaction.  A new
 * item's invalid index key raises ValidationException, as the trigger does
 * on a local table; the old item is read leniently.
 */
void
st_citus_write_indexes(StTable *t, Jsonb *old_item, Jsonb *new_item)
{
	(void) write_indexes(t, NULL, old_item, new_item, true);
}

/*
 * st_citus_write_indexes, of index only (or of every index when NULL);
 * strict: a new item's invalid index key is an error, else no entry.
 * Returns the number of entries inserted.
 */
static int
write_indexes(StTable *t, StIndex *only, Jsonb *old_item, Jsonb *new_item, bool strict)
{
	Datum		okeys[2] = {0, 0};
	Datum		nkeys[2] = {0, 0};
	ListCell   *lc;
	int			ord = -1;
	int			inserted = 0;

	if (!st_citus_write_needs_old_item(t) || (old_item == NULL && new_item == NULL))
		return 0;
	if (old_item)
		st_item_key_datums(t, old_item, okeys);
	if (new_item)
		st_item_key_datums(t, new_item, nkeys);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	foreach(lc, t->indexes)
	{
		StIndex    *ix = lfirst(lc);
		StIndexLayout layout;
		StIndexEntry oldent;
		StIndexEntry newent;
		bool		has_old = false;
		bool		has_new = false;

		ord++;
		if (only != NULL && ix != only)
			continue;
		st_index_layout(t, ix, &layout);
		if (new_item)
			has_new = st_index_entry(t, ix, &layout, new_item, nkeys[0], nkeys[1], strict, &newent);
		if (old_item)
			has_old = st_index_entry(t, ix, &layout, old_item, okeys[0], okeys[1], false, &oldent);
		if (!(has_old && has_new && entries_equal(&layout, &oldent, &newent)))
		{
			if (has_old &&
				SPI_execute_plan(st_table_plan(t, build_index_statement, 2 * ord),
								 &oldent.values[1], NULL, false, 0) != SPI_OK_DELETE)
				elog(ERROR, "could not delete index entry");
			if (has_new &&
				SPI_execute_plan(st_table_plan(t, build_index_statement, 2 * ord + 1),
								 newent.values, NULL, false, 0) != SPI_OK_INSERT)
				elog(ERROR, "could not insert index entry");
			inserted += has_new;
		}
	}
	SPI_finish();
	return inserted;
}

/*
 * create_index on a distributed table, after the index table and its
 * catalog row are created: distribute the index table by gsi_pk
 * (colocated with the table when the key types match, as
 * distribute_table does) and copy the new catalog row to the workers.  No
 * trigger: the write functions keep the index (file header).  An online
 * build's worker fills it (st_citus_backfill_batch).
 */
void
st_citus_distribute_index(StTable *t, StIndex *ix)
{
	int			level = enter_citus_settings();
	bool		colocate = ix->pk_type == t->pk_type;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	citus_distribute(ix->relid, "gsi_pk",
					 colocate ? quote_qualified_identifier(t->schema_name, t->table_name) : "default",
					 (Datum) 0, true);
	(void) copy_catalog_to_workers(t->relid);
	SPI_finish();
	AtEOXact_GUC(true, level);
}

/*
 * Before a write through the extension's functions to t decides anything
 * from t's indexes: on a distributed table, take ROW EXCLUSIVE on the
 * coordinator's table, as the write's first statement would, and return
 * t's catalog facts as they are once it is held.  create_index holds SHARE
 * ROW EXCLUSIVE on it until it commits, so a writer that looked t up before
 * and then waited for its statement's lock would write without the new
 * index's entries.  A local table's t as it is: its index triggers, or the
 * direct path's check under its own lock, see the new index.
 */
StTable *
st_citus_lock_for_write(StTable *t)
{
	if (!t->distributed)
		return t;
	LockRelationOid(t->relid, RowExclusiveLock);
	return st_table_lookup(t->relid, false);
}

/*
 * An offline create_index on a distributed table: distribute the index
 * table, then fill it from the items (fill_indexes).  Returns the number
 * of entries; *skipped counts the items left out for index key violations.
 */
int64
st_citus_create_index(StTable *t, StIndex *ix, int64 *skipped)
{
	st_citus_distribute_index(t, ix);
	return fill_indexes(t, ix, skipped);
}

/* create_table: distribute the new table when singletable.create_distributed is on. */
void
st_citus_after_create_table(Oid relid)
{
	Datum		arg = ObjectIdGetDatum(relid);
	Oid			argtype = REGCLASSOID;

	if (!st_create_distributed)
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT singletable.distribute_table($1)", 1, &argtype, &arg,
							  NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not distribute table");
	SPI_finish();
	st_table_invalidate(relid);
}

/*
 * drop_table: drop a distributed table's index tables by themselves first.
 * Dropped only as dependents of the base table, their shards would stay on
 * the workers.
 */
void
st_citus_before_drop_table(StTable *t)
{
	List	   *names = NIL;
	ListCell   *lc;

	if (!t->distributed)
		return;
	foreach(lc, t->indexes)
	{
		StIndex    *ix = lfirst(lc);
		char	   *name = get_rel_name(ix->relid);

		if (name)
			names = lappend(names, quote_qualified_identifier(get_namespace_name(get_rel_namespace(ix->relid)),
															  name));
	}
	if (names == NIL)
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	foreach(lc, names)
		if (SPI_execute(psprintf("DROP TABLE %s", (char *) lfirst(lc)), false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "could not drop index table");
	SPI_finish();
}

/*
 * Run the statements of distribute_table and sync_workers with search_path
 * pg_catalog (pg_get_expr then schema-qualifies what it prints) and
 * client_min_messages warning (Citus' notices about copying data are not
 * the caller's business).  Returns the GUC nest level to close with
 * AtEOXact_GUC(true, level); an error closes it with the transaction.
 */
static int
enter_citus_settings(void)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("client_min_messages", "warning", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return level;
}

static void
require_citus(const char *what)
{
	if (!OidIsValid(get_extension_oid("citus", true)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot %s without Citus", what),
				 errdetail("The citus extension is not installed in this database."),
				 errhint("Install Citus, add it to shared_preload_libraries and run CREATE EXTENSION citus.")));
}

static void
spi_run(const char *sql, int nargs, Oid *argtypes, Datum *args, const char *nulls)
{
	if (SPI_execute_with_args(sql, nargs, argtypes, args, nulls, false, 0) < 0)
		elog(ERROR, "could not distribute table");
}

static char *
qualified_name(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));
}

/*
 * Turn rel's generated key columns into plain columns held to the item by
 * a CHECK constraint with the same expressions.  Inside SPI.
 */
static void
plain_key_columns(Oid relid)
{
	char	   *rel = qualified_name(relid);
	Datum		arg = ObjectIdGetDatum(relid);
	Oid			argtype = OIDOID;
	StringInfoData check;
	SPITupleTable *cols;
	uint64		ncols;

	if (SPI_execute_with_args("SELECT a.attname::pg_catalog.text, pg_catalog.pg_get_expr(d.adbin, d.adrelid) "
							  "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_attrdef d "
							  "ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid AND d.adnum OPERATOR(pg_catalog.=) a.attnum "
							  "WHERE a.attrelid OPERATOR(pg_catalog.=) $1 AND a.attgenerated OPERATOR(pg_catalog.=) 's' "
							  "AND NOT a.attisdropped ORDER BY a.attnum",
							  1, &argtype, &arg, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read key columns");
	cols = SPI_tuptable;
	ncols = SPI_processed;
	if (ncols == 0)
		return;
	initStringInfo(&check);
	for (uint64 i = 0; i < ncols; i++)
	{
		char	   *col = SPI_getvalue(cols->vals[i], cols->tupdesc, 1);
		char	   *expr = SPI_getvalue(cols->vals[i], cols->tupdesc, 2);

		spi_run(psprintf("ALTER TABLE %s ALTER COLUMN %s DROP EXPRESSION", rel, quote_identifier(col)),
				0, NULL, NULL, NULL);
		appendStringInfo(&check, "%s%s IS NOT DISTINCT FROM %s", i > 0 ? " AND " : "",
						 quote_identifier(col), expr);
	}
	spi_run(psprintf("ALTER TABLE %s ADD CONSTRAINT singletable_keys CHECK (%s)", rel, check.data),
			0, NULL, NULL, NULL);
}

/* create_distributed_table(relid, column, ...) and drop the local copy of the rows */
static void
citus_distribute(Oid relid, const char *column, const char *colocate_with, Datum shard_count,
				 bool shard_count_null)
{
	Oid			argtypes[4] = {REGCLASSOID, TEXTOID, TEXTOID, INT4OID};
	Datum		args[4];
	char		nulls[4] = {' ', ' ', ' ', shard_count_null ? 'n' : ' '};

	args[0] = ObjectIdGetDatum(relid);
	args[1] = CStringGetTextDatum(column);
	args[2] = CStringGetTextDatum(colocate_with);
	args[3] = shard_count;
	spi_run("SELECT pg_catalog.create_distributed_table($1, $2, colocate_with => $3, shard_count => $4)",
			4, argtypes, args, nulls);
	spi_run("SELECT pg_catalog.truncate_local_data_after_distributing_table($1)",
			1, argtypes, args, NULL);
}

/*
 * distribute_table(tbl regclass, shard_count integer, colocate_with text)
 * RETURNS void: distribute a singletable table by its partition key, and
 * each of its index tables by the index's partition key (colocated with the
 * table when the key types match), the rows already there moving to the
 * shards.  See the file header for the key columns and the indexes.
 */
static Datum
distribute_table(PG_FUNCTION_ARGS)
{
	Oid			relid;
	StTable    *t;
	char	   *rel;
	char	   *colocate_with = PG_ARGISNULL(2) ? "default" : text_to_cstring(PG_GETARG_TEXT_PP(2));
	ListCell   *lc;
	int			level;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("table must not be null"),
				 errdetail("ValidationException: TableName is required.")));
	relid = PG_GETARG_OID(0);
	t = st_table_lookup(relid, false);
	if (!st_owns_table(relid))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, t->table_name);
	require_citus("distribute a table");
	LockRelationOid(relid, AccessExclusiveLock);
	t = st_table_lookup(relid, false);
	if (t->distributed)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is already distributed", t->table_name),
				 errdetail("ValidationException: Citus already distributes the table.")));
	foreach(lc, t->indexes)
		if (((StIndex *) lfirst(lc))->creating)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot distribute table \"%s\" while an index of it is being built", t->table_name),
					 errdetail("ValidationException: Index \"%s\" is CREATING.", ((StIndex *) lfirst(lc))->name),
					 errhint("Wait for the index to become ACTIVE (singletable.describe_table()).")));

	level = enter_citus_settings();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rel = qualified_name(relid);
	plain_key_columns(relid);
	foreach(lc, t->indexes)
		plain_key_columns(((StIndex *) lfirst(lc))->relid);
	/* Citus refuses triggers on a distributed table: the writes keep the indexes */
	spi_run(psprintf("DROP TRIGGER IF EXISTS " ST_INDEX_TRIGGER_NAME " ON %s", rel), 0, NULL, NULL, NULL);
	spi_run(psprintf("DROP TRIGGER IF EXISTS " ST_INDEX_TRUNCATE_TRIGGER_NAME " ON %s", rel), 0, NULL, NULL, NULL);

	citus_distribute(relid, "pk", colocate_with, PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1),
					 PG_ARGISNULL(1));
	foreach(lc, t->indexes)
	{
		StIndex    *ix = lfirst(lc);
		bool		colocate = ix->pk_type == t->pk_type;

		citus_distribute(ix->relid, "gsi_pk", colocate ? rel : "default",
						 colocate || PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1),
						 colocate || PG_ARGISNULL(1));
	}
	(void) copy_catalog_to_workers(relid);
	SPI_finish();
	AtEOXact_GUC(true, level);
	/* Citus' catalog change invalidated the table's cached facts (catalog.c) */
	PG_RETURN_VOID();
}

ST_FUNCTION_HIDING_SQL(st_sql_distribute_table, distribute_table)

/* Citus' own sender of a command to every worker, in the current distributed transaction */
typedef void (*StCitusSendFn) (const char *command);

/*
 * Copy the catalog rows of the distributed singletable tables (relid's
 * only, unless InvalidOid) to every worker, where the change stream of
 * their shards needs them.  Each table's rows are replaced by one command
 * that Citus' SendCommandToWorkersWithMetadata runs on every worker over
 * the connections that carry its own metadata: inside the caller's
 * distributed transaction, so the workers see the shells Citus created in
 * it, and the rows commit (or not) with it.  Not read-only: it must see
 * Citus' catalog rows of the caller's create_distributed_table.  A user
 * catalog table takes no ON CONFLICT: the rows are replaced, one command
 * each (Citus sends them as prepared statements).  Returns the number of
 * tables.
 */
static uint64
copy_catalog_to_workers(Oid relid)
{
	StCitusSendFn send;
	SPITupleTable *cmds;
	uint64		n = 0;
	Datum		arg = ObjectIdGetDatum(relid);
	Oid			argtype = OIDOID;
	char		null = OidIsValid(relid) ? ' ' : 'n';

	send = (StCitusSendFn) (void (*) (void))
		load_external_function("$libdir/citus", "SendCommandToWorkersWithMetadata", true, NULL);
	if (SPI_execute_with_args("WITH s AS (SELECT * FROM singletable.tables s WHERE s.relid::pg_catalog.oid "
							  "OPERATOR(pg_catalog.=) ANY (SELECT p.logicalrelid::pg_catalog.oid FROM pg_catalog.pg_dist_partition p) "
							  "AND ($1 IS NULL OR s.relid::pg_catalog.oid OPERATOR(pg_catalog.=) $1)) "
							  "SELECT c.cmd FROM (SELECT s.relid::pg_catalog.text AS rel, 0 AS step, ''::pg_catalog.text AS ix, "
							  "pg_catalog.format('DELETE FROM singletable.tables WHERE relid = %L::regclass', "
							  "s.relid::pg_catalog.text) AS cmd FROM s "
							  "UNION ALL SELECT s.relid::pg_catalog.text, 1, '', pg_catalog.format("
							  "'INSERT INTO singletable.tables (relid, partition_key, partition_key_type, sort_key, "
							  "sort_key_type, stream_view, ttl_attribute, name, stream_specified, throughput) "
							  "VALUES (%L::regclass, %L, %L, %L, %L, %L, %L, %L, %L, %L)', "
							  "s.relid::pg_catalog.text, s.partition_key, s.partition_key_type, "
							  "s.sort_key, s.sort_key_type, s.stream_view, s.ttl_attribute, s.name, "
							  "s.stream_specified, s.throughput) FROM s "
							  "UNION ALL SELECT s.relid::pg_catalog.text, 2, i.index_name, pg_catalog.format("
							  "'INSERT INTO singletable.indexes (relid, index_name, index_relid, partition_key, "
							  "partition_key_type, sort_key, sort_key_type, projection, include, local) "
							  "VALUES (%L::regclass, %L, %L::regclass, %L, %L, %L, %L, %L, %L, %L)', "
							  "i.relid::pg_catalog.text, i.index_name, i.index_relid::pg_catalog.text, i.partition_key, "
							  "i.partition_key_type, i.sort_key, i.sort_key_type, i.projection, i.include, i.local) "
							  "FROM s JOIN singletable.indexes i ON i.relid OPERATOR(pg_catalog.=) s.relid) c "
							  "ORDER BY c.rel, c.step, c.ix",
							  1, &argtype, &arg, &null, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read singletable.tables");
	cmds = SPI_tuptable;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *cmd = SPI_getvalue(cmds->vals[i], cmds->tupdesc, 1);

		CHECK_FOR_INTERRUPTS();
		if (strncmp(cmd, "DELETE", 6) == 0)
			n++;
		send(cmd);
	}
	return n;
}

/*
 * sync_workers() RETURNS integer: copy the catalog rows of every
 * distributed singletable table to every worker again.  distribute_table
 * (and create_index and time to live on a distributed table) already do it
 * for their table; this repairs a worker added later (citus_add_node does
 * not copy them) or rows changed by hand.  Returns the number of tables.
 */
static Datum
sync_workers(PG_FUNCTION_ARGS)
{
	uint64		n;
	int			level;

	require_citus("copy the catalog to the workers");
	level = enter_citus_settings();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	n = copy_catalog_to_workers(InvalidOid);
	SPI_finish();
	AtEOXact_GUC(true, level);
	PG_RETURN_INT32((int32) n);
}

ST_FUNCTION_HIDING_SQL(st_sql_sync_workers, sync_workers)

/*
 * rebuild_indexes(tbl regclass) RETURNS bigint: empty the index tables of a
 * distributed table and fill them again from its items, as the write
 * functions would have (an item whose index key is invalid gets no entry).
 * For after plain SQL DML, which does not maintain them.  Holds EXCLUSIVE
 * on the table meanwhile, so writes through the coordinator wait.  Returns
 * the number of items read.
 */
static Datum
rebuild_indexes(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	StTable    *t;
	int64		n;
	int64		skipped;
	ListCell   *lc;

	if (!st_owns_table(relid))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, get_rel_name(relid));
	LockRelationOid(relid, ExclusiveLock);
	t = st_table_lookup(relid, false);
	if (!t->distributed)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is not distributed", t->table_name),
				 errdetail("ValidationException: The index triggers keep the indexes of a local table."),
				 errhint("Rebuild an index of a local table with singletable.drop_index() and singletable.create_index().")));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	foreach(lc, t->indexes)
	{
		StIndex    *ix = lfirst(lc);

		if (SPI_execute(psprintf("TRUNCATE %s",
								 quote_qualified_identifier(get_namespace_name(get_rel_namespace(ix->relid)),
															get_rel_name(ix->relid))),
						false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "could not empty index table");
	}
	SPI_finish();
	n = fill_indexes(t, NULL, &skipped);
	PG_RETURN_INT64(n);
}

ST_FUNCTION_HIDING_SQL(st_sql_rebuild_indexes, rebuild_indexes)

/*
 * Write the index entries of every item of distributed table t, of index
 * only or of every index (NULL), into index tables that have none of them:
 * one cursor over the items, which Citus runs on the shards, and the
 * single-shard INSERT of the write functions per entry.  An item whose
 * index key is invalid gets no entry; *skipped counts those of index only.
 * Returns the number of items read (every index) or entries written (one).
 */
static int64
fill_indexes(StTable *t, StIndex *only, int64 *skipped)
{
	Portal		portal;
	int64		n = 0;
	MemoryContext rowcxt;
	MemoryContext old;

	*skipped = 0;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	portal = SPI_cursor_open_with_args(NULL, psprintf("SELECT item FROM %s",
													  quote_qualified_identifier(t->schema_name, t->table_name)),
									   0, NULL, NULL, NULL, false, 0);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "singletable fill_indexes",
								   ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		SPITupleTable *rows;
		uint64		nrows;

		SPI_cursor_fetch(portal, true, 1000);
		/* the writes below run SPI of their own */
		rows = SPI_tuptable;
		nrows = SPI_processed;
		if (nrows == 0)
			break;
		for (uint64 i = 0; i < nrows; i++)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(rows->vals[i], rows->tupdesc, 1, &isnull);

			CHECK_FOR_INTERRUPTS();
			if (isnull)
				continue;
			old = MemoryContextSwitchTo(rowcxt);
			if (only == NULL)
			{
				(void) write_indexes(t, NULL, NULL, DatumGetJsonbP(d), false);
				n++;
			}
			else if (write_indexes(t, only, NULL, DatumGetJsonbP(d), false) > 0)
				n++;
			else if (st_index_key_violation(only, DatumGetJsonbP(d)))
				(*skipped)++;
			MemoryContextSwitchTo(old);
			MemoryContextReset(rowcxt);
		}
		SPI_freetuptable(rows);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(rowcxt);
	SPI_finish();
	return n;
}

/* Citus' own functions without arguments (transaction_management.c) */
typedef void (*StCitusVoidFn) (void);

/*
 * Make the current transaction a Citus coordinated transaction that
 * commits by two-phase commit: every statement Citus then sends to a worker
 * runs in one transaction block there, a read included.  Without it, a
 * statement run outside a function call (a background worker's) or a read
 * before the first write runs in a transaction of its own on the worker,
 * which would let go of a row lock at once or commit a TTL marker apart
 * from its delete.
 */
static void
begin_coordinated_transaction(void)
{
	StCitusVoidFn use = (StCitusVoidFn) (void (*) (void))
		load_external_function("$libdir/citus", "UseCoordinatedTransaction", true, NULL);
	StCitusVoidFn use_2pc = (StCitusVoidFn) (void (*) (void))
		load_external_function("$libdir/citus", "Use2PCForCoordinatedTransaction", true, NULL);

	use();
	use_2pc();
}

/*
 * The statements of the online build of a distributed table's index
 * (st_citus_backfill_batch).  The item reads carry the distribution
 * column, so Citus routes a lock to the one shard of the item; the pages
 * are ordered by the primary key, which each shard reads in order and the
 * coordinator merges.
 */
typedef enum StBackfillStatement
{
	ST_BACKFILL_FIRST,			/* the first page; $1 limit */
	ST_BACKFILL_NEXT,			/* the page after a key; key, then limit */
	ST_BACKFILL_LOCK,			/* SELECT item .. FOR SHARE; key */
	ST_BACKFILL_LOCK_SKIP,		/* the same, SKIP LOCKED */
	ST_BACKFILL_INSERT			/* + the index's place: insert an absent entry */
} StBackfillStatement;

/*
 * Where both key statements below start: sets the key columns' argument
 * types ($1[, $2]) and returns the statement that reads the rows of t in
 * key order, what after the key columns, from the first row or after the
 * key $1[, $2], at most $<limit_param> rows.
 */
static char *
key_order_sql(StTable *t, const char *what, bool after, int limit_param, Oid *argtypes)
{
	const char *keys = t->sk_attr ? "pk, sk" : "pk";

	argtypes[0] = st_key_type_oid(t->pk_type);
	if (t->sk_attr)
		argtypes[1] = st_key_type_oid(t->sk_type);
	return psprintf("SELECT %s, %s FROM %s%s%s%s%s ORDER BY %s LIMIT $%d",
					keys, what, quote_qualified_identifier(t->schema_name, t->table_name),
					after ? " WHERE (" : "", after ? keys : "",
					after ? ") OPERATOR(pg_catalog.>) " : "",
					after ? (t->sk_attr ? "($1, $2)" : "($1)") : "",
					keys, limit_param);
}

/* The condition that a row is the item of key $1[, $2]. */
static const char *
key_match_sql(StTable *t)
{
	return t->sk_attr ? "pk OPERATOR(pg_catalog.=) $1 AND sk OPERATOR(pg_catalog.=) $2" :
		"pk OPERATOR(pg_catalog.=) $1";
}

static char *
build_backfill_statement(StTable *t, int kind, Oid *argtypes, int *nargs)
{
	int			nkeys = t->sk_attr ? 2 : 1;
	bool		after = kind == ST_BACKFILL_NEXT;
	char	   *sql = key_order_sql(t, "item", after, after ? nkeys + 1 : 1, argtypes);

	switch (kind)
	{
		case ST_BACKFILL_FIRST:
		case ST_BACKFILL_NEXT:
			argtypes[after ? nkeys : 0] = INT8OID;
			*nargs = after ? nkeys + 1 : 1;
			return sql;
		case ST_BACKFILL_LOCK:
		case ST_BACKFILL_LOCK_SKIP:
			*nargs = nkeys;
			return psprintf("SELECT item FROM %s WHERE %s FOR SHARE%s",
							quote_qualified_identifier(t->schema_name, t->table_name), key_match_sql(t),
							kind == ST_BACKFILL_LOCK_SKIP ? " SKIP LOCKED" : "");
		default:
			return psprintf("%s ON CONFLICT DO NOTHING",
							build_index_statement(t, 2 * (kind - ST_BACKFILL_INSERT) + 1,
												  argtypes, nargs));
	}
}

/*
 * One batch of the online build of index ix of distributed table t, for
 * the build worker (index_online.c, which keeps the resume point, the
 * progress and the locks on the coordinator's tables), in the current
 * transaction.  The coordinator's table is an empty shell, so the batch
 * reads the items through SQL that Citus routes, never the heap:
 *
 *	  1. the next batch_size items after the key resume (NULL: from the
 *		 first), in key order;
 *	  2. for each whose version on the page has an entry in the index (an
 *		 item without one is counted in *violations when its index key is
 *		 invalid), locks its latest version FOR SHARE and inserts that
 *		 version's entry unless the index table holds it (ON CONFLICT DO
 *		 NOTHING: an entry with the same key columns is the item's own).
 *
 * The local protocol's reasoning (index_online.c) holds because every
 * write through the extension's functions locks the item FOR UPDATE and
 * maintains the CREATING index in its own distributed transaction: the
 * index holds nothing or the entry of the item's latest committed version,
 * and a writer waits for the batch's lock, then replaces or deletes the
 * entry the batch wrote.  A deleted item's lock finds no row.  Only the
 * first lock of a batch waits; a later item whose lock is taken ends the
 * batch before it (the next batch starts with it).  Returns the number of
 * items examined; last gets the key of the last one, copied into the
 * caller's memory context, and *exhausted says that no item follows.
 */
int64
st_citus_backfill_batch(StTable *t, StIndex *ix, Datum *resume, int batch_size,
						Datum *last, int64 *violations, bool *exhausted)
{
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext itemcxt;
	StIndexLayout layout;
	SPITupleTable *page;
	uint64		npage;
	int			nkeys = t->sk_attr ? 2 : 1;
	int			ord = 0;
	Datum		args[3];
	int64		examined = 0;
	bool		locked_any = false;
	bool		isnull;

	while (list_nth(t->indexes, ord) != ix)
		ord++;

	st_index_layout(t, ix, &layout);
	begin_coordinated_transaction();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	for (int i = 0; resume && i < nkeys; i++)
		args[i] = resume[i];
	args[resume ? nkeys : 0] = Int64GetDatum(batch_size);
	if (SPI_execute_plan(st_table_plan(t, build_backfill_statement,
									   resume ? ST_BACKFILL_NEXT : ST_BACKFILL_FIRST),
						 args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the items of table \"%s\"", t->table_name);
	page = SPI_tuptable;
	npage = SPI_processed;
	*exhausted = npage < (uint64) batch_size;
	itemcxt = AllocSetContextCreate(CurrentMemoryContext, "singletable index build item",
									ALLOCSET_DEFAULT_SIZES);
	for (uint64 i = 0; i < npage; i++)
	{
		Datum		key[2] = {0, 0};
		Jsonb	   *item;
		StIndexEntry entry;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		for (int k = 0; k < nkeys; k++)
			key[k] = SPI_getbinval(page->vals[i], page->tupdesc, k + 1, &isnull);
		old = MemoryContextSwitchTo(itemcxt);
		item = DatumGetJsonbP(SPI_getbinval(page->vals[i], page->tupdesc, nkeys + 1, &isnull));
		if (!st_index_entry(t, ix, &layout, item, key[0], key[1], false, &entry))
		{
			if (st_index_key_violation(ix, item))
				(*violations)++;
		}
		else
		{
			SPITupleTable *locked;

			if (SPI_execute_plan(st_table_plan(t, build_backfill_statement,
											   locked_any ? ST_BACKFILL_LOCK_SKIP : ST_BACKFILL_LOCK),
								 key, NULL, false, 1) != SPI_OK_SELECT)
				elog(ERROR, "could not lock an item of table \"%s\"", t->table_name);
			if (SPI_processed == 0 && locked_any)
			{
				/* a writer holds it (or deleted it): the next batch starts here */
				MemoryContextSwitchTo(old);
				*exhausted = false;
				break;
			}
			locked_any = true;
			locked = SPI_tuptable;
			/* the latest version, unless it was deleted meanwhile */
			if (SPI_processed > 0 &&
				st_index_entry(t, ix, &layout,
							   DatumGetJsonbP(SPI_getbinval(locked->vals[0], locked->tupdesc, 1, &isnull)),
							   key[0], key[1], false, &entry) &&
				SPI_execute_plan(st_table_plan(t, build_backfill_statement, ST_BACKFILL_INSERT + ord),
								 entry.values, NULL, false, 0) != SPI_OK_INSERT)
				elog(ERROR, "could not insert index entry");
			SPI_freetuptable(locked);
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(itemcxt);
		examined++;
	}
	MemoryContextDelete(itemcxt);
	/* the page's rows live until SPI_finish */
	MemoryContextSwitchTo(outer);
	for (int k = 0; examined > 0 && k < nkeys; k++)
		last[k] = datumCopy(SPI_getbinval(page->vals[examined - 1], page->tupdesc, k + 1, &isnull),
							false, -1);
	SPI_finish();
	return examined;
}

/*
 * The statements of a distributed table's expiry pass
 * (st_citus_expire_batch); n is the number of key columns, whose values
 * come first.  The item statements carry the distribution column, so
 * Citus routes each to the one shard of the item.
 */
typedef enum StExpiryStatement
{
	ST_EXPIRY_FIRST,			/* the first window; attribute, now, limit */
	ST_EXPIRY_NEXT,				/* the window after a key; key, attribute, now, limit */
	ST_EXPIRY_DELETE,			/* DELETE .. RETURNING item if expired; key, attribute, now */
	ST_EXPIRY_MARK_START,		/* the TTL marker on the item's worker; pk, table name */
	ST_EXPIRY_MARK_END			/* its end; pk */
} StExpiryStatement;

static char *
build_expiry_statement(StTable *t, int kind, Oid *argtypes, int *nargs)
{
	char	   *rel = quote_qualified_identifier(t->schema_name, t->table_name);
	int			n = t->sk_attr ? 2 : 1;
	int			first = kind == ST_EXPIRY_FIRST ? 0 : n;
	char	   *sql;

	sql = key_order_sql(t, psprintf("singletable.is_expired(item, $%d, $%d)", first + 1, first + 2),
						kind == ST_EXPIRY_NEXT, first + 3, argtypes);
	argtypes[first] = TEXTOID;
	argtypes[first + 1] = TIMESTAMPTZOID;
	argtypes[first + 2] = INT8OID;
	switch (kind)
	{
		case ST_EXPIRY_FIRST:
		case ST_EXPIRY_NEXT:
			*nargs = first + 3;
			return sql;
		case ST_EXPIRY_DELETE:
			*nargs = n + 2;
			return psprintf("DELETE FROM %s WHERE %s AND singletable.is_expired(item, $%d, $%d) "
							"RETURNING item", rel, key_match_sql(t), n + 1, n + 2);
		case ST_EXPIRY_MARK_START:
		case ST_EXPIRY_MARK_END:
			/*
			 * An aggregate routed by the partition key: one row, so one
			 * message, on the item's worker, even without the item.
			 */
			argtypes[1] = TEXTOID;
			*nargs = kind == ST_EXPIRY_MARK_START ? 2 : 1;
			return psprintf("SELECT pg_catalog.pg_logical_emit_message(true, '" ST_TTL_MESSAGE_PREFIX "', %s), "
							"pg_catalog.count(*) FROM %s WHERE pk OPERATOR(pg_catalog.=) $1",
							kind == ST_EXPIRY_MARK_START ?
							"COALESCE(pg_catalog.to_regclass($2)::pg_catalog.oid, 0)::pg_catalog.text" :
							"'0'", rel);
	}
	elog(ERROR, "unrecognized expiry statement %d", kind);
	return NULL;
}

/* Is this node Citus' coordinator (its group 0)? */
static bool
is_coordinator(void)
{
	bool		isnull;
	bool		result;

	if (SPI_execute("SELECT groupid OPERATOR(pg_catalog.=) 0 FROM pg_catalog.pg_dist_local_group",
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read Citus' group of this node");
	result = SPI_processed == 0 ||
		DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	return result;
}

/*
 * One batch of the expiry pass (ttl.c) over distributed table t, whose
 * coordinator table is an empty shell: through SQL that Citus routes,
 * never by ctid.  The pass walks the table's keys in order from
 * pass->resume, a window of ST_CITUS_EXPIRY_WINDOW keys per batch (each
 * shard reads its primary key in order, the coordinator merges), and
 * deletes the items of the window that are expired at now, at most limit
 * (the next batch then starts after the last one deleted), each by its key
 * on its shard (DELETE .. RETURNING; an item changed meanwhile so that it
 * is no longer expired stays), with its index entries, as the write
 * functions delete an item of a distributed table.  Each delete is
 * bracketed by the TTL markers (ttl.h), sent to the item's worker in the
 * same distributed transaction, so that the worker's change stream marks
 * it as the service's.  A delete waits for a writer that holds the item.
 * Like every write to a distributed table, it takes ROW EXCLUSIVE first
 * and reads the table again (st_citus_lock_for_write), which expire_items
 * looked up without a lock.  Runs on the coordinator only: the workers, which may have the table's
 * catalog row too, find nothing to do.  Returns the number of items
 * deleted.
 */
#define ST_CITUS_EXPIRY_WINDOW 1000

int
st_citus_expire_batch(StTable *t, const char *attr, StTtlPass *pass, int limit, TimestampTz now)
{
	int			n = t->sk_attr ? 2 : 1;
	Datum		args[5];
	Datum		mark[2];
	SPITupleTable *window;
	uint64		nwindow;
	uint64		cut;
	int			nexpired = 0;
	int			ndeleted = 0;
	bool		isnull;
	char	   *name;
	MemoryContext old;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!is_coordinator())
	{
		SPI_finish();
		pass->done = true;
		return 0;
	}

	/*
	 * expire_items looked the table up without a lock: take the one the
	 * deletes take now, and read the table again, so that the entries of an
	 * index created meanwhile go with the items (st_citus_lock_for_write).
	 */
	t = st_citus_lock_for_write(t);
	name = quote_qualified_identifier(t->schema_name, t->table_name);
	begin_coordinated_transaction();
	for (int k = 0; pass->resumed && k < n; k++)
		args[k] = pass->resume[k];
	args[pass->resumed ? n : 0] = CStringGetTextDatum(attr);
	args[(pass->resumed ? n : 0) + 1] = TimestampTzGetDatum(now);
	args[(pass->resumed ? n : 0) + 2] = Int64GetDatum(ST_CITUS_EXPIRY_WINDOW);
	if (SPI_execute_plan(st_table_plan(t, build_expiry_statement,
									   pass->resumed ? ST_EXPIRY_NEXT : ST_EXPIRY_FIRST),
						 args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not find the expired items of table %s", t->table_name);
	window = SPI_tuptable;
	nwindow = SPI_processed;

	/* the window ends at the limit-th expired item, if it has that many */
	for (cut = 0; cut < nwindow && nexpired < limit; cut++)
		if (DatumGetBool(SPI_getbinval(window->vals[cut], window->tupdesc, n + 1, &isnull)))
			nexpired++;
	pass->done = cut == nwindow && nwindow < ST_CITUS_EXPIRY_WINDOW;

	args[n] = CStringGetTextDatum(attr);
	args[n + 1] = TimestampTzGetDatum(now);
	mark[1] = CStringGetTextDatum(name);
	for (uint64 i = 0; i < cut; i++)
	{
		Jsonb	   *old_item;

		CHECK_FOR_INTERRUPTS();
		if (!DatumGetBool(SPI_getbinval(window->vals[i], window->tupdesc, n + 1, &isnull)))
			continue;
		for (int k = 0; k < n; k++)
			args[k] = SPI_getbinval(window->vals[i], window->tupdesc, k + 1, &isnull);
		mark[0] = args[0];
		if (SPI_execute_plan(st_table_plan(t, build_expiry_statement, ST_EXPIRY_MARK_START),
							 mark, NULL, false, 0) != SPI_OK_SELECT ||
			SPI_execute_plan(st_table_plan(t, build_expiry_statement, ST_EXPIRY_DELETE),
							 args, NULL, false, 0) != SPI_OK_DELETE_RETURNING)
			elog(ERROR, "could not delete the expired items of table %s", t->table_name);
		old_item = SPI_processed > 0 ?
			DatumGetJsonbP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) : NULL;
		if (SPI_execute_plan(st_table_plan(t, build_expiry_statement, ST_EXPIRY_MARK_END),
							 mark, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not delete the expired items of table %s", t->table_name);
		if (old_item)
		{
			st_citus_write_indexes(t, old_item, NULL);
			ndeleted++;
		}
	}

	/* the next batch starts after the window's last key read */
	if (cut > 0)
	{
		old = MemoryContextSwitchTo(pass->cxt);
		for (int k = 0; k < n; k++)
		{
			if (pass->resumed)
				pfree(DatumGetPointer(pass->resume[k]));
			pass->resume[k] = datumCopy(SPI_getbinval(window->vals[cut - 1], window->tupdesc, k + 1, &isnull),
										false, -1);
		}
		pass->resumed = true;
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return ndeleted;
}
