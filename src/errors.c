/*
 * errors.c
 *	  Keeps the extension's own SQL text out of the errors users see.
 *
 *	  Several SQL-callable functions do their work with SQL statements of
 *	  their own (SPI).  An error raised inside one (a privilege check, a row
 *	  too large, a dependent view) would carry a CONTEXT line quoting that
 *	  statement, or a QUERY field holding it: text the user never wrote and
 *	  cannot act on.  st_call_hiding_sql runs such a function so that its
 *	  errors keep their SQLSTATE, message, DETAIL and HINT, lose the context
 *	  added inside the function, and gain the caller's context as usual.
 *
 *	  The SQLSTATEs themselves are defined in errors.h.
 */
#include "postgres.h"

#include "fmgr.h"

#include "errors.h"

/*
 * Call fn(fcinfo) and return its result.  An error it raises is raised
 * again without the error context and internal query gathered inside fn;
 * the error context callbacks of the caller (a PL/pgSQL line, the calling
 * statement) still add theirs.  Only errors pass through here: notices
 * raised inside fn are reported as they are.
 */
Datum
st_call_hiding_sql(PGFunction fn, FunctionCallInfo fcinfo)
{
	ErrorContextCallback *outer = error_context_stack;
	MemoryContext cxt = CurrentMemoryContext;
	volatile Datum result = (Datum) 0;

	PG_TRY();
	{
		/* callbacks pushed inside fn stay; the caller's run on the re-throw */
		error_context_stack = NULL;
		result = fn(fcinfo);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/* PG_CATCH restored error_context_stack to outer */
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		edata->context = NULL;
		edata->internalquery = NULL;
		edata->internalpos = 0;
		ThrowErrorData(edata);
		pg_unreachable();
	}
	PG_END_TRY();
	error_context_stack = outer;
	return result;
}
