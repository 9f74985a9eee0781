/*
 * plans.c
 *	  Kept SPI plans of per-table statements, shared by every component that
 *	  reads or writes a singletable table through SQL (items, batches,
 *	  transactions, the event store), and the item statements they share.
 *
 *	  A plan is named by its table, the SQL builder of the component that
 *	  owns it and a kind number of that builder's choosing.  It is prepared
 *	  on first use, kept (SPI_keepplan) and prepared again after the table's
 *	  relcache entry is invalidated (DDL on the table, its catalog rows
 *	  changing), as ri_triggers.c keeps its plans: no SQL text is parsed per
 *	  call.  Invalidation only marks a plan stale; it is freed at its next
 *	  use, never inside the callback, which may run while the plan executes.
 *
 *	  Every statement schema-qualifies its operators and functions so that
 *	  the search_path in force when a plan is first prepared cannot redirect
 *	  it.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "citus.h"
#include "singletable.h"

typedef struct PlanKey
{
	Oid			relid;
	StPlanBuilder build;
	int			kind;
} PlanKey;

typedef struct PlanEntry
{
	PlanKey		key;			/* hash key: must be first */
	bool		valid;
	SPIPlanPtr	plan;
} PlanEntry;

static HTAB *plan_cache = NULL;

static void
plan_cache_invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	PlanEntry  *entry;

	if (plan_cache == NULL)
		return;
	hash_seq_init(&status, plan_cache);
	while ((entry = hash_seq_search(&status)) != NULL)
		if (!OidIsValid(relid) || entry->key.relid == relid)
			entry->valid = false;
}

/*
 * The kept plan of one statement of a table: build(table, kind, argtypes,
 * &nargs) returns its SQL and fills its parameter types (at most
 * ST_PLAN_MAX_ARGS).  Must be called inside SPI_connect.
 */
SPIPlanPtr
st_table_plan(StTable *table, StPlanBuilder build, int kind)
{
	PlanKey		key;
	PlanEntry  *entry;
	bool		found;
	Oid			argtypes[ST_PLAN_MAX_ARGS];
	int			nargs = 0;
	char	   *sql;
	SPIPlanPtr	plan;

	if (plan_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(PlanKey);
		ctl.entrysize = sizeof(PlanEntry);
		ctl.hcxt = CacheMemoryContext;
		plan_cache = hash_create("singletable plans", 128, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		st_on_relcache_invalidation(plan_cache_invalidate);
	}
	memset(&key, 0, sizeof(key));	/* the padding is hashed too */
	key.relid = table->relid;
	key.build = build;
	key.kind = kind;
	entry = hash_search(plan_cache, &key, HASH_ENTER, &found);
	if (found && entry->valid)
		return entry->plan;
	if (found && entry->plan)
		SPI_freeplan(entry->plan);
	entry->plan = NULL;
	entry->valid = false;

	sql = build(table, kind, argtypes, &nargs);
	Assert(nargs <= ST_PLAN_MAX_ARGS);
	plan = SPI_prepare(sql, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql,
			 SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	pfree(sql);
	entry->plan = plan;
	entry->valid = true;
	return plan;
}

/*
 * The key-column predicate of the item statements: pk = $1 [AND sk = $2].
 */
static const char *
key_predicate(StTable *t)
{
	return t->sk_attr ? "pk OPERATOR(pg_catalog.=) $1 AND sk OPERATOR(pg_catalog.=) $2"
		: "pk OPERATOR(pg_catalog.=) $1";
}

/*
 * The SQL of the item statements (StItemStatement).  Parameters: the key
 * columns ($1[, $2]) then the item, for the statements that take one.
 */
static char *
build_item_statement(StTable *t, int kind, Oid *argtypes, int *nargs)
{
	char	   *rel = quote_qualified_identifier(t->schema_name, t->table_name);
	int			nkeys = t->sk_attr ? 2 : 1;
	const char *conflict = t->sk_attr ? "(pk, sk)" : "(pk)";

	argtypes[0] = st_key_type_oid(t->pk_type);
	argtypes[1] = st_key_type_oid(t->sk_type);
	*nargs = nkeys;
	switch ((StItemStatement) kind)
	{
		case ST_STMT_UPSERT:
			argtypes[0] = JSONBOID;
			*nargs = 1;
			return psprintf("INSERT INTO %s AS t %s ON CONFLICT %s "
							"DO UPDATE SET item = EXCLUDED.item",
							rel, st_citus_insert_source(t, "$1", NULL), conflict);
		case ST_STMT_UPSERT_MANY:
			argtypes[0] = JSONBARRAYOID;
			*nargs = 1;
			return psprintf("INSERT INTO %s AS t %s ON CONFLICT %s DO UPDATE SET item = EXCLUDED.item",
							rel, st_citus_insert_source(t, "i", "pg_catalog.unnest($1) AS i"), conflict);
		case ST_STMT_INSERT_IF_ABSENT:
			argtypes[0] = JSONBOID;
			*nargs = 1;
			return psprintf("INSERT INTO %s %s ON CONFLICT %s DO NOTHING",
							rel, st_citus_insert_source(t, "$1", NULL), conflict);
		case ST_STMT_LOCK:
			return psprintf("SELECT item FROM %s WHERE %s FOR UPDATE", rel, key_predicate(t));
		case ST_STMT_UPDATE:
			argtypes[nkeys] = JSONBOID;
			*nargs = nkeys + 1;
			return psprintf("UPDATE %s SET item = $%d WHERE %s", rel, nkeys + 1, key_predicate(t));
		case ST_STMT_DELETE:
			return psprintf("DELETE FROM %s WHERE %s RETURNING item", rel, key_predicate(t));
		case ST_STMT_DELETE_QUIET:
			return psprintf("DELETE FROM %s WHERE %s", rel, key_predicate(t));
		case ST_STMT_SELECT:
			return psprintf("SELECT item FROM %s WHERE %s", rel, key_predicate(t));
	}
	elog(ERROR, "unrecognized item statement %d", kind);
	return NULL;
}

/* The kept plan of an item statement of a table.  Inside SPI_connect. */
SPIPlanPtr
st_item_plan(StTable *table, StItemStatement stmt)
{
	return st_table_plan(table, build_item_statement, (int) stmt);
}
