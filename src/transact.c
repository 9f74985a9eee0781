/*
 * transact.c
 *	  transact_write and transact_get: DynamoDB's TransactWriteItems and
 *	  TransactGetItems over any singletable tables, all or nothing.
 *
 *	  transact_write works in two phases, so that every action's condition
 *	  is known before anything is written and the cancellation reasons can
 *	  name each one, as DynamoDB does:
 *
 *	  1. Lock: every target item's row is locked (SELECT ... FOR UPDATE, a
 *	     kept plan per table) in one canonical order -- table OID, then key
 *	     -- so two transactions over the same items queue instead of
 *	     deadlocking; then each condition is evaluated on the locked item.
 *	     If any is false, TransactionCanceledException (ST002) is raised
 *	     with one reason per action, in request order, and nothing has been
 *	     written.
 *	  2. Write: each Put, Update and Delete goes through st_write_item()
 *	     (items.c) with its condition, in the canonical order of phase 1,
 *	     so two transactions creating the same new items queue too.
 *	     Existing items are still locked, so their conditions hold.  An item that did not exist
 *	     cannot be locked; if another transaction inserts it in between and
 *	     the condition now fails, st_write_item's ConditionalCheckFailed is
 *	     turned into the same TransactionCanceledException by an error
 *	     context callback, and the statement's error rolls back what phase 2
 *	     wrote.
 *
 *	  The reasons travel in the error's DETAIL as JSON after the exception
 *	  name: TransactionCanceledException: {"CancellationReasons": [...]},
 *	  and as jsonb to execute(raise_errors => false), which returns them in
 *	  its error body (execute_errors.c).
 *	  A ConditionCheck on an item that does not exist does not stop another
 *	  transaction from inserting it before this one commits (Postgres locks
 *	  rows, not absent keys); run at SERIALIZABLE for that guarantee.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "batch.h"
#include "errors.h"
#include "execute_errors.h"
#include "expr.h"
#include "items.h"
#include "keys.h"
#include "plans.h"
#include "request.h"
#include "settings.h"
#include "typedjson.h"


typedef enum ActionKind
{
	ACT_PUT,
	ACT_UPDATE,
	ACT_DELETE,
	ACT_CHECK
} ActionKind;

/* DynamoDB's limit on the size of a TransactWriteItems request */
#define ST_TRANSACT_WRITE_MAX_BYTES (4 * 1024 * 1024)

static char *size_text(int bytes);

static const char *const action_names[] = {"Put", "Update", "Delete", "ConditionCheck"};

typedef struct Action
{
	int			index;			/* position in the request */
	ActionKind	kind;
	char	   *table_name;		/* TableName, as the request spells it */
	StWriteRequest req;
	StExprContext cx;
	bool		return_old;		/* ReturnValuesOnConditionCheckFailure ALL_OLD */
	char	   *keystr;			/* st_key_string, for order and duplicates */
	Jsonb	   *old_item;		/* the locked item, or NULL */
	bool		failed;
} Action;

/* ---------------------------------------------------------------------
 * Cancellation reasons
 * ---------------------------------------------------------------------
 */

/*
 * Raise TransactionCanceledException.  failed_index >= 0 marks one action
 * failed without its item (phase 2); otherwise each action's failed flag
 * and old item are used.  Called from an error context callback too, where
 * it must only modify the error being reported (callback = true).  The
 * reasons are built as jsonb, handed to execute(raise_errors => false) as
 * they are and printed into the DETAIL.
 */
static void
cancellation_report(Action **actions, int n, bool typed, int failed_index, bool callback,
					const char *validation)
{
	StringInfoData codes;
	JsonbParseState *state = NULL;
	Jsonb	   *reasons;
	char	   *message;
	char	   *detail;

	initStringInfo(&codes);
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	st_push_key(&state, "CancellationReasons");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < n; i++)
	{
		Action	   *a = actions[i];
		bool		failed = failed_index >= 0 ? (i == failed_index) : a->failed;
		const char *code = !failed ? "None" :
			validation ? "ValidationError" : "ConditionalCheckFailed";

		if (i > 0)
			appendStringInfoString(&codes, ", ");
		appendStringInfoString(&codes, code);
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		st_push_key(&state, "Code");
		st_push_string(&state, WJB_VALUE, code);
		if (failed)
		{
			st_push_key(&state, "Message");
			st_push_string(&state, WJB_VALUE,
						   validation ? validation : "The conditional request failed");
		}
		if (failed && failed_index < 0 && a->return_old && a->old_item)
		{
			st_push_key(&state, "Item");
			st_push_item(&state, WJB_VALUE, st_out_item(a->old_item, typed));
		}
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	reasons = JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
	detail = psprintf("TransactionCanceledException: %s",
					  JsonbToCString(NULL, &reasons->root, VARSIZE(reasons)));
	message = psprintf("Transaction cancelled, please refer cancellation reasons for specific reasons [%s]",
					   codes.data);
	st_error_fields_attach(ST_ERRCODE_TRANSACTION_CANCELED, detail, message, reasons);

	if (callback)
	{
		errcode(ST_ERRCODE_TRANSACTION_CANCELED);
		errmsg("transaction cancelled, please refer cancellation reasons for specific reasons [%s]",
			   codes.data);
		errdetail("%s", detail);
		errhint("Another transaction inserted an item this one expected to be absent.");
		return;
	}
	if (validation)
		ereport(ERROR,
				(errcode(ST_ERRCODE_TRANSACTION_CANCELED),
				 errmsg("transaction cancelled, please refer cancellation reasons for specific reasons [%s]",
						codes.data),
				 errdetail("%s", detail),
				 errhint("Action %d of the transaction is invalid: %s.", failed_index, validation)));
	ereport(ERROR,
			(errcode(ST_ERRCODE_TRANSACTION_CANCELED),
			 errmsg("transaction cancelled, please refer cancellation reasons for specific reasons [%s]",
					codes.data),
			 errdetail("%s", detail)));
}

/*
 * While catching an error in phase 2: DynamoDB's message of a
 * ValidationException (its DETAIL after "ValidationException: ", without
 * the final period), the error flushed; or NULL for any other error, left
 * to be raised again.
 */
static char *
validation_reason(MemoryContext cxt)
{
	ErrorData  *edata = CopyErrorData();
	const char *prefix = "ValidationException: ";
	char	   *m;
	size_t		len;

	if ((edata->sqlerrcode != ERRCODE_INVALID_PARAMETER_VALUE &&
		 edata->sqlerrcode != ERRCODE_PROGRAM_LIMIT_EXCEEDED &&
		 edata->sqlerrcode != ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE) ||
		edata->detail == NULL || strncmp(edata->detail, prefix, strlen(prefix)) != 0)
	{
		FreeErrorData(edata);
		return NULL;
	}
	FlushErrorState();
	m = MemoryContextStrdup(cxt, edata->detail + strlen(prefix));
	len = strlen(m);
	if (len > 0 && m[len - 1] == '.')
		m[len - 1] = '\0';
	return m;
}

typedef struct Phase2State
{
	Action	  **actions;
	int			n;
	int			current;
	bool		typed;
} Phase2State;

static void
phase2_error_callback(void *arg)
{
	Phase2State *st = arg;

	if (geterrcode() == ST_ERRCODE_CONDITIONAL_CHECK_FAILED)
		cancellation_report(st->actions, st->n, st->typed, st->current, true, NULL);
}

/* ---------------------------------------------------------------------
 * transact_write
 * ---------------------------------------------------------------------
 */

static const char *const put_fields[] = {
	"TableName", "Item", "ConditionExpression", "ExpressionAttributeNames",
	"ExpressionAttributeValues", "ReturnValuesOnConditionCheckFailure", NULL
};
static const char *const update_fields[] = {
	"TableName", "Key", "UpdateExpression", "ConditionExpression",
	"ExpressionAttributeNames", "ExpressionAttributeValues",
	"ReturnValuesOnConditionCheckFailure", NULL
};
static const char *const delete_fields[] = {
	"TableName", "Key", "ConditionExpression", "ExpressionAttributeNames",
	"ExpressionAttributeValues", "ReturnValuesOnConditionCheckFailure", NULL
};
static const char *const transact_write_item_fields[] = {
	"Put", "Update", "Delete", "ConditionCheck", NULL
};

static int
cmp_actions(const void *a, const void *b)
{
	return strcmp((*(Action *const *) a)->keystr, (*(Action *const *) b)->keystr);
}

/* Parse one action of TransactItems. */
static Action *
parse_write_action(JsonbContainer *elem, int index, bool typed)
{
	Action	   *a = palloc0(sizeof(Action));
	char	   *where = psprintf("TransactItems[%d]", index);
	JsonbContainer *body = NULL;
	char	   *cond;
	char	   *rv;
	Jsonb	   *values;

	a->index = index;
	st_check_fields(elem, transact_write_item_fields, where);
	for (int k = 0; k < 4; k++)
	{
		JsonbContainer *c = st_field_object(elem, action_names[k], where, false);

		if (c == NULL)
			continue;
		if (body != NULL)
			st_validation_error(where, "must hold exactly one of Put, Update, Delete and ConditionCheck");
		body = c;
		a->kind = (ActionKind) k;
	}
	if (body == NULL)
		st_validation_error(where, "must hold exactly one of Put, Update, Delete and ConditionCheck");
	where = psprintf("%s.%s", where, action_names[a->kind]);
	st_check_fields(body, a->kind == ACT_PUT ? put_fields :
					a->kind == ACT_UPDATE ? update_fields : delete_fields, where);

	a->table_name = st_field_string(body, "TableName", where, true);
	values = st_field_jsonb(body, "ExpressionAttributeValues", where, false);
	st_expr_context_init(&a->cx, st_field_jsonb(body, "ExpressionAttributeNames", where, false),
						 values ? st_plain_item(values, typed) : NULL);
	a->req.cx = &a->cx;

	if (a->kind == ACT_PUT)
	{
		a->req.kind = ST_WRITE_PUT;
		a->req.item = st_plain_item(st_field_jsonb(body, "Item", where, true), typed);
		st_validate_item(a->req.item);
	}
	else
	{
		a->req.kind = a->kind == ACT_UPDATE ? ST_WRITE_UPDATE : ST_WRITE_DELETE;
		a->req.key = st_plain_item(st_field_jsonb(body, "Key", where, true), typed);
	}
	if (a->kind == ACT_UPDATE)
		a->req.update = st_parse_update(&a->cx,
										st_field_string(body, "UpdateExpression", where, true));
	cond = st_field_string(body, "ConditionExpression", where, a->kind == ACT_CHECK);
	if (cond)
		a->req.condition = st_parse_condition(&a->cx, cond, "condition");
	st_expr_check_unused(&a->cx);

	rv = st_field_string(body, "ReturnValuesOnConditionCheckFailure", where, false);
	if (rv && strcmp(rv, "ALL_OLD") == 0)
		a->return_old = true;
	else if (rv && strcmp(rv, "NONE") != 0)
		st_validation_error(psprintf("%s.ReturnValuesOnConditionCheckFailure", where),
							"must be NONE or ALL_OLD, not \"%s\"", rv);
	return a;
}

/*
 * Once the whole request is well formed: the tables of the n actions, then
 * their keys against them (for an Update, the key attributes it must not
 * change), in request order.
 */
static void
bind_actions(Action **actions, int n)
{
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		actions[i]->req.table = st_table_by_name(actions[i]->table_name);
	}
	for (int i = 0; i < n; i++)
	{
		StWriteRequest *req = &actions[i]->req;

		CHECK_FOR_INTERRUPTS();
		if (req->item)
			st_item_key_datums(req->table, req->item, req->keys);
		else
			st_parse_key_arg(req->table, req->key, req->keys);
		if (req->kind == ST_WRITE_UPDATE)
			req->key_attrs = st_key_attr_list(req->table);
		actions[i]->keystr = st_key_string(req->table, req->keys);
	}
}

/*
 * Parse a TransactItems-like list into an array of elements, checking its
 * size against singletable.transact_max_items.
 */
static JsonbValue *
transact_elements(JsonbContainer *items, const char *what, int *n)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	JsonbValue *elems;
	int			i = 0;

	if (items == NULL || !JsonContainerIsArray(items) || JsonContainerIsScalar(items))
		st_validation_error("TransactItems", "must be an array of actions");
	*n = JsonContainerSize(items);
	if (*n == 0)
		st_validation_error("TransactItems", "must hold at least one action");
	if (*n > st_transact_max_items)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many actions for %s: %d, the limit is %d", what, *n, st_transact_max_items),
				 errdetail("ValidationException: Member must have length less than or equal to %d.",
						   st_transact_max_items),
				 errhint("The limit is the setting singletable.transact_max_items.")));
	elems = palloc(sizeof(JsonbValue) * *n);
	it = JsonbIteratorInit(items);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			st_validation_error(psprintf("TransactItems[%d]", i), "must be an object");
		elems[i++] = v;
	}
	return elems;
}

static void
check_one_action_per_item(Action **sorted, int n)
{
	for (int i = 1; i < n; i++)
		if (strcmp(sorted[i - 1]->keystr, sorted[i]->keystr) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("transaction request cannot include multiple operations on one item"),
					 errdetail("ValidationException: Transaction request cannot include multiple operations on one item (TransactItems[%d] and TransactItems[%d]).",
							   Min(sorted[i - 1]->index, sorted[i]->index),
							   Max(sorted[i - 1]->index, sorted[i]->index))));
}

/*
 * DynamoDB's 4 MB limit on a TransactWriteItems request: the actions as
 * sent, added up before any is parsed.
 */
static void
check_write_request_size(JsonbValue *elems, int n)
{
	int64		total = 0;

	for (int i = 0; i < n; i++)
		total += elems[i].val.binary.len;
	if (total > ST_TRANSACT_WRITE_MAX_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("transact_write request of %lld bytes exceeds the limit of %d bytes",
						(long long) total, ST_TRANSACT_WRITE_MAX_BYTES),
				 errdetail("ValidationException: The aggregate size of the items in the transaction exceeded %s.",
						   size_text(ST_TRANSACT_WRITE_MAX_BYTES))));
}

/*
 * TransactWriteItems.  items is TransactItems: [{"Put": {...}}, {"Update":
 * {...}}, {"Delete": {...}}, {"ConditionCheck": {...}}].  Returns {}.
 */
Jsonb *
st_transact_write(JsonbContainer *items, bool typed)
{
	int			n;
	JsonbValue *elems = transact_elements(items, "transact_write", &n);
	Action	  **actions = palloc(sizeof(Action *) * n);
	Action	  **sorted = palloc(sizeof(Action *) * n);
	MemoryContext outer = CurrentMemoryContext;
	bool		any_failed = false;
	Phase2State p2;
	ErrorContextCallback errcb;
	JsonbParseState *state = NULL;

	check_write_request_size(elems, n);
	for (int i = 0; i < n; i++)
		actions[i] = sorted[i] = parse_write_action(elems[i].val.binary.data, i, typed);
	bind_actions(actions, n);
	qsort(sorted, n, sizeof(Action *), cmp_actions);
	check_one_action_per_item(sorted, n);

	/* Phase 1: lock every target in canonical order. */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	for (int i = 0; i < n; i++)
	{
		Action	   *a = sorted[i];

		if (SPI_execute_plan(st_item_plan(a->req.table, ST_STMT_LOCK), a->req.keys, NULL, false, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not lock item");
		a->old_item = st_spi_first_jsonb(outer);
	}
	SPI_finish();

	/* ... then evaluate every condition, in request order. */
	for (int i = 0; i < n; i++)
	{
		Action	   *a = actions[i];

		if (a->req.condition && !st_eval_condition(&a->cx, a->req.condition, a->old_item))
			a->failed = any_failed = true;
	}
	if (any_failed)
		cancellation_report(actions, n, typed, -1, false, NULL);

	/* Phase 2: write. */
	p2.actions = actions;
	p2.n = n;
	p2.typed = typed;
	errcb.callback = phase2_error_callback;
	errcb.arg = &p2;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	PG_TRY();
	{
		for (int i = 0; i < n; i++)
		{
			/*
			 * In the order of phase 1: an item that did not exist could not
			 * be locked there, and writing it here in request order would
			 * let two transactions creating the same items in opposite
			 * orders deadlock.
			 */
			if (sorted[i]->kind == ACT_CHECK)
				continue;
			p2.current = sorted[i]->index;
			(void) st_write_item(&sorted[i]->req);
		}
	}
	PG_CATCH();
	{
		char	   *validation;

		/*
		 * An action that turns out invalid only when applied (an update
		 * adding a number to a string, an item grown past the size limit)
		 * cancels the transaction with a ValidationError reason, as in
		 * DynamoDB.  Raising the cancellation at once from here is safe:
		 * it aborts the statement as the caught error would have.
		 */
		error_context_stack = errcb.previous;
		MemoryContextSwitchTo(outer);
		validation = validation_reason(outer);
		if (validation == NULL)
			PG_RE_THROW();
		cancellation_report(actions, n, typed, *(volatile int *) &p2.current, false, validation);
	}
	PG_END_TRY();
	error_context_stack = errcb.previous;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

/* ---------------------------------------------------------------------
 * ClientRequestToken
 * ---------------------------------------------------------------------
 */

/* How long a token is remembered, as DynamoDB does */
#define ST_TOKEN_TTL "10 minutes"
#define ST_TOKEN_MAX_LENGTH 36

/* The statements of the token protocol, each planned once per backend */
typedef enum TokenStmt
{
	TOKEN_CLEANUP,
	TOKEN_CLAIM,
	TOKEN_PREVIOUS,
	TOKEN_ANSWER,
	TOKEN_NSTMTS
} TokenStmt;

/*
 * Run one statement of the token protocol (sql, with nargs of the
 * arguments (text, jsonb)); returns SPI_processed.
 */
static uint64
token_sql(TokenStmt stmt, const char *sql, int nargs, Datum *values, int expect)
{
	static SPIPlanPtr plans[TOKEN_NSTMTS];
	Oid			types[2] = {TEXTOID, JSONBOID};
	int			rc;

	if (plans[stmt] == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "could not prepare a ClientRequestToken statement: %s",
				 SPI_result_code_string(SPI_result));
		plans[stmt] = plan;
	}
	rc = SPI_execute_plan(plans[stmt], values, NULL, false, 0);
	if (rc != expect)
		elog(ERROR, "unexpected SPI result %s", SPI_result_code_string(rc));
	return SPI_processed;
}

/*
 * TransactWriteItems with a ClientRequestToken (execute()): the first
 * request with a token runs and its answer is stored with a hash of its
 * TransactItems in singletable.client_request_tokens, per role; for 10 minutes, the
 * same token with the same TransactItems gets that answer again without
 * running, and with other TransactItems IdempotentParameterMismatchException
 * (ST006).  The token row is written in the transaction that applies the
 * request, so a request that fails leaves no token and may be retried; two
 * sessions sending the same token at once queue on its primary key and
 * the second gets the first's answer.  Expired tokens are deleted here,
 * lazily.
 */
Jsonb *
st_transact_write_idempotent(Jsonb *items, const char *token, bool typed)
{
	static const char *const cleanup =
		"DELETE FROM singletable.client_request_tokens"
		" WHERE owner OPERATOR(pg_catalog.=) CURRENT_USER AND created_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) '" ST_TOKEN_TTL "'::pg_catalog.interval)";
	static const char *const claim =
		"INSERT INTO singletable.client_request_tokens (token, request_hash, response)"
		" VALUES ($1, pg_catalog.sha256(pg_catalog.convert_to($2::pg_catalog.text, 'UTF8')), '{}')"
		" ON CONFLICT (owner, token) DO NOTHING";
	static const char *const previous =
		"SELECT response, request_hash OPERATOR(pg_catalog.=) pg_catalog.sha256(pg_catalog.convert_to($2::pg_catalog.text, 'UTF8'))"
		" FROM singletable.client_request_tokens"
		" WHERE owner OPERATOR(pg_catalog.=) CURRENT_USER AND token OPERATOR(pg_catalog.=) $1";
	static const char *const answer =
		"UPDATE singletable.client_request_tokens SET response = $2"
		" WHERE owner OPERATOR(pg_catalog.=) CURRENT_USER AND token OPERATOR(pg_catalog.=) $1";
	MemoryContext outer = CurrentMemoryContext;
	Datum		values[2];
	Jsonb	   *result = NULL;
	bool		same = false;

	if (strlen(token) < 1 || strlen(token) > ST_TOKEN_MAX_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"ClientRequestToken\": must be 1 to %d characters long",
						ST_TOKEN_MAX_LENGTH),
				 errdetail("ValidationException: 1 validation error detected: Value '%s' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to %d.",
						   token, ST_TOKEN_MAX_LENGTH)));
	values[0] = CStringGetTextDatum(token);
	values[1] = JsonbPGetDatum(items);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	(void) token_sql(TOKEN_CLEANUP, cleanup, 0, NULL, SPI_OK_DELETE);
	if (token_sql(TOKEN_CLAIM, claim, 2, values, SPI_OK_INSERT) == 0 &&
		token_sql(TOKEN_PREVIOUS, previous, 2, values, SPI_OK_SELECT) == 1)
	{
		bool		isnull;

		same = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		if (same)
			result = st_spi_first_jsonb(outer);
	}
	else
		same = true;
	SPI_finish();
	if (!same)
		ereport(ERROR,
				(errcode(ST_ERRCODE_IDEMPOTENT_MISMATCH),
				 errmsg("ClientRequestToken \"%s\" was used for another request in the last %s", token, ST_TOKEN_TTL),
				 errdetail("IdempotentParameterMismatchException: The request uses the same client token as a previous, but different, request."),
				 errhint("Use a new token for a new request.")));
	if (result)
		return result;

	result = st_transact_write(&items->root, typed);
	values[1] = JsonbPGetDatum(result);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	(void) token_sql(TOKEN_ANSWER, answer, 2, values, SPI_OK_UPDATE);
	SPI_finish();
	return result;
}

/* ---------------------------------------------------------------------
 * transact_get
 * ---------------------------------------------------------------------
 */

static const char *const transact_get_item_fields[] = {"Get", NULL};
static const char *const get_fields[] = {
	"TableName", "Key", "ProjectionExpression", "ExpressionAttributeNames", NULL
};

/*
 * A size limit as DynamoDB's messages write it: "4 MB", "400 KB", or bytes.
 */
static char *
size_text(int bytes)
{
	if (bytes % (1024 * 1024) == 0)
		return psprintf("%d MB", bytes / (1024 * 1024));
	if (bytes % 1024 == 0)
		return psprintf("%d KB", bytes / 1024);
	return psprintf("%d bytes", bytes);
}

/*
 * TransactGetItems.  items is TransactItems: [{"Get": {"TableName", "Key",
 * "ProjectionExpression", "ExpressionAttributeNames"}}].  Returns
 * {"Responses": [{"Item": {...}} or {} when there is no item]}, in request
 * order, all read at the statement's snapshot.
 *
 * The items returned (projected, when asked) may add up to
 * singletable.transact_get_max_size, DynamoDB's 4 MB; past it the whole
 * call fails with ValidationException, as DynamoDB rejects the request.
 */
Jsonb *
st_transact_get(JsonbContainer *items, bool typed)
{
	int			n;
	JsonbValue *elems = transact_elements(items, "transact_get", &n);
	Action	  **actions = palloc(sizeof(Action *) * n);
	Action	  **sorted = palloc(sizeof(Action *) * n);
	StExpr	  **projections = palloc0(sizeof(StExpr *) * n);
	JsonbParseState *state = NULL;
	StReadBudget budget;

	for (int i = 0; i < n; i++)
	{
		Action	   *a = palloc0(sizeof(Action));
		char	   *where = psprintf("TransactItems[%d]", i);
		JsonbContainer *body;
		char	   *proj;

		st_check_fields(elems[i].val.binary.data, transact_get_item_fields, where);
		body = st_field_object(elems[i].val.binary.data, "Get", where, true);
		where = psprintf("%s.Get", where);
		st_check_fields(body, get_fields, where);
		a->index = i;
		a->table_name = st_field_string(body, "TableName", where, true);
		a->req.key = st_plain_item(st_field_jsonb(body, "Key", where, true), typed);
		st_expr_context_init(&a->cx, st_field_jsonb(body, "ExpressionAttributeNames", where, false), NULL);
		proj = st_field_string(body, "ProjectionExpression", where, false);
		if (proj)
			projections[i] = st_parse_projection(&a->cx, proj);
		st_expr_check_unused(&a->cx);
		actions[i] = sorted[i] = a;
	}
	bind_actions(actions, n);
	qsort(sorted, n, sizeof(Action *), cmp_actions);
	check_one_action_per_item(sorted, n);

	st_read_budget_init(&budget, st_transact_get_max_size);
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	st_push_key(&state, "Responses");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < n; i++)
	{
		Action	   *a = actions[i];
		Jsonb	   *item;

		CHECK_FOR_INTERRUPTS();
		item = st_fetch_item(a->req.table, a->req.keys);
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		if (item)
		{
			if (projections[i])
				item = st_apply_projection(&a->cx, projections[i], item);
			if (!st_read_budget_add(&budget, item))
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("aggregate size of the items in transact_get exceeds the limit of %d bytes",
								st_transact_get_max_size),
						 errdetail("ValidationException: The aggregate size of the items in the transaction exceeded %s.",
								   size_text(st_transact_get_max_size)),
						 errhint("The limit is the setting singletable.transact_get_max_size.")));
			st_push_key(&state, "Item");
			st_push_item(&state, WJB_VALUE, st_out_item(item, typed));
		}
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

static JsonbContainer *
items_arg(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		st_null_request_error("TransactItems");
	return &PG_GETARG_JSONB_P(0)->root;
}

/* transact_write(items jsonb) RETURNS jsonb */
static Datum
transact_write_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(st_transact_write(items_arg(fcinfo), false));
}

ST_FUNCTION_HIDING_SQL(st_sql_transact_write, transact_write_sql)

/* transact_get(items jsonb) RETURNS jsonb */
static Datum
transact_get_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(st_transact_get(items_arg(fcinfo), false));
}

ST_FUNCTION_HIDING_SQL(st_sql_transact_get, transact_get_sql)
