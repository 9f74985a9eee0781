/*
 * citus_layout.c
 *	  What the rest of the extension asks about a table Citus may
 *	  distribute (citus.h): is it distributed (read from Citus' catalog once
 *	  per table-catalog lookup), how an INSERT gives its plain key columns,
 *	  whether a write must read the old item for the index tables, which
 *	  operations are refused on it, and which table a shard relation
 *	  belongs to.  Below the catalog: it calls only keys.c, so catalog.c,
 *	  plans.c and the write paths can ask it without a circle; the commands
 *	  and the index maintenance are in citus.c.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
#include "lib/stringinfo.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "citus.h"
#include "keys.h"

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
 * Refuse an operation that does not work on a distributed table yet
 * (create_index: its backfill; time to live: its expiry reads rows by
 * ctid).
 */
void
st_citus_check_supported(StTable *t, StCitusUnsupported what)
{
	if (!t->distributed)
		return;
	if (what == ST_CITUS_CREATE_INDEX)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot create an index on distributed table \"%s\"", t->table_name),
				 errdetail("ValidationException: Citus distributes the table, and singletable does not support this on a distributed table."),
				 errhint("Do it before singletable.distribute_table(); see \"Scaling out with Citus\" in the README.")));
	else
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot enable time to live on distributed table \"%s\"", t->table_name),
				 errdetail("ValidationException: Citus distributes the table, and singletable does not support this on a distributed table."),
				 errhint("Do it before singletable.distribute_table(); see \"Scaling out with Citus\" in the README.")));
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
