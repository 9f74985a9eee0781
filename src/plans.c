/*
 * plans.c
 *	  Kept SPI plans of per-table statements, shared by every component that
 *	  reads or writes a singletable table through SQL (items, batches,
 *	  transactions, the event store), and the item statements they share.
 *
 *	  A plan is named by its table, the SQL builder of the component that
 *	  owns it and a kind number of that builder's choosing.  It is prepared
 *	  on first use, kept (SPI_keepplan) in the table's ST_STATE_PLANS slot
 *	  (table_state.h) and prepared again after the table's relcache entry is
 *	  invalidated (DDL on the table, its catalog rows changing), as
 *	  ri_triggers.c keeps its plans: no SQL text is parsed per call.
 *	  Invalidation only marks a plan stale; it is freed at its next use,
 *	  never inside the callback, which may run while the plan executes.
 *
 *	  Every statement schema-qualifies its operators and functions so that
 *	  the search_path in force when a plan is first prepared cannot redirect
 *	  it.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "catalog.h"
#include "citus.h"
#include "keys.h"
#include "plans.h"
#include "table_state.h"

/* One kept plan: a statement of a table's builder and kind. */
typedef struct TablePlan
{
	StPlanBuilder build;
	int			kind;
	bool		valid;			/* false: prepare again at its next use */
	SPIPlanPtr	plan;
} TablePlan;

/*
 * A table's kept plans, its ST_STATE_PLANS slot (table_state.h).  A table
 * has at most one plan per statement the code knows, a few dozen, so a
 * plain array searched in order is enough.
 */
typedef struct TablePlans
{
	int			nplans;
	int			maxplans;
	TablePlan  *plans;			/* in CacheMemoryContext */
} TablePlans;

/*
 * After invalidation of the table: mark its plans stale.  Each is freed at
 * its own next use, never here, since another of them may be executing up
 * the stack (a trigger's nested call on the same table).
 */
static void
st_plans_reset_state(StStateSlot *slot)
{
	TablePlans *tp = (TablePlans *) DatumGetPointer(slot->value);

	for (int i = 0; i < tp->nplans; i++)
		tp->plans[i].valid = false;
}

/* The entry of one statement in a table's plans, added empty when new. */
static TablePlan *
table_plan_entry(Oid relid, StPlanBuilder build, int kind)
{
	StStateSlot *slot = st_table_state_slot(relid, ST_STATE_PLANS,
												  st_plans_reset_state);
	TablePlans *tp = (TablePlans *) DatumGetPointer(slot->value);
	TablePlan  *entry;

	if (tp == NULL)
	{
		tp = MemoryContextAllocZero(CacheMemoryContext, sizeof(TablePlans));
		slot->value = PointerGetDatum(tp);
	}
	slot->valid = true;
	for (int i = 0; i < tp->nplans; i++)
		if (tp->plans[i].build == build && tp->plans[i].kind == kind)
			return &tp->plans[i];
	if (tp->nplans == tp->maxplans)
	{
		int			n = tp->maxplans ? tp->maxplans * 2 : 8;

		tp->plans = tp->plans
			? repalloc(tp->plans, n * sizeof(TablePlan))
			: MemoryContextAlloc(CacheMemoryContext, n * sizeof(TablePlan));
		tp->maxplans = n;
	}
	entry = &tp->plans[tp->nplans++];
	entry->build = build;
	entry->kind = kind;
	entry->valid = false;
	entry->plan = NULL;
	return entry;
}

/*
 * The kept plan of one statement of a table: build(table, kind, argtypes,
 * &nargs) returns its SQL and fills its parameter types (at most
 * ST_PLAN_MAX_ARGS).  Must be called inside SPI_connect.
 */
SPIPlanPtr
st_table_plan(StTable *table, StPlanBuilder build, int kind)
{
	TablePlan  *entry = table_plan_entry(table->relid, build, kind);
	Oid			argtypes[ST_PLAN_MAX_ARGS];
	int			nargs = 0;
	char	   *sql;
	SPIPlanPtr	plan;

	if (entry->valid)
		return entry->plan;
	if (entry->plan)
		SPI_freeplan(entry->plan);
	entry->plan = NULL;

	sql = build(table, kind, argtypes, &nargs);
	Assert(nargs <= ST_PLAN_MAX_ARGS);
	plan = SPI_prepare(sql, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql,
			 SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	pfree(sql);

	/* preparing may have added plans (moving the array): find it again */
	entry = table_plan_entry(table->relid, build, kind);
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
