/*
 * expr_value.c
 *	  JSON values as the expression language sees them: reading a document
 *	  path out of an item (st_expr_path_lookup), DynamoDB's scalar ordering
 *	  and deep equality (st_compare_scalars, st_expr_values_equal), and the
 *	  mutable values (StMutVal, see expr_int.h) that updates and projections
 *	  build their results in.
 *
 *	  Leaves to others: what an expression means (expr_eval.c,
 *	  expr_update.c, expr_project.c).  A leaf of the component: it calls no
 *	  other expr_*.c file.
 *
 *	  Cost: values can be as large as jsonb allows, so equality walks both
 *	  containers side by side without recursion, and a mutable object finds
 *	  a key by binary search or hashing, never by a scan of its children.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "miscadmin.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "expr.h"
#include "expr_int.h"
#include "item_types.h"
#include "keys.h"
#include "typedjson.h"

/* Reading and comparing -------------------------------------------------- */

/*
 * Look up a document path in an item.  Returns false when any step is
 * missing or of the wrong type.  Scalars point into the item (no copy).
 */
bool
st_expr_path_lookup(Jsonb *item, StxNode *path, JsonbValue *out)
{
	JsonbContainer *c;

	if (item == NULL || !JB_ROOT_IS_OBJECT(item))
		return false;
	c = &item->root;
	for (int i = 0; i < path->nelems; i++)
	{
		StxPathElem *e = &path->elems[i];

		if (i > 0)
		{
			JsonbValue	inner;
			StTag		tag;

			if (out->type != jbvBinary)
				return false;
			/* an escaped map is its inner map; binary and sets have no members */
			tag = st_tag_of(out, &inner);
			if (tag == ST_TAG_M)
				*out = inner;
			else if (tag != ST_TAG_NONE)
				return false;
			c = out->val.binary.data;
		}
		if (e->is_index)
		{
			JsonbValue *v;

			if (!JsonContainerIsArray(c))
				return false;
			v = getIthJsonbValueFromContainer(c, e->index);
			if (v == NULL)
				return false;
			*out = *v;
			pfree(v);
		}
		else
		{
			if (!JsonContainerIsObject(c))
				return false;
			if (getKeyJsonValueFromContainer(c, e->resolved, e->resolved_len, out) == NULL)
				return false;
		}
	}
	return true;
}

int
st_compare_scalars(const JsonbValue *a, const JsonbValue *b, bool *comparable)
{
	*comparable = false;
	if (a->type != b->type)
		return 0;
	if (a->type == jbvBinary)
	{
		/* binary compares by unsigned bytes; nothing else is ordered */
		JsonbValue	x;
		JsonbValue	y;
		char	   *xb;
		char	   *yb;
		int			xl;
		int			yl;
		int			c;

		if (st_tag_of(a, &x) != ST_TAG_B || st_tag_of(b, &y) != ST_TAG_B)
			return 0;
		xb = st_binary_bytes(&x, &xl);
		yb = st_binary_bytes(&y, &yl);
		if (xb == NULL || yb == NULL)
			return 0;
		*comparable = true;
		c = st_compare_bytes(xb, xl, yb, yl);
		pfree(xb);
		pfree(yb);
		return c;
	}
	if (a->type == jbvString)
	{
		int			n = Min(a->val.string.len, b->val.string.len);
		int			c = memcmp(a->val.string.val, b->val.string.val, n);

		*comparable = true;
		if (c != 0)
			return c < 0 ? -1 : 1;
		return a->val.string.len < b->val.string.len ? -1 :
			a->val.string.len > b->val.string.len ? 1 : 0;
	}
	if (a->type == jbvNumeric)
	{
		*comparable = true;
		return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
												 NumericGetDatum(a->val.numeric),
												 NumericGetDatum(b->val.numeric)));
	}
	return 0;
}

/* Free an iterator left before WJB_DONE, with its parents. */
void
st_expr_free_iterators(JsonbIterator *it)
{
	while (it != NULL)
	{
		JsonbIterator *parent = it->parent;

		pfree(it);
		it = parent;
	}
}

/*
 * Deep equality of two containers: both are walked side by side, without
 * recursion however deep they nest, in time linear in the smaller one
 * (jsonb keeps object keys in one canonical order, so equal maps yield the
 * same keys in the same order).
 */
static bool
containers_equal(JsonbContainer *x, JsonbContainer *y)
{
	JsonbIterator *ix;
	JsonbIterator *iy;
	bool		equal = true;

	if (JsonContainerIsArray(x) != JsonContainerIsArray(y) ||
		JsonContainerSize(x) != JsonContainerSize(y))
		return false;
	ix = JsonbIteratorInit(x);
	iy = JsonbIteratorInit(y);
	while (equal)
	{
		JsonbValue	a;
		JsonbValue	b;
		JsonbIteratorToken ta = JsonbIteratorNext(&ix, &a, false);
		JsonbIteratorToken tb = JsonbIteratorNext(&iy, &b, false);

		CHECK_FOR_INTERRUPTS();
		if (ta != tb)
			equal = false;
		else if (ta == WJB_DONE)
			break;
		else if (ta == WJB_BEGIN_ARRAY)
			equal = a.val.array.nElems == b.val.array.nElems &&
				a.val.array.rawScalar == b.val.array.rawScalar;
		else if (ta == WJB_BEGIN_OBJECT)
			equal = a.val.object.nPairs == b.val.object.nPairs;
		else if (ta == WJB_KEY || ta == WJB_VALUE || ta == WJB_ELEM)
			equal = st_expr_values_equal(&a, &b);	/* scalars here */
	}
	st_expr_free_iterators(ix);
	st_expr_free_iterators(iy);
	return equal;
}

/* Deep equality with DynamoDB's rules (numbers numerically). */
bool
st_expr_values_equal(const JsonbValue *a, const JsonbValue *b)
{
	bool		comparable;

	if (a->type != b->type)
		return false;
	switch (a->type)
	{
		case jbvString:
		case jbvNumeric:
			return st_compare_scalars(a, b, &comparable) == 0 && comparable;
		case jbvBool:
			return a->val.boolean == b->val.boolean;
		case jbvNull:
			return true;
		case jbvBinary:
			{
				JsonbValue	x;
				JsonbValue	y;
				StTag		tag = st_tag_of(a, &x);

				if (st_tag_of(b, &y) != tag)
					return false;
				if (tag == ST_TAG_B)
					return st_compare_scalars(a, b, &comparable) == 0 && comparable;
				if (tag == ST_TAG_SS || tag == ST_TAG_NS || tag == ST_TAG_BS)
					return st_sets_equal(&x, &y);	/* in any order */
				return containers_equal(a->val.binary.data, b->val.binary.data);
			}
		default:
			return false;
	}
}

/* Mutable values --------------------------------------------------------- */

StMutVal *
st_mv_new(StMutKind kind)
{
	StMutVal   *mv = palloc0(sizeof(StMutVal));

	mv->kind = kind;
	return mv;
}

StMutVal *
st_mv_value(const JsonbValue *v)
{
	StMutVal   *mv = st_mv_new(MV_VALUE);

	mv->v = *v;
	return mv;
}

/*
 * Add a child at the end, without looking up or hashing the key: key for an
 * object, source index idx for an array.  Projections build with this
 * alone; updates go through st_mv_set_key and st_mv_append.
 */
void
st_mv_add_child(StMutVal *mv, const char *key, int keylen, int idx, StMutVal *child)
{
	if (mv->n == mv->cap)
	{
		mv->cap = mv->cap ? mv->cap * 2 : 8;
		if (mv->vals == NULL)
		{
			mv->vals = palloc(sizeof(StMutVal *) * mv->cap);
			mv->keys = palloc(sizeof(char *) * mv->cap);
			mv->keylens = palloc(sizeof(int) * mv->cap);
			mv->idx = palloc(sizeof(int) * mv->cap);
		}
		else
		{
			mv->vals = repalloc(mv->vals, sizeof(StMutVal *) * mv->cap);
			mv->keys = repalloc(mv->keys, sizeof(char *) * mv->cap);
			mv->keylens = repalloc(mv->keylens, sizeof(int) * mv->cap);
			mv->idx = repalloc(mv->idx, sizeof(int) * mv->cap);
		}
	}
	mv->keys[mv->n] = key;
	mv->keylens[mv->n] = keylen;
	mv->idx[mv->n] = idx;
	mv->vals[mv->n] = child;
	mv->n++;
}

/*
 * Turn an MV_VALUE holding a container into MV_OBJECT / MV_ARRAY whose
 * children are MV_VALUEs.  Returns false for scalars; true when mv is (now)
 * expanded.
 */
bool
st_mv_expand(StMutVal *mv)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	const char *key = NULL;
	int			keylen = 0;

	if (mv->kind != MV_VALUE)
		return true;
	if (mv->v.type != jbvBinary)
		return false;
	mv->kind = JsonContainerIsArray(mv->v.val.binary.data) ? MV_ARRAY : MV_OBJECT;
	it = JsonbIteratorInit(mv->v.val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_KEY)
		{
			key = v.val.string.val;
			keylen = v.val.string.len;
		}
		else if (tok == WJB_VALUE || tok == WJB_ELEM)
			st_mv_add_child(mv, key, keylen, mv->n, st_mv_value(&v));
	}
	/* a jsonb object yields its keys in its own sorted order */
	if (mv->kind == MV_OBJECT)
		mv->nsorted = mv->n;
	return true;
}

/* jsonb's order of object keys: shorter first, then by bytes */
int
st_mv_key_cmp(const char *a, int alen, const char *b, int blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return memcmp(a, b, alen);
}

/* Added keys up to this many are found by a scan, more through tail_hash. */
#define MV_TAIL_SCAN 8

static uint32
key_hash(StMutVal *obj, const char *key, int keylen)
{
	return hash_bytes((const unsigned char *) key, keylen) & (obj->tail_hash_size - 1);
}

static void
tail_hash_insert(StMutVal *obj, int pos)
{
	uint32		h = key_hash(obj, obj->keys[pos], obj->keylens[pos]);

	while (obj->tail_hash[h] != 0)
		h = (h + 1) & (obj->tail_hash_size - 1);
	obj->tail_hash[h] = pos + 1;
}

/* Hash the keys added to obj, in a table of size slots (a power of two). */
static void
tail_hash_build(StMutVal *obj, int size)
{
	if (obj->tail_hash)
		pfree(obj->tail_hash);
	obj->tail_hash = palloc0(sizeof(int) * size);
	obj->tail_hash_size = size;
	for (int i = obj->nsorted; i < obj->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		tail_hash_insert(obj, i);
	}
}

/*
 * Position of a (not removed) key of an object, or -1: a binary search of
 * the children in jsonb order, then the ones added since.
 */
int
st_mv_find_key(StMutVal *obj, const char *key, int keylen)
{
	int			lo = 0;
	int			hi = obj->nsorted;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = st_mv_key_cmp(obj->keys[mid], obj->keylens[mid], key, keylen);

		if (c == 0)
		{
			if (obj->vals[mid] != NULL)
				return mid;
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (obj->tail_hash != NULL)
	{
		for (uint32 h = key_hash(obj, key, keylen); obj->tail_hash[h] != 0;
			 h = (h + 1) & (obj->tail_hash_size - 1))
		{
			int			i = obj->tail_hash[h] - 1;

			if (obj->vals[i] != NULL && st_mv_key_cmp(obj->keys[i], obj->keylens[i], key, keylen) == 0)
				return i;
		}
		return -1;
	}
	for (int i = obj->nsorted; i < obj->n; i++)
		if (obj->vals[i] != NULL && st_mv_key_cmp(obj->keys[i], obj->keylens[i], key, keylen) == 0)
			return i;
	return -1;
}

void
st_mv_set_key(StMutVal *obj, const char *key, int keylen, StMutVal *child)
{
	int			i = st_mv_find_key(obj, key, keylen);
	int			added;

	if (i >= 0)
	{
		obj->vals[i] = child;
		return;
	}
	st_mv_add_child(obj, key, keylen, obj->n, child);
	added = obj->n - obj->nsorted;
	if (added <= MV_TAIL_SCAN)
		return;
	/* keep the table at most half full */
	if (added * 2 > obj->tail_hash_size)
		tail_hash_build(obj, pg_nextpower2_32(added * 4));
	else
		tail_hash_insert(obj, obj->n - 1);
}

/*
 * Remove child i of an object or array.  It is left as a hole (see StMutVal),
 * so the other children keep their positions.
 */
void
st_mv_remove_at(StMutVal *mv, int i)
{
	mv->vals[i] = NULL;
}

/* Append to an array; idx is the source index kept for projections. */
void
st_mv_append(StMutVal *arr, StMutVal *child, int idx)
{
	st_mv_add_child(arr, NULL, 0, idx, child);
}

/* Is mv a map left with one key that reads as a tag ("$B" ...)? */
static bool
needs_escape(StMutVal *mv)
{
	int			live = -1;

	for (int i = 0; i < mv->n; i++)
	{
		if (mv->vals[i] == NULL)
			continue;
		if (live >= 0)
			return false;
		live = i;
	}
	return live >= 0 && st_key_needs_escape(mv->keys[live], mv->keylens[live]);
}

static JsonbValue *
mv_push(JsonbParseState **st, StMutVal *mv, JsonbIteratorToken seq)
{
	check_stack_depth();
	if (mv->kind == MV_VALUE)
	{
		if (seq == WJB_BEGIN_OBJECT)
		{
			/* the root, still untouched: copy it through */
			JsonbIterator *it = JsonbIteratorInit(mv->v.val.binary.data);
			JsonbValue	v;
			JsonbIteratorToken tok;
			JsonbValue *res = NULL;

			while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
			{
				CHECK_FOR_INTERRUPTS();
				res = pushJsonbValue(st, tok, tok < WJB_BEGIN_ARRAY ? &v : NULL);
			}
			return res;
		}
		return pushJsonbValue(st, seq, &mv->v);
	}
	if (mv->escape_if_tag && seq != WJB_BEGIN_OBJECT && needs_escape(mv))
	{
		/* {"$M": {..}}: the map, one level down */
		JsonbValue	k;
		JsonbValue *res;

		k.type = jbvString;
		k.val.string.val = "$M";
		k.val.string.len = 2;
		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		pushJsonbValue(st, WJB_KEY, &k);
		mv->escape_if_tag = false;
		mv_push(st, mv, WJB_VALUE);
		mv->escape_if_tag = true;
		res = pushJsonbValue(st, WJB_END_OBJECT, NULL);
		return res;
	}
	pushJsonbValue(st, mv->kind == MV_OBJECT ? WJB_BEGIN_OBJECT : WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < mv->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (mv->vals[i] == NULL)
			continue;			/* removed */
		if (mv->kind == MV_OBJECT)
		{
			JsonbValue	k;

			k.type = jbvString;
			k.val.string.val = (char *) mv->keys[i];
			k.val.string.len = mv->keylens[i];
			pushJsonbValue(st, WJB_KEY, &k);
			mv_push(st, mv->vals[i], WJB_VALUE);
		}
		else
			mv_push(st, mv->vals[i], WJB_ELEM);
	}
	return pushJsonbValue(st, mv->kind == MV_OBJECT ? WJB_END_OBJECT : WJB_END_ARRAY, NULL);
}

/* Serialize a mutable object (the root of an item) to jsonb. */
Jsonb *
st_mv_to_jsonb(StMutVal *mv)
{
	JsonbParseState *st = NULL;
	JsonbValue *res;

	if (mv->kind == MV_VALUE && mv->v.type != jbvBinary)
		return JsonbValueToJsonb(&mv->v);
	res = mv_push(&st, mv, WJB_BEGIN_OBJECT);
	return JsonbValueToJsonb(res);
}
