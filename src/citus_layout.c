/*
 * citus_layout.c
 *	  What the rest of the extension asks about a table Citus may
 *	  distribute (citus.h): is it distributed (read from Citus' catalog once
 *	  per table-catalog lookup), how an INSERT gives its plain key columns,
 *	  whether a write must read the old item for the index tables, which
 *	  table a shard relation belongs to, and when a put may run without a
 *	  remote transaction block (which looks at the statement's portal and at
 *	  the client's next message, never reading more from the client).
 *	  Below the catalog: it calls only keys.c, so catalog.c, plans.c and the
 *	  write paths can ask it without a circle; the commands and the index
 *	  maintenance are in citus.c.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "libpq/libpq.h"
#include "miscadmin.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/portal.h"
#include "utils/rel.h"

#include "citus.h"
#include "keys.h"
#include "settings.h"

/*
 * Does Citus keep relid's rows elsewhere (a distributed, reference or
 * Citus-managed local table)?  Reads Citus' pg_dist_partition when it
 * exists; called once per table-catalog lookup.
 */
bool
st_citus_is_distributed(Oid relid)
{
	Oid			dist = get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE);
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	bool		found;

	if (!OidIsValid(dist))
		return false;
	rel = table_open(dist, AccessShareLock);
	/* column 1 is logicalrelid */
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * The column list and source of an INSERT of items into t: item is the
 * item's SQL ("$1", or a column of from), from the FROM list of a SELECT
 * source, or NULL for VALUES.  A distributed table's key columns are
 * plain, so they are given here, computed from the item by the functions
 * its CHECK constraint holds them to.
 */
char *
st_citus_insert_source(StTable *t, const char *item, const char *from)
{
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfoString(&s, !t->distributed ? "(item) " : t->sk_attr ? "(item, pk, sk) " : "(item, pk) ");
	appendStringInfo(&s, from ? "SELECT %s" : "VALUES (%s", item);
	if (t->distributed)
	{
		appendStringInfo(&s, ", %s", st_key_expr_sql(item, t->pk_attr, t->pk_type, true));
		if (t->sk_attr)
			appendStringInfo(&s, ", %s", st_key_expr_sql(item, t->sk_attr, t->sk_type, false));
	}
	if (from)
		appendStringInfo(&s, " FROM %s", from);
	else
		appendStringInfoChar(&s, ')');
	return s.data;
}

/*
 * Must a write read the old item first?  On a distributed table with
 * indexes, yes: its index entry is removed by the write itself.
 */
bool
st_citus_write_needs_old_item(StTable *t)
{
	return t->distributed && t->indexes != NIL;
}

/*
 * The table a Citus shard relation belongs to, or InvalidOid.  Citus names
 * a shard <table>_<shard id> in its table's schema; the name alone says it,
 * and the caller checks that the table found is a singletable table with
 * the shard's layout.  Only when the database has the citus extension.
 */
Oid
st_citus_shard_base_table(Relation rel)
{
	const char *name = RelationGetRelationName(rel);
	const char *us = strrchr(name, '_');
	char	   *base;

	if (us == NULL || us == name || us[1] == '\0' ||
		strspn(us + 1, "0123456789") != strlen(us + 1))
		return InvalidOid;
	if (!OidIsValid(get_extension_oid("citus", true)))
		return InvalidOid;
	base = pnstrdup(name, us - name);
	return get_relname_relid(base, RelationGetNamespace(rel));
}

/*
 * A distributed table's size and item count for describe_table, from its
 * shards (the coordinator's table is an empty shell): the sums of the
 * shards' pg_total_relation_size() and pg_class.reltuples (as on a local
 * table, VACUUM and ANALYZE keep them current; a shard never analyzed
 * counts 0).  Citus' run_command_on_shards asks each shard over a
 * connection of its own, which works in a transaction that has written
 * to several shards, where citus_total_relation_size() refuses; shards
 * created in the caller's transaction are not visible yet and count 0.
 * False when relid is not distributed: the caller measures the relation.
 */
bool
st_citus_size_and_count(Oid relid, int64 *bytes, int64 *count)
{
	Oid			argtype = REGCLASSOID;
	Datum		arg = ObjectIdGetDatum(relid);
	bool		isnull;

	if (!st_citus_is_distributed(relid))
		return false;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT COALESCE(pg_catalog.sum(pg_catalog.split_part(r.result, ' ', 1)::pg_catalog.int8), 0), "
							  "COALESCE(pg_catalog.sum(pg_catalog.split_part(r.result, ' ', 2)::pg_catalog.float8), 0)::pg_catalog.int8 "
							  "FROM pg_catalog.run_command_on_shards($1, 'SELECT pg_catalog.pg_total_relation_size(c.oid) "
							  "OPERATOR(pg_catalog.||) '' '' OPERATOR(pg_catalog.||) GREATEST(c.reltuples, 0) "
							  "FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) ''%1$s''::pg_catalog.regclass') r "
							  "WHERE r.success",
							  1, &argtype, &arg, NULL, true, 0) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not measure distributed table");
	*bytes = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	*count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	SPI_finish();
	return true;
}

/*
 * Is the statement running now exactly one call of function fn_oid, with
 * nothing else in its transaction: outside any transaction block (BEGIN,
 * or several statements of one query string), one statement whose plan is
 * SELECT fn(...) with no FROM, no other output column, no qualification,
 * no subquery and nothing volatile in fn's arguments.  A call from inside
 * another function, a DO block or a procedure is not: the statement
 * running is then that function's, DO or CALL.
 */
static bool
sole_call_of_statement(Oid fn_oid)
{
	PlannedStmt *stmt;
	Result	   *plan;
	TargetEntry *tle;
	FuncExpr   *call;

	if (IsTransactionBlock() || ActivePortal == NULL || list_length(ActivePortal->stmts) != 1)
		return false;
	stmt = linitial(ActivePortal->stmts);
	if (!IsA(stmt, PlannedStmt) || stmt->commandType != CMD_SELECT || stmt->utilityStmt != NULL ||
		stmt->hasModifyingCTE || stmt->subplans != NIL || stmt->planTree == NULL ||
		!IsA(stmt->planTree, Result))
		return false;
	plan = (Result *) stmt->planTree;
	if (outerPlan(plan) != NULL || plan->plan.qual != NIL || plan->resconstantqual != NULL ||
		plan->plan.initPlan != NIL || list_length(plan->plan.targetlist) != 1)
		return false;
	tle = linitial_node(TargetEntry, plan->plan.targetlist);
	if (!IsA(tle->expr, FuncExpr))
		return false;
	call = (FuncExpr *) tle->expr;
	return call->funcid == fn_oid && !contain_volatile_functions((Node *) call->args) &&
		!contain_subplans((Node *) call->args);
}

/*
 * Is the client's next message, already read into the backend's input
 * buffer, a Sync?  Then the implicit transaction of the extended-protocol
 * Execute running now commits as soon as the statement ends: libpq sends
 * Bind, Describe, Execute and Sync in one write outside pipeline mode
 * (PQexecPrepared, pgbench -M prepared).  Only what is buffered is looked
 * at, so this never waits for the client; nothing buffered (the Sync not
 * arrived yet, or the client pipelining), another message next, or no
 * client at all is a no.
 */
static bool
next_message_is_sync(void)
{
	int			c;

	if (MyProcPort == NULL || whereToSendOutput != DestRemote || pq_is_reading_msg())
		return false;
	/* PostgreSQL 17 replaced pq_buffer_has_data */
#if PG_VERSION_NUM >= 170000
	if (pq_buffer_remaining_data() <= 0)
		return false;
#else
	if (!pq_buffer_has_data())
		return false;
#endif
	/*
	 * pq_peekbyte belongs to a message read, as in the core's own uses; with
	 * data buffered it reads nothing from the socket
	 */
	pq_startmsgread();
	c = pq_peekbyte();
	pq_endmsgread();
	return c == 'S';
}

/*
 * Is the statement running now a query of the simple protocol, or the
 * statement that an EXECUTE of one runs?  exec_simple_query's unnamed
 * portal is the only one without a cached plan; EXECUTE runs the prepared
 * statement in a portal of its own, inside it.
 */
static bool
simple_query_statement(void)
{
	Portal		outer;
	PlannedStmt *stmt;

	if (ActivePortal->cplan == NULL)
		return ActivePortal->name[0] == '\0';
	outer = GetPortalByName("");
	if (outer == NULL || outer == ActivePortal || outer->cplan != NULL ||
		outer->status != PORTAL_ACTIVE || list_length(outer->stmts) != 1)
		return false;
	stmt = linitial(outer->stmts);
	return IsA(stmt, PlannedStmt) && stmt->utilityStmt != NULL &&
		IsA(stmt->utilityStmt, ExecuteStmt);
}

/*
 * Can nothing else be in the transaction of the statement running now
 * (sole_call_of_statement has found it alone in its statement, outside a
 * transaction block)?  Nothing before it wrote: a local write advances the
 * command counter past FirstCommandId (the executor marks it used for
 * every INSERT, UPDATE or DELETE, routed by Citus or not), and after a
 * write to a worker Citus is in a coordinated transaction and keeps its
 * transaction block whatever we ask.  And nothing can follow it: a
 * simple-protocol query of one statement (simple_query_statement) commits
 * when it ends, and so does an extended-protocol Execute whose Sync is
 * already here (next_message_is_sync).
 */
static bool
alone_in_transaction(void)
{
	if (GetCurrentCommandId(false) != FirstCommandId)
		return false;
	return simple_query_statement() || next_message_is_sync();
}

/*
 * Before put_item (the SQL function of fcinfo) writes one item of t (as
 * st_citus_lock_for_write returned it) by one statement (an unconditional
 * put without index maintenance): when t is
 * distributed, has no trigger but TRUNCATE ones (Citus' own), and the call
 * is the only thing its transaction does, let Citus send that statement as
 * it sends a hand-written autocommit INSERT, without BEGIN and COMMIT
 * around it (citus.function_opens_transaction_block off until
 * st_citus_end_sole_write).  The one statement commits or fails whole on
 * its worker.  singletable.citus_put_autocommit says what "the only thing"
 * means: auto (the default), alone in its statement
 * (sole_call_of_statement) and in its transaction (alone_in_transaction);
 * on, alone in its statement only, so a put pipelined before one Sync with
 * other statements commits before them; off, never.  A put among other
 * calls or statements keeps Citus' transaction block.  (A table with
 * several placements of a shard, such as a reference table, gets Citus'
 * transaction block whatever the setting.)  Returns the GUC nest level to
 * give to st_citus_end_sole_write, or -1 when nothing was changed.
 */
int
st_citus_begin_sole_write(StTable *t, FunctionCallInfo fcinfo)
{
	Relation	rel;
	bool		triggers = false;
	int			level;

	if (st_citus_put_autocommit == ST_CITUS_PUT_AUTOCOMMIT_OFF || !t->distributed ||
		st_citus_write_needs_old_item(t) || fcinfo->flinfo == NULL ||
		!sole_call_of_statement(fcinfo->flinfo->fn_oid) ||
		(st_citus_put_autocommit == ST_CITUS_PUT_AUTOCOMMIT_AUTO && !alone_in_transaction()))
		return -1;
	/* a trigger could write elsewhere; a TRUNCATE trigger (Citus' own) does not fire */
	rel = table_open(t->relid, AccessShareLock);
	for (int i = 0; rel->trigdesc != NULL && i < rel->trigdesc->numtriggers; i++)
		if (!TRIGGER_FOR_TRUNCATE(rel->trigdesc->triggers[i].tgtype))
			triggers = true;
	table_close(rel, AccessShareLock);
	if (triggers)
		return -1;
	level = NewGUCNestLevel();
	(void) set_config_option("citus.function_opens_transaction_block", "off", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return level;
}

/* After the write of st_citus_begin_sole_write: Citus' setting back. */
void
st_citus_end_sole_write(int level)
{
	if (level >= 0)
		AtEOXact_GUC(true, level);
}
