/*
 * execute_errors.c
 *	  execute(operation, request, raise_errors => false): a DynamoDB-level
 *	  error comes back as DynamoDB's own error body, {"__type": ...,
 *	  "message": ...}, instead of being raised, so an SDK adapter hands it to
 *	  the SDK's error parser as DynamoDB's HTTP answer.
 *
 *	  The request runs in an internal subtransaction, as a PL/pgSQL block
 *	  with an EXCEPTION clause runs its statements.  When it fails, the
 *	  subtransaction is rolled back -- rows written, row locks, SPI
 *	  connections, snapshots and every other resource the request took -- and
 *	  the caller's transaction goes on.  Whether an error becomes a body is
 *	  decided by its SQLSTATE alone (error_types below; README, "execute()
 *	  errors").  Every other error is raised again after the rollback:
 *	  internal errors, out of memory, cancels and timeouts, and serialization
 *	  failures and deadlocks, after which only a retry of the whole SQL
 *	  transaction helps (under REPEATABLE READ or SERIALIZABLE the same
 *	  request would fail again in this one).
 *
 *	  Fields of the body that only the code raising the error knows (the old
 *	  item of a failed condition, a cancelled transaction's
 *	  CancellationReasons) are handed over as jsonb by that code with
 *	  st_error_fields_attach() just before it raises.  They are copied into
 *	  this wrapper's memory context, which outlives the subtransaction, and
 *	  tied to the SQLSTATE and DETAIL of their error, so an error caught and
 *	  swallowed on the way (in a trigger's exception block, say) cannot lend
 *	  its fields to the one that reaches the wrapper.  The message of a body
 *	  without such fields is the DETAIL after its exception name, which
 *	  holds DynamoDB's wording ("ValidationException: The provided key
 *	  element does not match the schema."), without the final period (a
 *	  DETAIL whose DynamoDB message itself ends with one, such as "Input
 *	  collection [a, a] contains duplicates.", has two).
 */
#include "postgres.h"

#include <ctype.h>

#include "access/xact.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "errors.h"
#include "execute_errors.h"
#include "typedjson.h"

#define DYNAMODB_TYPE(name) "com.amazonaws.dynamodb.v20120810#" name
#define VALIDATION_TYPE "com.amazon.coral.validate#ValidationException"
#define ACCESS_DENIED_TYPE "com.amazon.coral.service#AccessDeniedException"

/* The SQLSTATEs answered with a body, and DynamoDB's __type for each. */
static const struct
{
	int			sqlerrcode;
	const char *type;
}			error_types[] =
{
	{ST_ERRCODE_CONDITIONAL_CHECK_FAILED, DYNAMODB_TYPE("ConditionalCheckFailedException")},
	{ST_ERRCODE_TRANSACTION_CANCELED, DYNAMODB_TYPE("TransactionCanceledException")},
	/* the event store's conflicts, as DynamoDB event stores detect them */
	{ST_ERRCODE_VERSION_CONFLICT, DYNAMODB_TYPE("ConditionalCheckFailedException")},
	{ST_ERRCODE_DUPLICATE_EVENT, DYNAMODB_TYPE("ConditionalCheckFailedException")},
	{ST_ERRCODE_TRANSACTION_CONFLICT, DYNAMODB_TYPE("TransactionConflictException")},
	{ST_ERRCODE_IDEMPOTENT_MISMATCH, DYNAMODB_TYPE("IdempotentParameterMismatchException")},
	{ERRCODE_INVALID_PARAMETER_VALUE, VALIDATION_TYPE},
	{ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, VALIDATION_TYPE},
	{ERRCODE_SYNTAX_ERROR, VALIDATION_TYPE},
	{ERRCODE_PROGRAM_LIMIT_EXCEEDED, VALIDATION_TYPE},
	{ERRCODE_UNDEFINED_OBJECT, VALIDATION_TYPE},
	{ERRCODE_DUPLICATE_OBJECT, VALIDATION_TYPE},
	{ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, VALIDATION_TYPE},
	{ERRCODE_UNDEFINED_TABLE, DYNAMODB_TYPE("ResourceNotFoundException")},
	{ERRCODE_DUPLICATE_TABLE, DYNAMODB_TYPE("ResourceInUseException")},
	{ERRCODE_CONFIGURATION_LIMIT_EXCEEDED, DYNAMODB_TYPE("LimitExceededException")},
	{ERRCODE_INSUFFICIENT_PRIVILEGE, ACCESS_DENIED_TYPE},
	{ERRCODE_FEATURE_NOT_SUPPORTED, ACCESS_DENIED_TYPE},
};

/* Body fields handed over by the code that raised the error being caught */
typedef struct ErrorFields
{
	MemoryContext cxt;			/* where they are kept: outlives the
								 * subtransaction */
	int			sqlerrcode;		/* 0 until attached */
	char	   *detail;
	char	   *message;
	Jsonb	   *fields;
} ErrorFields;

/* the innermost execute(raise_errors => false) running, or NULL */
static ErrorFields *capture = NULL;

void
st_error_fields_attach(int sqlerrcode, const char *detail, const char *message,
					   Jsonb *fields)
{
	MemoryContext old;

	if (capture == NULL)
		return;
	old = MemoryContextSwitchTo(capture->cxt);
	capture->sqlerrcode = sqlerrcode;
	capture->detail = pstrdup(detail);
	capture->message = pstrdup(message);
	capture->fields = fields ? DatumGetJsonbPCopy(JsonbPGetDatum(fields)) : NULL;
	MemoryContextSwitchTo(old);
}

static const char *
error_type(int sqlerrcode)
{
	for (int i = 0; i < lengthof(error_types); i++)
		if (error_types[i].sqlerrcode == sqlerrcode)
			return error_types[i].type;
	return NULL;
}

/*
 * DynamoDB's message for an error: its DETAIL after the exception name
 * ("ValidationException: ..."), without the final period, or else the
 * primary message.
 */
static char *
error_message(ErrorData *edata)
{
	const char *d = edata->detail;
	const char *p = d;
	char	   *m;
	size_t		len;

	if (d == NULL)
		return edata->message;
	while (isalpha((unsigned char) *p))
		p++;
	if (p == d || p[0] != ':' || p[1] != ' ' || p[2] == '\0')
		return edata->message;
	m = pstrdup(p + 2);
	len = strlen(m);
	if (m[len - 1] == '.')
		m[len - 1] = '\0';
	return m;
}

/* {"__type": type, "message": message, ...fields} */
static Jsonb *
error_body(const char *type, const char *message, Jsonb *fields)
{
	JsonbParseState *state = NULL;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	st_push_key(&state, "__type");
	st_push_string(&state, WJB_VALUE, type);
	st_push_key(&state, "message");
	st_push_string(&state, WJB_VALUE, message);
	if (fields)
	{
		JsonbIterator *it = JsonbIteratorInit(&fields->root);
		JsonbValue	v;
		JsonbIteratorToken tok;

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
			if (tok == WJB_KEY || tok == WJB_VALUE)
				pushJsonbValue(&state, tok, &v);
	}
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

/* What DynamoDB answers an operation it does not know. */
Jsonb *
st_unknown_operation_body(void)
{
	return error_body("com.amazon.coral.service#UnknownOperationException",
					  "Unknown operation exception", NULL);
}

/*
 * Run one request in a subtransaction: its response body, or the error body
 * of a DynamoDB-level error with the request's effects rolled back.  Other
 * errors are raised again, after the rollback.
 */
Jsonb *
st_execute_catching(StRequestRunner run, void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorFields *outer = capture;
	ErrorFields mine = {cxt, 0, NULL, NULL, NULL};
	Jsonb	   *volatile result = NULL;

	BeginInternalSubTransaction(NULL);
	/* the request allocates in the caller's context, as without us */
	MemoryContextSwitchTo(cxt);
	capture = &mine;
	PG_TRY();
	{
		result = run(arg);
		capture = outer;
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		const char *type;

		capture = outer;
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;

		type = error_type(edata->sqlerrcode);
		if (type == NULL)
			ReThrowError(edata);
		if (mine.sqlerrcode == edata->sqlerrcode && edata->detail &&
			strcmp(mine.detail, edata->detail) == 0)
			result = error_body(type, mine.message, mine.fields);
		else
			result = error_body(type, error_message(edata), NULL);
	}
	PG_END_TRY();
	return result;
}
