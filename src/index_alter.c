/*
 * index_alter.c
 *	  Index tables follow ALTER TABLE of their base table: an event trigger
 *	  on ddl_command_end gives them the base table's new owner, moves them
 *	  to its new schema, renames them to <new name>__<index> and makes them
 *	  LOGGED or UNLOGGED with it.
 *
 *	  The owner and persistence must follow: the maintenance trigger and
 *	  readers refuse an index table whose owner is not the base table's
 *	  (index_trigger.c), and an index whose table survives a crash that its
 *	  base table does not (or the reverse) would hold entries of lost items
 *	  (or lose entries of kept ones).  Name and schema need not (the catalog
 *	  follows index tables by OID), but they follow so that the names stay
 *	  what create_index would give and a schema keeps nothing of a table
 *	  moved out of it.  A name that is taken, or too long, is left as it is
 *	  with a NOTICE; the index works either way.
 *
 *	  Only the statement that changed a thing makes index tables follow it
 *	  (the parse tree tells which): ALTER TABLE ... RENAME renames them, but
 *	  other ALTER TABLE commands, such as those of a pg_restore after the
 *	  catalog rows are loaded, leave their names alone.
 *
 *	  Each change runs as the ALTER TABLE statement a user would type, with
 *	  the caller's rights: whoever could alter the base table can alter its
 *	  index tables, which have the same owner, and PostgreSQL checks the
 *	  rest.  An index table the caller does not own (its owner was changed
 *	  by hand) fails the whole statement, so nothing is left half done.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "index.h"

PG_FUNCTION_INFO_V1(st_index_tables_follow);

/* the indexes of the tables a statement altered, prepared once per backend */
static SPIPlanPtr altered_indexes_plan = NULL;

/* What an ALTER TABLE statement changed that index tables follow. */
typedef struct FollowWhat
{
	bool		owner;
	bool		schema;
	bool		name;
	bool		persistence;
} FollowWhat;

static bool
follow_what(Node *stmt, FollowWhat *what)
{
	memset(what, 0, sizeof(FollowWhat));
	if (IsA(stmt, RenameStmt))
		what->name = ((RenameStmt *) stmt)->renameType == OBJECT_TABLE;
	else if (IsA(stmt, AlterObjectSchemaStmt))
		what->schema = ((AlterObjectSchemaStmt *) stmt)->objectType == OBJECT_TABLE;
	else if (IsA(stmt, AlterTableStmt))
	{
		ListCell   *lc;

		foreach(lc, ((AlterTableStmt *) stmt)->cmds)
		{
			AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

			if (cmd->subtype == AT_ChangeOwner)
				what->owner = true;
			else if (cmd->subtype == AT_SetLogged || cmd->subtype == AT_SetUnLogged)
				what->persistence = true;
		}
	}
	return what->owner || what->schema || what->name || what->persistence;
}

/* Can a table be named name in namespace nsp (its row type included)? */
static bool
table_name_free(const char *name, Oid nsp)
{
	return !OidIsValid(get_relname_relid(name, nsp)) &&
		!OidIsValid(GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									CStringGetDatum(name), ObjectIdGetDatum(nsp)));
}

/* Run ALTER TABLE <index table> <change>, as its owner only. */
static void
alter_index_table(Oid irelid, const char *change)
{
	char	   *qualified = quote_qualified_identifier(get_namespace_name(get_rel_namespace(irelid)),
													   get_rel_name(irelid));

	st_index_check_owner(irelid);
	if (SPI_execute(psprintf("ALTER TABLE %s %s", qualified, change), false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not alter index table %s", qualified);
	CommandCounterIncrement();
}

/* Make index table irelid of index index_name follow its base table. */
static void
follow(Oid base, Oid irelid, const char *index_name, const FollowWhat *what)
{
	HeapTuple	tup;
	Form_pg_class b;
	Form_pg_class ix;
	Oid			owner;
	Oid			nsp;
	char		persistence;
	char	   *target;

	tup = SearchSysCacheCopy1(RELOID, ObjectIdGetDatum(base));
	if (!HeapTupleIsValid(tup))
		return;
	b = (Form_pg_class) GETSTRUCT(tup);
	owner = b->relowner;
	nsp = b->relnamespace;
	persistence = b->relpersistence;
	target = psprintf("%s__%s", NameStr(b->relname), index_name);
	tup = SearchSysCacheCopy1(RELOID, ObjectIdGetDatum(irelid));
	if (!HeapTupleIsValid(tup))
		return;					/* dropped by hand */
	ix = (Form_pg_class) GETSTRUCT(tup);

	if (what->owner && ix->relowner != owner)
		alter_index_table(irelid, psprintf("OWNER TO %s",
										   quote_identifier(GetUserNameFromId(owner, false))));
	if (what->persistence && ix->relpersistence != persistence)
		alter_index_table(irelid, persistence == RELPERSISTENCE_UNLOGGED ? "SET UNLOGGED" : "SET LOGGED");
	if (what->schema && ix->relnamespace != nsp)
	{
		if (table_name_free(NameStr(ix->relname), nsp))
			alter_index_table(irelid, psprintf("SET SCHEMA %s",
											   quote_identifier(get_namespace_name(nsp))));
		else
			ereport(NOTICE,
					(errmsg("index table \"%s\" of index \"%s\" stays in schema \"%s\"",
							NameStr(ix->relname), index_name, get_namespace_name(ix->relnamespace)),
					 errdetail("A relation or type named \"%s\" already exists in schema \"%s\". The index works from either schema.",
							   NameStr(ix->relname), get_namespace_name(nsp))));
	}
	if (what->name && strcmp(NameStr(ix->relname), target) != 0)
	{
		Oid			inspc = get_rel_namespace(irelid);

		if (strlen(target) >= NAMEDATALEN)
			ereport(NOTICE,
					(errmsg("index table \"%s\" of index \"%s\" keeps its name", NameStr(ix->relname), index_name),
					 errdetail("The name \"%s\" would be longer than %d bytes. The index works under either name.",
							   target, NAMEDATALEN - 1)));
		else if (!table_name_free(target, inspc))
			ereport(NOTICE,
					(errmsg("index table \"%s\" of index \"%s\" keeps its name", NameStr(ix->relname), index_name),
					 errdetail("A relation or type named \"%s\" already exists in schema \"%s\". The index works under either name.",
							   target, get_namespace_name(inspc))));
		else
			alter_index_table(irelid, psprintf("RENAME TO %s", quote_identifier(target)));
	}
}

/*
 * index_tables_follow() RETURNS event_trigger: ON ddl_command_end WHEN TAG
 * IN ('ALTER TABLE').  The altered tables come from
 * pg_event_trigger_ddl_commands(); those without indexes cost one catalog
 * query (a plan kept per backend), and statements that change nothing index
 * tables follow cost nothing.
 */
Datum
st_index_tables_follow(PG_FUNCTION_ARGS)
{
	FollowWhat	what;
	uint64		n;
	Oid		   *bases;
	Oid		   *irelids;
	char	  **names;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by event trigger manager",
						"singletable.index_tables_follow")));
	if (!follow_what(((EventTriggerData *) fcinfo->context)->parsetree, &what))
		PG_RETURN_VOID();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (altered_indexes_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare("SELECT i.relid::pg_catalog.oid, i.index_relid::pg_catalog.oid, i.index_name"
									   " FROM pg_catalog.pg_event_trigger_ddl_commands() c"
									   " JOIN singletable.indexes i"
									   " ON i.relid::pg_catalog.oid OPERATOR(pg_catalog.=) c.objid"
									   " WHERE c.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
									   " AND c.objsubid OPERATOR(pg_catalog.=) 0"
									   " ORDER BY i.relid, i.index_name", 0, NULL);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "could not prepare the query of the altered tables' indexes");
		altered_indexes_plan = plan;
	}
	if (SPI_execute_plan(altered_indexes_plan, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the altered tables' indexes");
	/* keep the rows: the ALTER statements below run through SPI too */
	n = SPI_processed;
	bases = palloc(sizeof(Oid) * n);
	irelids = palloc(sizeof(Oid) * n);
	names = palloc(sizeof(char *) * n);
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;

		bases[i] = DatumGetObjectId(SPI_getbinval(row, desc, 1, &isnull));
		irelids[i] = DatumGetObjectId(SPI_getbinval(row, desc, 2, &isnull));
		names[i] = SPI_getvalue(row, desc, 3);
	}
	for (uint64 i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		follow(bases[i], irelids[i], names[i], &what);
	}
	SPI_finish();
	PG_RETURN_VOID();
}
