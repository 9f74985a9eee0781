/*
 * execute_capacity.c
 *	  execute()'s ReturnConsumedCapacity: the capacity units a request
 *	  would consume on DynamoDB, computed with DynamoDB's rules and answered
 *	  as its ConsumedCapacity, so that users can size and price a workload
 *	  from what they run here.  Nothing is throttled: the units are a
 *	  measure only.
 *
 *	  Rules (DynamoDB's): a read costs one read unit per 4 KB of the items
 *	  read, rounded up, half of that when eventually consistent; a write
 *	  one write unit per 1 KB of the larger of the item before and after,
 *	  rounded up, at least one; each global secondary index whose entry the
 *	  write puts or deletes costs the same for the entry's projected size
 *	  (an entry whose index key changes is a delete and a put); a
 *	  transaction costs twice.  Item sizes are DynamoDB's (st_item_size),
 *	  for a Query or Scan page too: the items or index entries it read,
 *	  rounded up once, plus each item a local index read fetched from the
 *	  table, rounded up on its own (st_last_page_bytes and
 *	  st_last_page_fetched_blocks, query.c).
 *
 *	  The answer has DynamoDB's shape: CapacityUnits (with
 *	  ReadCapacityUnits and WriteCapacityUnits for transactions only),
 *	  and for INDEXES the Table's units and each index's under
 *	  GlobalSecondaryIndexes or LocalSecondaryIndexes.
 *
 *	  execute.c measures (it knows the items before and after); this file
 *	  only counts and shapes the answer, and calls nothing in execute.c.
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "execute.h"
#include "expr.h"
#include "request.h"
#include "typedjson.h"

/* Read and write units of a table or index. */
typedef struct Units
{
	double		read;
	double		write;
} Units;

/* The units of one index of a table in a request. */
typedef struct IndexUnits
{
	const char *name;
	bool		local;			/* a local secondary index */
	Units		units;
} IndexUnits;

/* The units of one table (and its indexes) in a request. */
typedef struct CapacityEntry
{
	Oid			relid;
	const char *table;
	bool		transaction;	/* counted for a transaction (factor 2) */
	Units		table_units;
	List	   *indexes;		/* IndexUnits * */
} CapacityEntry;

/*
 * Read ReturnConsumedCapacity (TOTAL, INDEXES or NONE, as DynamoDB spells
 * them) into c; any other value is a ValidationException.
 */
void
st_capacity_init(StCapacity *c, JsonbContainer *r)
{
	char	   *mode = st_field_string(r, "ReturnConsumedCapacity", "", false);

	c->mode = ST_CAPACITY_NONE;
	c->entries = NIL;
	if (mode == NULL || strcmp(mode, "NONE") == 0)
		return;
	if (strcmp(mode, "TOTAL") == 0)
		c->mode = ST_CAPACITY_TOTAL;
	else if (strcmp(mode, "INDEXES") == 0)
		c->mode = ST_CAPACITY_INDEXES;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"ReturnConsumedCapacity\": must be INDEXES, TOTAL or NONE, not \"%s\"", mode),
				 errdetail("ValidationException: 1 validation error detected: Value '%s' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE].",
						   mode)));
}

/* The entry of table t; factor 2 marks it a transaction's. */
static CapacityEntry *
entry_for(StCapacity *c, StTable *t, double factor)
{
	ListCell   *lc;
	CapacityEntry *e = NULL;

	foreach(lc, c->entries)
	{
		if (((CapacityEntry *) lfirst(lc))->relid == t->relid)
			e = lfirst(lc);
	}
	if (e == NULL)
	{
		e = palloc0(sizeof(CapacityEntry));
		e->relid = t->relid;
		e->table = pstrdup(t->name);
		c->entries = lappend(c->entries, e);
	}
	if (factor > 1)
		e->transaction = true;
	return e;
}

static void
add_units(Units *u, bool write, double units)
{
	if (write)
		u->write += units;
	else
		u->read += units;
}

static void
add_index_units(CapacityEntry *e, StIndex *ix, bool write, double units)
{
	ListCell   *lc;
	IndexUnits *p;

	foreach(lc, e->indexes)
	{
		p = lfirst(lc);
		if (strcmp(p->name, ix->name) == 0)
		{
			add_units(&p->units, write, units);
			return;
		}
	}
	p = palloc0(sizeof(IndexUnits));
	p->name = pstrdup(ix->name);
	p->local = ix->local;
	add_units(&p->units, write, units);
	e->indexes = lappend(e->indexes, p);
}

/* Units of size bytes in blocks of block bytes, rounded up, at least one. */
static double
units_of(Size bytes, Size block)
{
	return Max(1.0, ceil((double) bytes / (double) block));
}

/*
 * A Query, Scan or GetItem (index NULL: the table) that read bytes, or
 * one item of a batch or transaction read; factor 2 for a transaction.
 */
void
st_capacity_read(StCapacity *c, Oid relid, const char *index, Size bytes,
				 bool consistent, double factor)
{
	CapacityEntry *e;
	StTable    *t;
	StIndex    *ix;
	double		units;

	if (c->mode == ST_CAPACITY_NONE)
		return;
	units = units_of(bytes, 4096) * (consistent ? 1.0 : 0.5) * factor;
	t = st_table_lookup(relid, false);
	e = entry_for(c, t, factor);
	ix = index ? st_table_find_index(t, index) : NULL;
	if (ix)
		add_index_units(e, ix, false, units);
	else
		add_units(&e->table_units, false, units);
}

/* Is the item in the index: does it hold the index's key attributes? */
static bool
in_index(StIndex *ix, Jsonb *item)
{
	JsonbValue	v;

	return item != NULL && st_get_attr(item, ix->pk_attr, &v) != NULL &&
		(ix->sk_attr == NULL || st_get_attr(item, ix->sk_attr, &v) != NULL);
}

/* The index entry of an item: its projection of the item (item in index). */
static Jsonb *
index_entry(StTable *t, StIndex *ix, Jsonb *item)
{
	List	   *attrs;

	if (strcmp(ix->projection, "ALL") == 0)
		return item;
	attrs = list_make1(t->pk_attr);
	if (t->sk_attr)
		attrs = lappend(attrs, t->sk_attr);
	attrs = lappend(attrs, ix->pk_attr);
	if (ix->sk_attr)
		attrs = lappend(attrs, ix->sk_attr);
	attrs = list_concat(attrs, ix->include);
	return st_project_top_level(item, attrs);
}

/* Do two items hold equal values (or both none) for attr? */
static bool
same_attr(Jsonb *a, Jsonb *b, const char *attr)
{
	JsonbValue	va;
	JsonbValue	vb;
	bool		ina = st_get_attr(a, attr, &va) != NULL;
	bool		inb = st_get_attr(b, attr, &vb) != NULL;
	bool		comparable;

	if (!ina || !inb)
		return ina == inb;
	return st_compare_scalars(&va, &vb, &comparable) == 0 && comparable;
}

/*
 * A write of one item of t: old_item before (NULL: none), new_item after
 * (NULL: deleted); factor 2 for a transaction.
 */
void
st_capacity_write(StCapacity *c, Oid relid, Jsonb *old_item, Jsonb *new_item,
				  double factor)
{
	CapacityEntry *e;
	Size		bytes = Max(old_item ? st_item_size(old_item) : 0,
							new_item ? st_item_size(new_item) : 0);
	StTable    *t;
	ListCell   *lc;

	if (c->mode == ST_CAPACITY_NONE)
		return;
	/* looked up now: a pointer taken before the write may be stale */
	t = st_table_lookup(relid, false);
	e = entry_for(c, t, factor);
	add_units(&e->table_units, true, units_of(bytes, 1024) * factor);
	foreach(lc, t->indexes)
	{
		StIndex    *ix = lfirst(lc);
		bool		was = in_index(ix, old_item);
		bool		is = in_index(ix, new_item);
		Jsonb	   *before = was ? index_entry(t, ix, old_item) : NULL;
		Jsonb	   *after = is ? index_entry(t, ix, new_item) : NULL;
		double		units = 0;

		if (was && is && same_attr(old_item, new_item, ix->pk_attr) &&
			(ix->sk_attr == NULL || same_attr(old_item, new_item, ix->sk_attr)))
		{
			/* the entry stays: written only when what it projects changed */
			if (VARSIZE(before) != VARSIZE(after) ||
				memcmp(before, after, VARSIZE(before)) != 0)
				units = units_of(st_item_size(after), 1024);
		}
		else
		{
			if (was)
				units += units_of(st_item_size(before), 1024);
			if (is)
				units += units_of(st_item_size(after), 1024);
		}
		if (units > 0)
			add_index_units(e, ix, true, units * factor);
	}
}

static void
push_units(JsonbParseState **st, const char *key, double units)
{
	JsonbValue	v;

	st_push_key(st, key);
	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(units)));
	pushJsonbValue(st, WJB_VALUE, &v);
}

/*
 * Open an object with {"CapacityUnits": total}, as DynamoDB answers every
 * operation but the transactions, whose answers add "ReadCapacityUnits"
 * and "WriteCapacityUnits", each present when not zero (write: the one to
 * show when both are).  The caller adds to the object and ends it.
 */
static void
push_capacity(JsonbParseState **st, Units *u, bool write, bool by_kind)
{
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	push_units(st, "CapacityUnits", u->read + u->write);
	if (by_kind && (u->read > 0 || (u->write == 0 && !write)))
		push_units(st, "ReadCapacityUnits", u->read);
	if (by_kind && (u->write > 0 || (u->read == 0 && write)))
		push_units(st, "WriteCapacityUnits", u->write);
}

/* "GlobalSecondaryIndexes" or (local) "LocalSecondaryIndexes": {name: units} */
static void
push_indexes(JsonbParseState **st, CapacityEntry *e, bool local, bool write)
{
	ListCell   *lc;
	bool		any = false;

	foreach(lc, e->indexes)
	{
		IndexUnits *ix = lfirst(lc);

		if (ix->local != local)
			continue;
		if (!any)
		{
			st_push_key(st, local ? "LocalSecondaryIndexes" : "GlobalSecondaryIndexes");
			pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
			any = true;
		}
		st_push_key(st, ix->name);
		push_capacity(st, &ix->units, write, e->transaction);
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
	}
	if (any)
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/* One table's ConsumedCapacity object, in DynamoDB's shape. */
static void
push_entry(JsonbParseState **st, StCapacityMode mode, CapacityEntry *e)
{
	Units		total = e->table_units;
	bool		write;
	ListCell   *lc;

	foreach(lc, e->indexes)
	{
		total.read += ((IndexUnits *) lfirst(lc))->units.read;
		total.write += ((IndexUnits *) lfirst(lc))->units.write;
	}
	write = total.write > 0;
	push_capacity(st, &total, write, e->transaction);
	st_push_key(st, "TableName");
	st_push_string(st, WJB_VALUE, e->table);
	if (mode == ST_CAPACITY_INDEXES)
	{
		st_push_key(st, "Table");
		push_capacity(st, &e->table_units, write, e->transaction);
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
		push_indexes(st, e, false, write);
		push_indexes(st, e, true, write);
	}
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/*
 * The response with ConsumedCapacity added when it was asked for: one
 * object (single-table operations) or, with as_list, an array of one per
 * table (batches and transactions).
 */
Jsonb *
st_capacity_response(StCapacity *c, Jsonb *response, bool as_list)
{
	JsonbParseState *st = NULL;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	ListCell   *lc;

	if (c->mode == ST_CAPACITY_NONE || (c->entries == NIL && !as_list))
		return response;
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	it = JsonbIteratorInit(&response->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		if (tok == WJB_KEY || tok == WJB_VALUE)
			pushJsonbValue(&st, tok, &v);
	st_push_key(&st, "ConsumedCapacity");
	if (as_list)
		pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	foreach(lc, c->entries)
	{
		push_entry(&st, c->mode, lfirst(lc));
		if (!as_list)
			break;
	}
	if (as_list)
		pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
}
