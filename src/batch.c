/*
 * batch.c
 *	  batch_get and batch_write: many items in one call, in DynamoDB's
 *	  request and response shapes (RequestItems per table; Responses and
 *	  UnprocessedKeys, or UnprocessedItems).  Requests are read with the
 *	  helpers of request.c, except that a write request of the usual shape
 *	  is read with two key look-ups and no path strings (plain_write_request;
 *	  any other shape gets the field-by-field checks and their errors).
 *
 *	  A request's size is checked first (count_requests), then every key
 *	  and item of it is validated, and duplicates rejected, before the
 *	  first read or write, so a bad request changes nothing.
 *	  Writes go through st_write_item() (items.c), exactly as put_item and
 *	  delete_item do, so triggers, GSIs, privileges and row-level security
 *	  behave the same.  A batch_write call runs in the caller's transaction:
 *	  it is all or nothing, which is stronger than DynamoDB's per-item
 *	  atomicity.  It writes in one canonical order, table OID then key (the
 *	  order transact_write locks in), whatever the request order, so calls
 *	  over the same items wait for each other instead of deadlocking.
 *	  Reads see the statement's snapshot.
 *
 *	  UnprocessedKeys are returned only when a response would exceed
 *	  singletable.batch_get_max_size (DynamoDB's 16 MB): the keys not read
 *	  yet come back in the request shape to be sent again.  UnprocessedItems
 *	  is always empty: the batch limit is checked up front and an over-limit
 *	  batch is an error.  transact_get's size limit is counted the same way
 *	  (StReadBudget).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/lsyscache.h"

#include "batch.h"
#include "catalog.h"
#include "citus.h"
#include "errors.h"
#include "expr.h"
#include "items.h"
#include "keys.h"
#include "plans.h"
#include "request.h"
#include "settings.h"
#include "typedjson.h"


/* ---------------------------------------------------------------------
 * Request size, counted before anything else is read
 * ---------------------------------------------------------------------
 */

/*
 * The requests of RequestItems: for batch_write the length of each
 * table's array of write requests, for batch_get (keys_field "Keys") the
 * length of each table's Keys array, summed over the tables.  Members of
 * another shape count nothing: pass 1 reports them.  DynamoDB checks a
 * request's lengths before the values in it, so an over-limit request is
 * the limit's error whatever else is wrong in it, and it costs a look at
 * each table, not a read of every item.
 */
static int64
count_requests(JsonbContainer *request_items, const char *keys_field)
{
	JsonbIterator *it = JsonbIteratorInit(request_items);
	JsonbValue	v;
	JsonbIteratorToken tok;
	int64		total = 0;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		JsonbContainer *c;

		CHECK_FOR_INTERRUPTS();
		if (tok != WJB_VALUE || v.type != jbvBinary)
			continue;
		c = v.val.binary.data;
		if (keys_field != NULL && JsonContainerIsObject(c))
		{
			JsonbValue *keys = getKeyJsonValueFromContainer(c, keys_field, strlen(keys_field), NULL);

			if (keys == NULL || keys->type != jbvBinary)
				continue;
			c = keys->val.binary.data;
		}
		/* a nested container is never a raw scalar's pseudo-array */
		if (JsonContainerIsArray(c))
			total += JsonContainerSize(c);
	}
	return total;
}

/* Refuse a batch_get (get) or batch_write of more than its limit's requests. */
static void
check_request_count(int64 total, bool get)
{
	int			limit = get ? st_batch_get_max_keys : st_batch_write_max_items;

	if (total <= limit)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 get ? errmsg("too many keys requested for batch_get: %lld, the limit is %d",
						  (long long) total, limit)
			 : errmsg("too many write requests for batch_write: %lld, the limit is %d",
					  (long long) total, limit),
			 errdetail("ValidationException: Too many items requested for the %s call.",
					   get ? "BatchGetItem" : "BatchWriteItem"),
			 errhint("The limit is the setting %s.",
					 get ? "singletable.batch_get_max_keys" : "singletable.batch_write_max_items")));
}

/* ---------------------------------------------------------------------
 * Duplicate keys
 * ---------------------------------------------------------------------
 */

static int
cmp_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* A key of a batch_get request with its jsonb_hash */
typedef struct HashedKey
{
	uint32		hash;
	Jsonb	   *key;
} HashedKey;

/*
 * By hash, then as jsonb values: keys equal as jsonb values have equal
 * hashes (jsonb_hash is the hash of jsonb's equality), so they end up
 * neighbours, and the costly comparison runs only between equal hashes.
 */
static int
cmp_hashed_keys(const void *a, const void *b)
{
	const HashedKey *x = a;
	const HashedKey *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return compareJsonbContainers(&x->key->root, &y->key->root);
}

/*
 * Sort n elements of width bytes with cmp, then raise ValidationException
 * when two are equal: DynamoDB rejects a batch that names an item twice.
 */
static void
sort_check_duplicates(void *base, int n, size_t width,
					  int (*cmp) (const void *, const void *), const char *where)
{
	qsort(base, n, width, cmp);
	for (int i = 1; i < n; i++)
		if (cmp((char *) base + (i - 1) * width, (char *) base + i * width) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid request field \"%s\": provided list of item keys contains duplicates", where),
					 errdetail("ValidationException: Provided list of item keys contains duplicates.")));
}

/* ---------------------------------------------------------------------
 * Read sizes (see StReadBudget)
 * ---------------------------------------------------------------------
 */

void
st_read_budget_init(StReadBudget *budget, int limit)
{
	memset(budget, 0, sizeof(StReadBudget));
	budget->limit = limit;
}

/*
 * Count an item a read returns.  Returns whether everything counted so far,
 * this item included, is within the limit.
 */
bool
st_read_budget_add(StReadBudget *budget, Jsonb *item)
{
	if (budget->measured)
		budget->used += st_item_size(item);
	else
	{
		budget->used += VARSIZE_ANY_EXHDR(item);
		budget->items = lappend(budget->items, item);
		if (budget->used > budget->limit)
		{
			ListCell   *lc;

			budget->used = 0;
			foreach(lc, budget->items)
			{
				CHECK_FOR_INTERRUPTS();
				budget->used += st_item_size(lfirst(lc));
			}
			list_free(budget->items);
			budget->items = NIL;
			budget->measured = true;
		}
	}
	return budget->used <= budget->limit;
}

/* ---------------------------------------------------------------------
 * batch_get
 * ---------------------------------------------------------------------
 */

typedef struct GetTable
{
	char	   *name;			/* as the request spells it */
	StTable    *table;
	JsonbContainer *request;	/* the table's request object */
	List	   *keys;			/* Jsonb * (plain), in request order */
	List	   *key_datums;		/* Datum[2] per key */
	StExprContext cx;
	StExpr	   *projection;
	List	   *attrs_to_get;	/* legacy AttributesToGet */
} GetTable;

static const char *const batch_get_table_fields[] = {
	"Keys", "ProjectionExpression", "ExpressionAttributeNames",
	"ConsistentRead", "AttributesToGet", NULL
};

/*
 * BatchGetItem.  request_items is RequestItems: {"table": {"Keys": [...],
 * "ProjectionExpression": ..., "ExpressionAttributeNames": ...}}.  Returns
 * {"Responses": {"table": [items]}, "UnprocessedKeys": {}}; items come in
 * request order, keys with no item are left out.
 *
 * The items returned add up to singletable.batch_get_max_size at most
 * (DynamoDB's 16 MB): reading stops at the first item that would pass it,
 * and that key and every one after it come back in UnprocessedKeys.  The
 * first item found is always returned, however large, so that sending
 * UnprocessedKeys again always makes progress.
 */
Jsonb *
st_batch_get(JsonbContainer *request_items, bool typed)
{
	List	   *tables = NIL;
	StWalk		tables_walk;
	JsonbValue *tv;
	char	   *name;
	char	   *where;
	int			total = 0;
	char	  **keystrs;
	int			nkeystrs = 0;
	ListCell   *lc;
	JsonbParseState *state = NULL;
	StReadBudget budget;
	bool		full = false;	/* the next item would pass the limit */
	int			returned = 0;
	List	   *unprocessed = NIL;	/* GetTable * whose keys from ... */
	List	   *unprocessed_from = NIL; /* ... this index on were not read */

	if (request_items == NULL || !JsonContainerIsObject(request_items) ||
		JsonContainerSize(request_items) == 0)
		st_validation_error("RequestItems", "must be an object with at least one table");
	check_request_count(count_requests(request_items, "Keys"), true);

	/* Pass 1: parse and validate everything. */
	st_walk_init(&tables_walk, request_items, "RequestItems");
	while ((tv = st_walk_next_member(&tables_walk, "must be an object with Keys",
									 batch_get_table_fields, &name, &where)) != NULL)
	{
		GetTable   *gt = palloc0(sizeof(GetTable));
		JsonbContainer *keys;
		JsonbIterator *kit;
		JsonbValue	kv;
		JsonbIteratorToken ktok;
		char	   *proj;
		int			i = 0;

		gt->name = name;
		gt->request = tv->val.binary.data;
		keys = st_field_array(gt->request, "Keys", where, true);
		if (JsonContainerSize(keys) == 0)
			st_validation_error(psprintf("%s.Keys", where), "must hold at least one key");

		st_expr_context_init(&gt->cx,
							 st_field_jsonb(gt->request, "ExpressionAttributeNames", where, false),
							 NULL);
		proj = st_field_string(gt->request, "ProjectionExpression", where, false);
		gt->attrs_to_get = st_attributes_to_get(gt->request, where);
		if (proj && gt->attrs_to_get)
			st_validation_error(where, "cannot use both ProjectionExpression and AttributesToGet");
		if (proj)
			gt->projection = st_parse_projection(&gt->cx, proj);
		st_expr_check_unused(&gt->cx);

		kit = JsonbIteratorInit(keys);
		while ((ktok = JsonbIteratorNext(&kit, &kv, true)) != WJB_DONE)
		{
			if (ktok != WJB_ELEM)
				continue;
			if (kv.type != jbvBinary || !JsonContainerIsObject(kv.val.binary.data))
				st_validation_error(psprintf("%s.Keys[%d]", where, i), "must be an object");
			gt->keys = lappend(gt->keys, st_plain_item(JsonbValueToJsonb(&kv), typed));
			i++;
			total++;
		}
		tables = lappend(tables, gt);
	}

	/* the count above; pass 1 read only the arrays counted */
	Assert(total <= st_batch_get_max_keys);

	/* The same key twice in a table's Keys is a duplicate without the table. */
	foreach(lc, tables)
	{
		GetTable   *gt = lfirst(lc);
		HashedKey  *keys = palloc(sizeof(HashedKey) * list_length(gt->keys));
		ListCell   *kc;
		int			nkeys = 0;

		foreach(kc, gt->keys)
		{
			CHECK_FOR_INTERRUPTS();
			keys[nkeys].key = lfirst(kc);
			keys[nkeys++].hash = DatumGetUInt32(DirectFunctionCall1(jsonb_hash,
																	JsonbPGetDatum(lfirst(kc))));
		}
		sort_check_duplicates(keys, nkeys, sizeof(HashedKey), cmp_hashed_keys, "RequestItems");
	}

	/* The request is well formed: now the tables, then the keys against them. */
	foreach(lc, tables)
	{
		GetTable   *gt = lfirst(lc);

		gt->table = st_table_by_name(gt->name);
	}
	foreach(lc, tables)
	{
		GetTable   *gt = lfirst(lc);
		ListCell   *kc;

		foreach(kc, gt->keys)
		{
			Datum	   *datums = palloc0(2 * sizeof(Datum));

			CHECK_FOR_INTERRUPTS();
			st_parse_key_arg(gt->table, lfirst(kc), datums);
			gt->key_datums = lappend(gt->key_datums, datums);
		}
	}

	keystrs = palloc(sizeof(char *) * total);
	foreach(lc, tables)
	{
		GetTable   *gt = lfirst(lc);
		ListCell   *dc;

		foreach(dc, gt->key_datums)
			keystrs[nkeystrs++] = st_key_string(gt->table, lfirst(dc));
	}
	sort_check_duplicates(keystrs, nkeystrs, sizeof(char *), cmp_strings, "RequestItems");

	/* Pass 2: read. */
	st_read_budget_init(&budget, st_batch_get_max_size);
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	st_push_key(&state, "Responses");
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	foreach(lc, tables)
	{
		GetTable   *gt = lfirst(lc);
		int			i = 0;
		ListCell   *dc;
		StItemReader reader;

		st_push_key(&state, gt->name);
		pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
		st_item_reader_init(&reader, gt->table, true);
		foreach(dc, gt->key_datums)
		{
			Jsonb	   *item = NULL;

			CHECK_FOR_INTERRUPTS();
			if (!full)
				item = st_item_reader_fetch(&reader, lfirst(dc));
			if (item != NULL)
			{
				if (gt->projection)
					item = st_apply_projection(&gt->cx, gt->projection, item);
				else if (gt->attrs_to_get)
					item = st_project_top_level(item, gt->attrs_to_get);
				full = !st_read_budget_add(&budget, item) && returned > 0;
			}
			if (full)
			{
				unprocessed = lappend(unprocessed, gt);
				unprocessed_from = lappend_int(unprocessed_from, i);
				break;
			}
			if (item != NULL)
			{
				st_push_item(&state, WJB_ELEM, st_out_item(item, typed));
				returned++;
			}
			i++;
		}
		st_item_reader_end(&reader);
		pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	}
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);

	/* Keys not read, in the request's own shape, to be sent again. */
	st_push_key(&state, "UnprocessedKeys");
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int u = 0; u < list_length(unprocessed); u++)
	{
		GetTable   *gt = list_nth(unprocessed, u);
		int			from = list_nth_int(unprocessed_from, u);
		JsonbValue	fv;

		st_push_key(&state, gt->name);
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		st_push_key(&state, "Keys");
		pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
		for (int i = from; i < list_length(gt->keys); i++)
			st_push_item(&state, WJB_ELEM, st_out_item(list_nth(gt->keys, i), typed));
		pushJsonbValue(&state, WJB_END_ARRAY, NULL);
		for (int f = 0; batch_get_table_fields[f]; f++)
		{
			if (strcmp(batch_get_table_fields[f], "Keys") == 0 ||
				!st_field(gt->request, batch_get_table_fields[f], &fv))
				continue;
			st_push_key(&state, batch_get_table_fields[f]);
			pushJsonbValue(&state, WJB_VALUE, &fv);
		}
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

/* ---------------------------------------------------------------------
 * batch_write
 * ---------------------------------------------------------------------
 */

/* One request of a batch_write, with its key as st_key_string gives it. */
typedef struct BatchWrite
{
	char	   *table_name;		/* as the request spells it */
	char	   *keystr;
	StWriteRequest req;
} BatchWrite;

/* Canonical order of writes: table OID, then key (as transact.c locks). */
static int
cmp_writes(const void *a, const void *b)
{
	return strcmp((*(BatchWrite *const *) a)->keystr, (*(BatchWrite *const *) b)->keystr);
}

/*
 * n unconditional puts to one table are applied as one multi-row upsert:
 * by the direct write path (items_direct.c) when it applies, as put_item's
 * own unconditional put, once for the table rather than once per item;
 * otherwise by the statement put_item runs per item (ST_STMT_UPSERT) over
 * an array, whose plan is kept per table (plans.c).  Either way each row
 * gets the same checks, triggers and policies, in one command.  The rows
 * are written in array order, which is the caller's canonical order.  Keys
 * are unique within a batch, so no row is affected twice.
 */
static void
put_many(BatchWrite **writes, int n)
{
	StTable    *t = writes[0]->req.table;
	Jsonb	  **items = palloc(sizeof(Jsonb *) * n);
	Datum	   *keys = palloc(sizeof(Datum) * 2 * n);
	Datum	   *elems;
	Datum		arg;

	for (int i = 0; i < n; i++)
	{
		items[i] = writes[i]->req.item;
		keys[2 * i] = writes[i]->req.keys[0];
		keys[2 * i + 1] = writes[i]->req.keys[1];
	}
	if (st_put_items_direct(t, n, items, keys))
		return;
	elems = palloc(sizeof(Datum) * n);
	for (int i = 0; i < n; i++)
		elems[i] = JsonbPGetDatum(items[i]);
	arg = PointerGetDatum(construct_array(elems, n, JSONBOID, -1, false, TYPALIGN_INT));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_plan(st_item_plan(t, ST_STMT_UPSERT_MANY), &arg, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not put items");
	SPI_finish();
}

static const char *const write_request_fields[] = {"PutRequest", "DeleteRequest", NULL};
static const char *const put_request_fields[] = {"Item", NULL};
static const char *const delete_request_fields[] = {"Key", NULL};

/*
 * Read a write request in its usual shape, {"PutRequest": {"Item": {...}}}
 * or {"DeleteRequest": {"Key": {...}}} and nothing else, into req (kind and
 * item or key).  Returns false for anything else, having raised nothing:
 * checked_write_request then reads it field by field and raises what is
 * wrong.  This path needs no path strings, which only errors use.
 */
static bool
plain_write_request(JsonbContainer *wr, StWriteRequest *req, bool typed)
{
	JsonbValue	v;
	bool		put;

	if (!JsonContainerIsObject(wr) || JsonContainerSize(wr) != 1)
		return false;
	put = getKeyJsonValueFromContainer(wr, "PutRequest", strlen("PutRequest"), &v) != NULL;
	if (!put && getKeyJsonValueFromContainer(wr, "DeleteRequest", strlen("DeleteRequest"), &v) == NULL)
		return false;
	if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data) ||
		JsonContainerSize(v.val.binary.data) != 1)
		return false;
	if (getKeyJsonValueFromContainer(v.val.binary.data, put ? "Item" : "Key",
									 put ? strlen("Item") : strlen("Key"), &v) == NULL ||
		v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
		return false;
	req->kind = put ? ST_WRITE_PUT : ST_WRITE_DELETE;
	if (put)
		req->item = st_plain_item(JsonbValueToJsonb(&v), typed);
	else
		req->key = st_plain_item(JsonbValueToJsonb(&v), typed);
	return true;
}

/*
 * Read the write request ev, at path rwhere, into req, raising
 * ValidationException for whatever makes it malformed.
 */
static void
checked_write_request(JsonbValue *ev, const char *rwhere, StWriteRequest *req, bool typed)
{
	JsonbContainer *wr;
	JsonbContainer *put;
	JsonbContainer *del;

	if (ev->type != jbvBinary || !JsonContainerIsObject(ev->val.binary.data))
		st_validation_error(rwhere, "must be an object with PutRequest or DeleteRequest");
	wr = ev->val.binary.data;
	st_check_fields(wr, write_request_fields, rwhere);
	put = st_field_object(wr, "PutRequest", rwhere, false);
	del = st_field_object(wr, "DeleteRequest", rwhere, false);

	/* DynamoDB's words for an empty write request, {} */
	if (put == NULL && del == NULL && JsonContainerSize(wr) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"%s\": an empty write request", rwhere),
				 errdetail("ValidationException: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes.")));
	if ((put == NULL) == (del == NULL))
		st_validation_error(rwhere, "must hold exactly one of PutRequest and DeleteRequest");

	if (put)
	{
		char	   *pwhere = psprintf("%s.PutRequest", rwhere);

		st_check_fields(put, put_request_fields, pwhere);
		req->kind = ST_WRITE_PUT;
		req->item = st_plain_item(st_field_jsonb(put, "Item", pwhere, true), typed);
	}
	else
	{
		char	   *dwhere = psprintf("%s.DeleteRequest", rwhere);

		st_check_fields(del, delete_request_fields, dwhere);
		req->kind = ST_WRITE_DELETE;
		req->key = st_plain_item(st_field_jsonb(del, "Key", dwhere, true), typed);
	}
}

/*
 * BatchWriteItem.  request_items is RequestItems: {"table": [{"PutRequest":
 * {"Item": {...}}}, {"DeleteRequest": {"Key": {...}}}]}.  Returns
 * {"UnprocessedItems": {}}.
 *
 * The writes are applied in canonical order -- table OID, then key, the
 * order transact_write locks in -- whatever the request order, so that two
 * batches (or a batch and a transaction) over the same items queue on each
 * other's row locks instead of deadlocking.
 */
Jsonb *
st_batch_write(JsonbContainer *request_items, bool typed)
{
	List	   *writes = NIL;	/* BatchWrite * in request order */
	StWalk		tables_walk;
	JsonbValue *tv;
	char	   *name;
	char	   *where;
	ListCell   *lc;
	BatchWrite **sorted;
	BatchWrite *prev = NULL;
	int			n = 0;
	JsonbParseState *state = NULL;

	if (request_items == NULL || !JsonContainerIsObject(request_items) ||
		JsonContainerSize(request_items) == 0)
		st_validation_error("RequestItems", "must be an object with at least one table");
	check_request_count(count_requests(request_items, NULL), false);

	/* Pass 1: parse and validate everything. */
	st_walk_init(&tables_walk, request_items, "RequestItems");
	while ((tv = st_walk_next_member(&tables_walk, NULL, NULL, &name, &where)) != NULL)
	{
		JsonbIterator *it;
		JsonbValue	ev;
		JsonbIteratorToken tok;
		int			i = 0;
		BatchWrite *ws;

		if (tv->type != jbvBinary || !JsonContainerIsArray(tv->val.binary.data) ||
			JsonContainerSize(tv->val.binary.data) == 0)
			st_validation_error(where, "must be a non-empty array of write requests");
		ws = palloc0(sizeof(BatchWrite) * JsonContainerSize(tv->val.binary.data));

		it = JsonbIteratorInit(tv->val.binary.data);
		while ((tok = JsonbIteratorNext(&it, &ev, true)) != WJB_DONE)
		{
			BatchWrite *w;

			CHECK_FOR_INTERRUPTS();
			if (tok != WJB_ELEM)
				continue;
			w = &ws[i];
			w->table_name = name;
			if (ev.type != jbvBinary || !plain_write_request(ev.val.binary.data, &w->req, typed))
				checked_write_request(&ev, psprintf("%s[%d]", where, i), &w->req, typed);
			if (w->req.kind == ST_WRITE_PUT)
				st_validate_item(w->req.item);
			writes = lappend(writes, w);
			i++;
		}
	}

	Assert(list_length(writes) <= st_batch_write_max_items);

	/*
	 * The request is well formed: now the tables (once each: a table's
	 * writes are neighbours and share its name), then the keys against them.
	 */
	foreach(lc, writes)
	{
		BatchWrite *w = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		w->req.table = prev && prev->table_name == w->table_name ?
			prev->req.table : st_table_by_name(w->table_name);
		prev = w;
	}
	foreach(lc, writes)
	{
		BatchWrite *w = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (w->req.kind == ST_WRITE_PUT)
			st_batch_item_key_datums(w->req.table, w->req.item, w->req.keys);
		else
			st_parse_key_arg(w->req.table, w->req.key, w->req.keys);
		w->keystr = st_key_string(w->req.table, w->req.keys);
	}

	sorted = palloc(sizeof(BatchWrite *) * list_length(writes));
	foreach(lc, writes)
		sorted[n++] = lfirst(lc);
	sort_check_duplicates(sorted, n, sizeof(BatchWrite *), cmp_writes, "RequestItems");

	/*
	 * Pass 2: write, in canonical order.  Puts to one table that are
	 * neighbours in that order go in one statement; every other write runs
	 * as put_item or delete_item would.
	 */
	for (int i = 0; i < n;)
	{
		int			run = 1;

		CHECK_FOR_INTERRUPTS();
		sorted[i]->req.table = st_citus_lock_for_write(sorted[i]->req.table);
		while (sorted[i]->req.kind == ST_WRITE_PUT && i + run < n &&
			   !st_citus_write_needs_old_item(sorted[i]->req.table) &&
			   sorted[i + run]->req.kind == ST_WRITE_PUT &&
			   sorted[i + run]->req.table->relid == sorted[i]->req.table->relid)
			run++;
		if (run > 1)
			put_many(sorted + i, run);
		else
			(void) st_write_item(&sorted[i]->req);
		i += run;
	}

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	st_push_key(&state, "UnprocessedItems");
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

static JsonbContainer *
request_arg(FunctionCallInfo fcinfo, const char *name)
{
	Jsonb	   *j;

	if (PG_ARGISNULL(0))
		st_null_request_error(name);
	j = PG_GETARG_JSONB_P(0);
	return &j->root;
}

/* batch_get(requests jsonb) RETURNS jsonb */
static Datum
batch_get_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(st_batch_get(request_arg(fcinfo, "RequestItems"), false));
}

ST_FUNCTION_HIDING_SQL(st_sql_batch_get, batch_get_sql)

/* batch_write(requests jsonb) RETURNS jsonb */
static Datum
batch_write_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(st_batch_write(request_arg(fcinfo, "RequestItems"), false));
}

ST_FUNCTION_HIDING_SQL(st_sql_batch_write, batch_write_sql)
