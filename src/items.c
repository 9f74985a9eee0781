/*
 * items.c
 *	  Single-item operations: put_item, get_item, delete_item, update_item.
 *
 *	  Reads of one item by key use the primary key's btree directly (no
 *	  planner, no SQL, no executor start-up), except when row-level
 *	  security applies to the caller: then a kept SPI plan reads it, so
 *	  policies are honoured.  The locks taken are kept to the end of the
 *	  transaction, as a SELECT keeps them, so repeated reads of a table in
 *	  one transaction find them in the local lock table.  A call that reads
 *	  many keys of one table (batch_get) keeps one reader (StItemReader)
 *	  per table: the privilege check, the relations and the index scan are
 *	  set up at its first read, and its keys are found with one cursor
 *	  (key_cursor.c), which reads a run of keys in key order within a
 *	  partition with one scan.
 *
 *	  An unconditional put (no condition, no return values) goes through
 *	  the direct write path of items_direct.c when the table has the shape
 *	  create_table gives it and the caller may write it without row-level
 *	  security: no SQL, the item validated once (the caller's
 *	  st_validate_item stands for the CHECK constraint) and its key columns
 *	  computed once.  Otherwise, and for every other write, writes go
 *	  through the item statements of plans.c, prepared once per table and
 *	  kept, as ri_triggers.c keeps its plans, so the
 *	  executor applies the table's generated key columns, CHECK
 *	  constraints, triggers, policies and privileges exactly as for plain
 *	  DML, and no SQL text is parsed per call.
 *
 *	  Conditional writes (a condition expression, or return values that
 *	  need the old item) lock the item's row with SELECT ... FOR UPDATE,
 *	  evaluate, then UPDATE or DELETE it; when there is no row, they INSERT
 *	  ... ON CONFLICT DO NOTHING and start over if another transaction
 *	  inserted the key first, so a condition is atomic with its write, as in
 *	  DynamoDB.
 *
 *	  Cost (instructions per call, callgrind, one backend, 100,000 items,
 *	  each call its own transaction; the hand-written prepared SQL beside):
 *	  get_item 88.7k vs SELECT item ... WHERE pk = $1 AND sk = $2 88.5k,
 *	  of which about 60k are the statement itself (a SELECT of the key's
 *	  jsonb_build_object alone costs 60.4k) and 16k the btree probe both
 *	  share; put_item 143k vs the upsert 199k (with one GSI: 166k vs 387k).
 *	  The upsert spends ~85k of its 199k starting its executor, 38k of them
 *	  parsing the generated columns' expressions (build_column_default,
 *	  paid a second time by the trigger code when the table has a GSI), and
 *	  16k on the CHECK constraint: the direct path skips all of these.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

#include "args.h"
#include "catalog.h"
#include "errors.h"
#include "execute_errors.h"
#include "expr.h"
#include "items.h"
#include "key_cursor.h"
#include "citus.h"
#include "keys.h"
#include "plans.h"
#include "singletable.h"
#include "typedjson.h"


/* Retries of a conditional write that lost an insert race, before giving up */
#define ST_MAX_WRITE_RETRIES 100


/*
 * Parse and check a key argument: a JSON object holding exactly the table's
 * key attributes, of the right types.  Fills keys[0..1] with the key column
 * Datums.
 */
void
st_parse_key_arg(StTable *t, Jsonb *key, Datum *keys)
{
	int			expected = t->sk_attr ? 2 : 1;
	JsonbValue	pk;
	JsonbValue	sk;

	if (key == NULL || JB_ROOT_IS_SCALAR(key) || !JB_ROOT_IS_OBJECT(key) ||
		JB_ROOT_COUNT(key) != expected ||
		st_get_attr(key, t->pk_attr, &pk) == NULL ||
		(t->sk_attr && st_get_attr(key, t->sk_attr, &sk) == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key must hold exactly the key attributes of table \"%s\"", t->table_name),
				 errdetail("ValidationException: The provided key element does not match the schema."),
				 t->sk_attr ? errhint("The key attributes are \"%s\" and \"%s\".", t->pk_attr, t->sk_attr)
				 : errhint("The key attribute is \"%s\".", t->pk_attr)));
	keys[0] = st_key_param_datum(&pk, t->pk_attr, t->pk_type,
								 ST_MAX_PARTITION_KEY_BYTES, true);
	if (t->sk_attr)
		keys[1] = st_key_param_datum(&sk, t->sk_attr, t->sk_type,
									 ST_MAX_SORT_KEY_BYTES, false);
}

/*
 * Read one item by its key column Datums with the primary key's btree, in
 * the active snapshot, through the reader's open scan.  Returns a copy in
 * CurrentMemoryContext, or NULL.
 */
static Jsonb *
fetch_item_direct(StItemReader *r, Datum *keys)
{
	ScanKeyData skey[2];
	int			nkeys = st_key_scankeys(r->table, keys, skey);
	Jsonb	   *result = NULL;

	index_rescan(r->scan, skey, nkeys, NULL, 0);
	if (index_getnext_slot(r->scan, ForwardScanDirection, r->slot))
	{
		bool		isnull;
		Datum		d = slot_getattr(r->slot, ST_ATTNUM_ITEM, &isnull);

		if (!isnull)
			result = DatumGetJsonbPCopy(d);
	}
	return result;
}

/*
 * The jsonb in the first column of SPI's first result row, copied into
 * outer (out of SPI's memory); NULL when there is no row or it is NULL.
 */
Jsonb *
st_spi_first_jsonb(MemoryContext outer)
{
	bool		isnull;
	Datum		d;
	MemoryContext old;
	Jsonb	   *result;

	if (SPI_processed == 0)
		return NULL;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		return NULL;
	old = MemoryContextSwitchTo(outer);
	result = DatumGetJsonbPCopy(d);
	MemoryContextSwitchTo(old);
	return result;
}

/*
 * Readers of items by key (StItemReader, items.h).  The first read checks
 * SELECT privilege and whether row-level security applies; without it
 * (and on a local table) the reader opens the table, its primary key and
 * one index scan, in the active snapshot, and every read rescans it (or,
 * for a reader of many keys, seeks its key cursor, which rescans only
 * where a run of keys in key order breaks); otherwise every read runs the
 * kept SPI plan, so policies are honoured.
 * The locks taken are kept to the end of the transaction, as a SELECT
 * keeps them.
 */
void
st_item_reader_init(StItemReader *r, StTable *t, bool many)
{
	r->table = t;
	r->started = false;
	r->many = many;
}

/*
 * Read one item by key, honouring privileges and row-level security.
 * Returns a copy in CurrentMemoryContext, or NULL.
 */
Jsonb *
st_item_reader_fetch(StItemReader *r, Datum *keys)
{
	StTable    *t = r->table;
	MemoryContext outer = CurrentMemoryContext;
	Jsonb	   *result;

	if (!r->started)
	{
		AclResult	aclresult = pg_class_aclcheck(t->relid, GetUserId(), ACL_SELECT);

		if (aclresult != ACLCHECK_OK)
			aclcheck_error(aclresult, OBJECT_TABLE, t->table_name);
		r->direct = !t->distributed &&
			(!t->row_security || check_enable_rls(t->relid, InvalidOid, false) != RLS_ENABLED);
		if (r->direct)
		{
			int			nkeys = t->sk_attr ? 2 : 1;

			r->heap = table_open(t->relid, AccessShareLock);
			r->index = index_open(t->pkey_index, AccessShareLock);
			r->slot = table_slot_create(r->heap, NULL);
			if (r->many)
			{
				r->cursor = palloc(sizeof(StKeyCursor));
				st_key_cursor_begin(r->cursor, t, r->heap, r->index, GetActiveSnapshot());
			}
			else
				r->scan = st_index_beginscan(r->heap, r->index, GetActiveSnapshot(), nkeys, 0);
		}
		r->started = true;
	}
	if (r->direct && r->many)
	{
		bool		isnull;
		Datum		d;

		if (!st_key_cursor_seek(r->cursor, keys, r->slot))
			return NULL;
		d = slot_getattr(r->slot, ST_ATTNUM_ITEM, &isnull);
		return isnull ? NULL : DatumGetJsonbPCopy(d);
	}
	if (r->direct)
		return fetch_item_direct(r, keys);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_plan(st_item_plan(t, ST_STMT_SELECT), keys, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read item");
	result = st_spi_first_jsonb(outer);
	SPI_finish();
	return result;
}

/* Close what the reader opened; it may then read again, as a new one. */
void
st_item_reader_end(StItemReader *r)
{
	if (r->started && r->direct)
	{
		if (r->many)
			st_key_cursor_end(r->cursor);
		else
			index_endscan(r->scan);
		ExecDropSingleTupleTableSlot(r->slot);
		/* keep the locks to the end of the transaction, as a SELECT does */
		index_close(r->index, NoLock);
		table_close(r->heap, NoLock);
	}
	r->started = false;
}

/*
 * Read one item by key, honouring privileges and row-level security.
 * Returns a copy in CurrentMemoryContext, or NULL.
 */
Jsonb *
st_fetch_item(StTable *t, Datum *keys)
{
	StItemReader r;
	Jsonb	   *result;

	st_item_reader_init(&r, t, false);
	result = st_item_reader_fetch(&r, keys);
	st_item_reader_end(&r);
	return result;
}

/* Parse return_values against what an operation allows. */
StReturnValues
st_parse_return_values(text *arg, const char *operation, int allowed)
{
	static const char *const names[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"};
	char	   *s;
	int			i;

	if (arg == NULL)
		return ST_RETURN_NONE;
	s = text_to_cstring(arg);
	/* case-sensitive, as DynamoDB's enum values are */
	for (i = 0; i < lengthof(names); i++)
		if (strcmp(s, names[i]) == 0)
			break;
	if (i < lengthof(names) && (allowed & (1 << i)))
		return (StReturnValues) i;
	if (i < lengthof(names))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid return_values \"%s\" for %s", s, operation),
				 errdetail("ValidationException: ReturnValues can only be %s.",
						   allowed == ST_RV_PUT_DELETE ? "ALL_OLD or NONE" :
						   "NONE, ALL_OLD, UPDATED_OLD, ALL_NEW or UPDATED_NEW")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid return_values \"%s\" for %s", s, operation),
			 errdetail("ValidationException: 1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW].",
					   s),
			 errhint("The values are case-sensitive.")));
	return ST_RETURN_NONE;
}

/*
 * Raise ConditionalCheckFailedException.  With old_item, the DETAIL carries
 * it in typed JSON, as the body of execute(raise_errors => false) does:
 * ConditionalCheckFailedException: {"Item": {...}}.
 */
void
st_condition_failed(Jsonb *old_item)
{
	char	   *fields_text = NULL;

	if (old_item)
	{
		JsonbParseState *state = NULL;
		Jsonb	   *fields;

		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		st_push_key(&state, "Item");
		st_push_typed_item(&state, old_item);
		fields = JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
		fields_text = JsonbToCString(NULL, &fields->root, VARSIZE(fields));
		st_error_fields_attach(ST_ERRCODE_CONDITIONAL_CHECK_FAILED,
							   psprintf("ConditionalCheckFailedException: %s", fields_text),
							   "The conditional request failed", fields);
	}
	ereport(ERROR,
			(errcode(ST_ERRCODE_CONDITIONAL_CHECK_FAILED),
			 errmsg("conditional request failed"),
			 fields_text ?
			 errdetail("ConditionalCheckFailedException: %s", fields_text) :
			 errdetail("ConditionalCheckFailedException: The conditional request failed.")));
}

/* The key argument of get_item, delete_item and update_item: required. */
static Jsonb *
key_arg(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("key must not be null"),
				 errdetail("ValidationException: Key is required.")));
	return PG_GETARG_JSONB_P(1);
}

/* The table and key of delete_item or update_item (arguments 0 and 1). */
static void
keyed_write(FunctionCallInfo fcinfo, StWriteRequest *req, StWriteKind kind)
{
	req->kind = kind;
	req->table = st_table_arg(fcinfo, 0);
	req->key = key_arg(fcinfo);
	st_parse_key_arg(req->table, req->key, req->keys);
}

/*
 * Names and values (arguments names_arg and names_arg + 1) of put_item,
 * delete_item and update_item into cx, which req then uses.
 */
static void
write_context(FunctionCallInfo fcinfo, StWriteRequest *req, StExprContext *cx, int names_arg)
{
	st_expr_context_init(cx, st_jsonb_arg(fcinfo, names_arg), st_jsonb_arg(fcinfo, names_arg + 1));
	req->cx = cx;
}

/* Run the write of put_item, delete_item or update_item: what it returns. */
static Datum
write_result(FunctionCallInfo fcinfo, StWriteRequest *req)
{
	Jsonb	   *result = st_write_item(req);

	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_JSONB_P(result);
}

/*
 * The heart of every single-item write.  Applies req to the item with the
 * given key atomically, and returns what req->return_values asks for (or
 * NULL).  See the file header for the locking protocol.
 */
Jsonb *
st_write_item(StWriteRequest *req)
{
	StTable    *t = req->table = st_citus_lock_for_write(req->table);
	MemoryContext outer = CurrentMemoryContext;
	int			nkeys = t->sk_attr ? 2 : 1;
	Jsonb	   *old_item = NULL;
	Jsonb	   *new_item = NULL;
	Datum		args[3];
	int			attempt;

	/* Unconditional put: one upsert, nothing else to know. */
	if (req->kind == ST_WRITE_PUT && req->condition == NULL &&
		req->return_values == ST_RETURN_NONE &&
		st_put_items_direct(t, 1, &req->item, req->keys[0] ? req->keys : NULL))
		return NULL;

	/*
	 * A put is an upsert however it runs, so a conditional one needs INSERT
	 * privilege too, even when the item exists and the locking path below
	 * only UPDATEs it (the unconditional upsert's statement checks it).
	 */
	if (req->kind == ST_WRITE_PUT &&
		(req->condition != NULL || req->return_values != ST_RETURN_NONE))
	{
		AclResult	aclresult = pg_class_aclcheck(t->relid, GetUserId(), ACL_INSERT);

		if (aclresult != ACLCHECK_OK)
			aclcheck_error(aclresult, OBJECT_TABLE, t->table_name);
	}

	if (req->kind == ST_WRITE_UPDATE && req->update)
		st_check_update_keys(req->update, t);

	/* a put that must read the old item first reads it by key */
	if (req->kind == ST_WRITE_PUT && st_citus_write_needs_old_item(t))
		st_item_key_datums(t, req->item, req->keys);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (req->kind == ST_WRITE_PUT && req->condition == NULL &&
		req->return_values == ST_RETURN_NONE && !st_citus_write_needs_old_item(t))
	{
		args[0] = PointerGetDatum(req->item);
		if (SPI_execute_plan(st_item_plan(t, ST_STMT_UPSERT), args, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not put item");
		SPI_finish();
		return NULL;
	}

	/* Unconditional delete: the old item comes back from RETURNING. */
	if (req->kind == ST_WRITE_DELETE && req->condition == NULL &&
		!st_citus_write_needs_old_item(t))
	{
		/*
		 * Without return values the statement has no RETURNING, so it needs
		 * only DELETE privilege, as DynamoDB's DeleteItem needs no read.
		 */
		bool		want_old = req->return_values == ST_RETURN_ALL_OLD;

		if (SPI_execute_plan(st_item_plan(t, want_old ? ST_STMT_DELETE : ST_STMT_DELETE_QUIET),
							 req->keys, NULL, false, 0) !=
			(want_old ? SPI_OK_DELETE_RETURNING : SPI_OK_DELETE))
			elog(ERROR, "could not delete item");
		old_item = want_old ? st_spi_first_jsonb(outer) : NULL;
		SPI_finish();
		return old_item;
	}

	for (attempt = 0;; attempt++)
	{
		if (attempt >= ST_MAX_WRITE_RETRIES)
			ereport(ERROR,
					(errcode(ST_ERRCODE_TRANSACTION_CONFLICT),
					 errmsg("could not write item after %d attempts", attempt),
					 errdetail("TransactionConflictException: The item was being changed by other transactions.")));

		if (SPI_execute_plan(st_item_plan(t, ST_STMT_LOCK), req->keys, NULL, false, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not lock item");
		old_item = st_spi_first_jsonb(outer);

		if (req->condition && !st_eval_condition(req->cx, req->condition, old_item))
		{
			SPI_finish();
			st_condition_failed(req->old_on_failure ? old_item : NULL);
		}

		if (req->kind == ST_WRITE_DELETE)
		{
			if (old_item)
			{
				if (SPI_execute_plan(st_item_plan(t, ST_STMT_DELETE), req->keys, NULL, false, 0) != SPI_OK_DELETE_RETURNING)
					elog(ERROR, "could not delete item");
			}
			break;
		}

		if (req->kind == ST_WRITE_PUT)
			new_item = req->item;
		else
		{
			MemoryContext old = MemoryContextSwitchTo(outer);
			Jsonb	   *base = old_item ? old_item : req->key;

			new_item = req->update ? st_apply_update(req->cx, req->update, base,
													 req->key_attrs, NULL)
				: base;
			MemoryContextSwitchTo(old);

			/*
			 * An update that only removes attributes creates no item, as in
			 * DynamoDB (without an update expression the key alone is put).
			 */
			if (old_item == NULL && req->update && st_update_only_removes(req->update))
			{
				new_item = NULL;
				break;
			}
			/* the size limit is the call's: the CHECK constraint has none */
			st_check_updated_item_size(new_item);
			/* the result obeys the shape rules a put of it would */
			st_validate_item_shape(new_item);
			if (req->update)
				st_check_updated_index_keys(req->update, t, new_item);
		}

		if (old_item)
		{
			for (int i = 0; i < nkeys; i++)
				args[i] = req->keys[i];
			args[nkeys] = PointerGetDatum(new_item);
			if (SPI_execute_plan(st_item_plan(t, ST_STMT_UPDATE), args, NULL, false, 0) != SPI_OK_UPDATE)
				elog(ERROR, "could not update item");
			if (SPI_processed == 1)
				break;
			/* the row vanished between lock and update: cannot happen, but retry */
			continue;
		}
		args[0] = PointerGetDatum(new_item);
		if (SPI_execute_plan(st_item_plan(t, ST_STMT_INSERT_IF_ABSENT), args, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not insert item");
		if (SPI_processed == 1)
			break;
		/* another transaction inserted the key first: lock it and re-evaluate */
	}
	SPI_finish();
	st_citus_write_indexes(t, old_item, new_item);

	switch (req->return_values)
	{
		case ST_RETURN_NONE:
			return NULL;
		case ST_RETURN_ALL_OLD:
			return old_item;
		case ST_RETURN_ALL_NEW:
			return new_item;
		/* only the updated paths; nothing at all when none exists */
		case ST_RETURN_UPDATED_OLD:
			return req->update ? st_project_updated(req->update, old_item) : NULL;
		case ST_RETURN_UPDATED_NEW:
			return req->update ? st_project_updated(req->update, new_item) : NULL;
	}
	return NULL;
}

/* The table's key attribute names, for update expressions. */
List *
st_key_attr_list(StTable *t)
{
	List	   *l = list_make1(t->pk_attr);

	if (t->sk_attr)
		l = lappend(l, t->sk_attr);
	return l;
}

/*
 * put_item(tbl regclass, item jsonb, condition text, names jsonb,
 *          "values" jsonb, return_values text) RETURNS jsonb
 */
static Datum
put_item(PG_FUNCTION_ARGS)
{
	StWriteRequest req = {0};
	StExprContext cx;
	char	   *condition = st_text_arg(fcinfo, 2);
	int			level = -1;
	Datum		result;

	req.kind = ST_WRITE_PUT;
	req.table = st_citus_lock_for_write(st_table_arg(fcinfo, 0));
	req.item = st_jsonb_arg(fcinfo, 1);
	if (req.item == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("item must not be null"),
				 errdetail("ValidationException: Item is required.")));
	req.return_values = st_parse_return_values(PG_ARGISNULL(5) ? NULL : PG_GETARG_TEXT_PP(5),
											   "put_item", ST_RV_PUT_DELETE);
	write_context(fcinfo, &req, &cx, 3);
	if (condition)
		req.condition = st_parse_condition(&cx, condition, "condition");
	st_expr_check_unused(&cx);

	/*
	 * The table's CHECK constraint and generated key columns would catch a
	 * bad item too, but validating here first gives the error without the
	 * internal statement as its context, and before any condition is
	 * evaluated, as DynamoDB orders them.
	 */
	st_validate_item(req.item);
	st_item_key_datums(req.table, req.item, req.keys);
	/* an unconditional put is one statement: alone, no remote BEGIN (citus_layout.c) */
	if (req.condition == NULL && req.return_values == ST_RETURN_NONE)
		level = st_citus_begin_sole_write(req.table, fcinfo);
	result = write_result(fcinfo, &req);
	st_citus_end_sole_write(level);
	return result;
}

ST_FUNCTION_HIDING_SQL(st_sql_put_item, put_item)

/*
 * get_item(tbl regclass, key jsonb, projection text, names jsonb) RETURNS jsonb
 */
static Datum
get_item(PG_FUNCTION_ARGS)
{
	StTable    *t = st_table_arg(fcinfo, 0);
	Datum		keys[2];
	Jsonb	   *item;
	StExprContext cx;
	StExpr	   *projection = NULL;
	char	   *proj_text = st_text_arg(fcinfo, 2);

	st_parse_key_arg(t, key_arg(fcinfo), keys);
	st_expr_context_init(&cx, st_jsonb_arg(fcinfo, 3), NULL);
	if (proj_text)
	{
		projection = st_parse_projection(&cx, proj_text);
		st_expr_check_key_paths(t, projection, "projection");
	}
	st_expr_check_unused(&cx);
	item = st_fetch_item(t, keys);
	if (item == NULL)
		PG_RETURN_NULL();
	if (projection)
		item = st_apply_projection(&cx, projection, item);
	PG_RETURN_JSONB_P(item);
}

ST_FUNCTION_HIDING_SQL(st_sql_get_item, get_item)

/*
 * delete_item(tbl regclass, key jsonb, condition text, names jsonb,
 *             "values" jsonb, return_values text) RETURNS jsonb
 */
static Datum
delete_item(PG_FUNCTION_ARGS)
{
	StWriteRequest req = {0};
	StExprContext cx;
	char	   *condition = st_text_arg(fcinfo, 2);

	keyed_write(fcinfo, &req, ST_WRITE_DELETE);
	req.return_values = st_parse_return_values(PG_ARGISNULL(5) ? NULL : PG_GETARG_TEXT_PP(5),
											   "delete_item", ST_RV_PUT_DELETE);
	write_context(fcinfo, &req, &cx, 3);
	if (condition)
		req.condition = st_parse_condition(&cx, condition, "condition");
	st_expr_check_unused(&cx);
	return write_result(fcinfo, &req);
}

ST_FUNCTION_HIDING_SQL(st_sql_delete_item, delete_item)

/*
 * update_item(tbl regclass, key jsonb, update text, condition text,
 *             names jsonb, "values" jsonb, return_values text) RETURNS jsonb
 */
static Datum
update_item(PG_FUNCTION_ARGS)
{
	StWriteRequest req = {0};
	StExprContext cx;
	char	   *update = st_text_arg(fcinfo, 2);
	char	   *condition = st_text_arg(fcinfo, 3);

	keyed_write(fcinfo, &req, ST_WRITE_UPDATE);
	req.key_attrs = st_key_attr_list(req.table);
	req.return_values = st_parse_return_values(PG_ARGISNULL(6) ? NULL : PG_GETARG_TEXT_PP(6),
											   "update_item", ST_RV_ALL);
	write_context(fcinfo, &req, &cx, 4);
	if (update)
		req.update = st_parse_update(&cx, update);
	if (condition)
		req.condition = st_parse_condition(&cx, condition, "condition");
	st_expr_check_unused(&cx);
	return write_result(fcinfo, &req);
}

ST_FUNCTION_HIDING_SQL(st_sql_update_item, update_item)
