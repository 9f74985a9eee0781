/*
 * args.c
 *	  Reading the arguments of the SQL-callable functions, one copy for all
 *	  of them.  Optional arguments come back as NULL pointers; the table
 *	  argument is required and resolved to its StTable.  A required
 *	  argument that is NULL is reported with SQLSTATE 22004
 *	  (null_value_not_allowed), as PostgreSQL itself does; what the
 *	  caller then does with the table (privileges, locks) is its own job.
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "args.h"

/* Argument n as jsonb, or NULL when it is SQL NULL. */
Jsonb *
st_jsonb_arg(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : PG_GETARG_JSONB_P(n);
}

/* Argument n as a palloc'd C string, or NULL when it is SQL NULL. */
char *
st_text_arg(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

/*
 * Argument n, a regclass, as the singletable table it names.  Raises
 * 22004 when it is NULL and st_table_lookup's error when it is not a
 * singletable table.
 */
StTable *
st_table_arg(FunctionCallInfo fcinfo, int n)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table must not be null"),
				 errdetail("ValidationException: TableName is required.")));
	return st_table_lookup(PG_GETARG_OID(n), false);
}
