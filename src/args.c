/*
 * args.c
 *	  Reading the arguments of the SQL-callable functions, one copy for all
 *	  of them.  Optional arguments come back as NULL pointers.  A required
 *	  argument that is NULL is reported with SQLSTATE 22004
 *	  (null_value_not_allowed), as PostgreSQL itself does.  The table
 *	  argument is resolved by st_table_arg in catalog.c, the catalog's
 *	  job, so that this file depends on nothing else in the extension.
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
