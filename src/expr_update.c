/*
 * expr_update.c
 *	  Update expressions (SET, REMOVE, ADD, DELETE): st_apply_update() turns
 *	  an item and a parsed update into the new item.
 *
 *	  Leaves to others: parsing, placeholders and the overlap check of the
 *	  target paths (expr_prepare.c), path look-up, comparison and the
 *	  mutable values the new item is built in (expr_value.c), the SQL helper
 *	  singletable.apply_update() (expr_sql.c).  Depends on expr_value.c, and
 *	  on expr_prepare.c for path text in messages.
 *
 *	  As in DynamoDB, every operand is read from the item as it was before
 *	  the update, so "SET a = b, b = a" swaps.  The parse (expr_prepare.c) has
 *	  already rejected overlapping target paths, so the order of the actions
 *	  matters only for list elements: SETs, ADDs and DELETEs are applied in
 *	  path order (indexes past the end append in index order), then REMOVEs.
 *	  A path through a missing map or list is an error for SET and REMOVE.
 *	  A removed element leaves a hole until the item is serialized (see
 *	  StMutVal), so removing a[1] and a[3] removes the elements that were at
 *	  1 and 3.
 *
 *	  ADD and DELETE take sets only ({"$SS": [..]}, {"$NS": [..]},
 *	  {"$BS": [..]}, see item_types.c; a list is an incorrect operand type),
 *	  and the resulting set is sorted (strings and base64 texts in byte
 *	  order, numbers numerically) without duplicates; a DELETE that leaves
 *	  nothing removes the attribute, as DynamoDB stores no empty set.  Sets are
 *	  sorted with a merge sort, O(n log n) on any input, and DELETE merges
 *	  the two sorted sets, so neither is quadratic in the size of a set.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "catalog.h"
#include "expr.h"
#include "expr_int.h"
#include "item_types.h"
#include "keys.h"

static void
invalid_path(StxNode *path)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid update expression: document path \"%s\" cannot be updated",
					st_expr_path_text(path)),
			 errdetail("ValidationException: The document path provided in the update expression is invalid for update.")));
}

/*
 * An operand of op has the wrong type; what says which, in the message:
 * DynamoDB's own wording (the DETAIL) says no more than that.
 */
pg_noreturn static void wrong_type(const char *op, const char *what);

static void
wrong_type(const char *op, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid update expression: incorrect operand type for %s: %s", op, what),
			 errdetail("ValidationException: An operand in the update expression has an incorrect data type.")));
}

/* The same for ADD and DELETE, in legacy AttributeUpdates' words when legacy */
pg_noreturn static void wrong_set_type(const char *op, const char *what, bool legacy);

static void
wrong_set_type(const char *op, const char *what, bool legacy)
{
	if (legacy)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid attribute update: incorrect operand type for %s: %s", op, what),
				 errdetail("ValidationException: Type mismatch for attribute to update.")));
	wrong_type(op, what);
}

pg_noreturn static void refuse_key_update(const char *k);

static const char *
top_name(StxNode *path)
{
	return pnstrdup(path->elems[0].resolved, path->elems[0].resolved_len);
}

/* SET operands ---------------------------------------------------------- */

/* Is mv an array?  Expanded arrays and jsonb arrays both count. */
static bool
mv_is_array(StMutVal *mv)
{
	if (mv->kind == MV_ARRAY)
		return true;
	return mv->kind == MV_VALUE && mv->v.type == jbvBinary &&
		JsonContainerIsArray(mv->v.val.binary.data);
}

static StMutVal *
eval_set_operand(StxNode *n, Jsonb *item, StxNode *target)
{
	JsonbValue	v;

	check_stack_depth();
	switch (n->kind)
	{
		case STX_PATH:
			if (!st_expr_path_lookup(item, n, &v))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid update expression: attribute \"%s\" does not exist in the item",
								st_expr_path_text(n)),
						 errdetail("ValidationException: The provided expression refers to an attribute that does not exist in the item."),
						 errhint("Use if_not_exists(path, value) to supply a default.")));
			return st_mv_value(&v);
		case STX_VALUE:
			return st_mv_value((JsonbValue *) n->resolved);
		case STX_IF_NOT_EXISTS:
			if (st_expr_path_lookup(item, n->args[0], &v))
				return st_mv_value(&v);
			return eval_set_operand(n->args[1], item, target);
		case STX_LIST_APPEND:
			{
				StMutVal   *a = eval_set_operand(n->args[0], item, target);
				StMutVal   *b = eval_set_operand(n->args[1], item, target);

				if (!mv_is_array(a) || !mv_is_array(b))
					wrong_type("list_append", "both operands must be lists");

				/*
				 * Operands are fresh nodes, so b's elements can go onto a
				 * itself: nested list_appends stay linear in the result.
				 */
				st_mv_expand(a);
				st_mv_expand(b);
				for (int i = 0; i < b->n; i++)
				{
					CHECK_FOR_INTERRUPTS();
					st_mv_append(a, b->vals[i], a->n);
				}
				return a;
			}
		case STX_PLUS:
		case STX_MINUS:
			{
				StMutVal   *a = eval_set_operand(n->args[0], item, target);
				StMutVal   *b = eval_set_operand(n->args[1], item, target);
				Numeric		r;
				bool		have_error = false;
				JsonbValue	rv;

				if (a->kind != MV_VALUE || a->v.type != jbvNumeric ||
					b->kind != MV_VALUE || b->v.type != jbvNumeric)
				{
					if (n->kind == STX_PLUS)
						wrong_type("+", "both operands must be numbers");
					wrong_type("-", "both operands must be numbers");
				}
				if (n->kind == STX_PLUS)
					r = numeric_add_opt_error(a->v.val.numeric, b->v.val.numeric, &have_error);
				else
					r = numeric_sub_opt_error(a->v.val.numeric, b->v.val.numeric, &have_error);
				if (have_error)
					ereport(ERROR,
							(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
							 errmsg("invalid update expression: number out of range"),
							 errdetail("ValidationException: Number overflow. Attempting to store a number with magnitude larger than supported range.")));
				st_validate_number(r, top_name(target));
				rv.type = jbvNumeric;
				rv.val.numeric = r;
				return st_mv_value(&rv);
			}
		default:
			elog(ERROR, "unexpected expression node %d in SET", (int) n->kind);
	}
	return NULL;
}

/* Navigating and changing the mutable item ------------------------------- */

/*
 * Expand a node to step into it: an escaped map {"$M": {..}} is its inner
 * map; binary and sets have no members (false, as for scalars).
 */
static bool
expand_for_path(StMutVal **node)
{
	if ((*node)->kind == MV_VALUE)
	{
		StTag		tag = st_tag_of(&(*node)->v, NULL);

		if (tag == ST_TAG_M)
		{
			st_mv_expand(*node);
			*node = (*node)->vals[0];
		}
		else if (tag != ST_TAG_NONE)
			return false;
		else if (st_mv_expand(*node))
		{
			/* a user map: escaped if the update leaves it one tag-like key */
			(*node)->escape_if_tag = (*node)->kind == MV_OBJECT;
			return true;
		}
	}
	return st_mv_expand(*node);
}

/*
 * Find the container holding the last element of path, expanding as we go.
 * Returns NULL when a step is missing (*wrong_kind false) or of the wrong
 * type (*wrong_kind true).
 */
static StMutVal *
find_parent(StMutVal *root, StxNode *path, bool *wrong_kind)
{
	StMutVal   *node = root;

	*wrong_kind = false;
	for (int i = 0; i < path->nelems - 1; i++)
	{
		StxPathElem *e = &path->elems[i];
		int			k;

		/* the item itself is an attribute map, never a tag */
		if (!(node == root ? st_mv_expand(node) : expand_for_path(&node)))
		{
			*wrong_kind = true;
			return NULL;
		}
		if (e->is_index)
		{
			if (node->kind != MV_ARRAY)
			{
				*wrong_kind = true;
				return NULL;
			}
			if (e->index >= node->n || node->vals[e->index] == NULL)
				return NULL;
			node = node->vals[e->index];
		}
		else
		{
			if (node->kind != MV_OBJECT)
			{
				*wrong_kind = true;
				return NULL;
			}
			k = st_mv_find_key(node, e->resolved, e->resolved_len);
			if (k < 0)
				return NULL;
			node = node->vals[k];
		}
	}
	if (!(node == root ? st_mv_expand(node) : expand_for_path(&node)))
	{
		*wrong_kind = true;
		return NULL;
	}
	return node;
}

/*
 * The container of path's last element, of the kind that element needs (a
 * list for an index, a map for a name).  A missing container, or one of the
 * other kind, is DynamoDB's invalid document path, for SET and REMOVE alike.
 */
static StMutVal *
path_parent(StMutVal *root, StxNode *path)
{
	bool		wrong_kind;
	StMutVal   *parent = find_parent(root, path, &wrong_kind);

	if (parent == NULL ||
		parent->kind != (path->elems[path->nelems - 1].is_index ? MV_ARRAY : MV_OBJECT))
		invalid_path(path);
	return parent;
}

static void
set_path(StMutVal *root, StxNode *path, StMutVal *value)
{
	StMutVal   *parent = path_parent(root, path);
	StxPathElem *last = &path->elems[path->nelems - 1];

	if (last->is_index)
	{
		if (last->index < parent->n)
			parent->vals[last->index] = value;
		else
			st_mv_append(parent, value, parent->n);
	}
	else
		st_mv_set_key(parent, last->resolved, last->resolved_len, value);
}

static void
remove_path(StMutVal *root, StxNode *path)
{
	/* removing through a missing map or list is an error, as in DynamoDB */
	StMutVal   *parent = path_parent(root, path);
	StxPathElem *last = &path->elems[path->nelems - 1];

	if (last->is_index)
	{
		if (last->index < parent->n && parent->vals[last->index] != NULL)
			st_mv_remove_at(parent, last->index);
	}
	else
	{
		int			k = st_mv_find_key(parent, last->resolved, last->resolved_len);

		if (k >= 0)
			st_mv_remove_at(parent, k);
	}
}

/* Sets (ADD / DELETE) ----------------------------------------------------- */

static int
cmp_set_elems(const void *a, const void *b)
{
	bool		comparable;

	return st_compare_scalars((const JsonbValue *) a, (const JsonbValue *) b, &comparable);
}

/*
 * Stable merge sort of set elements (pointers), bottom-up: O(n log n)
 * comparisons on any input, O(n) on one already sorted, as a set written
 * by an earlier ADD is.  Stable, so that of equal numbers (1 and 1.0) the
 * one first in the array is the one kept.
 */
static void
sort_set(JsonbValue **v, int n)
{
	JsonbValue **src = v;
	JsonbValue **dst;
	JsonbValue **tmp;

	if (n < 2)
		return;
	tmp = dst = palloc(sizeof(JsonbValue *) * n);
	for (int64 width = 1; width < n; width *= 2)
	{
		for (int64 lo = 0; lo < n; lo += 2 * width)
		{
			int64		mid = Min(lo + width, n);
			int64		hi = Min(lo + 2 * width, n);
			int64		i = lo;
			int64		j = mid;
			int64		k = lo;

			CHECK_FOR_INTERRUPTS();
			if (mid < hi && cmp_set_elems(src[mid - 1], src[mid]) > 0)
			{
				while (i < mid && j < hi)
				{
					CHECK_FOR_INTERRUPTS();
					dst[k++] = cmp_set_elems(src[j], src[i]) < 0 ? src[j++] : src[i++];
				}
			}
			memcpy(dst + k, src + i, sizeof(JsonbValue *) * (mid - i));
			k += mid - i;
			memcpy(dst + k, src + j, sizeof(JsonbValue *) * (hi - j));
		}
		tmp = src;
		src = dst;
		dst = tmp;
	}
	if (src != v)
	{
		memcpy(v, src, sizeof(JsonbValue *) * n);
		pfree(src);
	}
	else
		pfree(dst);
}

/*
 * Read the elements of a jsonb array used as a set: *elems gets pointers to
 * them, room for extra more pointers after them.  All must be strings or
 * all numbers (the type goes to *type; jbvNull for an empty array).
 * Returns the count, or -1 when the array is not a valid set.
 */
static int
set_elements(const JsonbValue *arr, int extra, JsonbValue ***elems, enum jbvType *type)
{
	JsonbContainer *c = arr->val.binary.data;
	int			size = JsonContainerSize(c);
	JsonbValue *vals = palloc(sizeof(JsonbValue) * (size + 1));
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			n = 0;

	*type = jbvNull;
	*elems = palloc(sizeof(JsonbValue *) * (size + extra + 1));
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok != WJB_ELEM)
			continue;
		if (v.type != jbvString && v.type != jbvNumeric)
			return -1;
		if (*type == jbvNull)
			*type = v.type;
		else if (*type != v.type)
			return -1;
		vals[n] = v;
		(*elems)[n] = &vals[n];
		n++;
	}
	return n;
}

/*
 * Is v a set?  Its tag goes to *tag and its array to *payload.
 */
static bool
is_set(const JsonbValue *v, StTag *tag, JsonbValue *payload)
{
	*tag = st_tag_of(v, payload);
	return *tag == ST_TAG_SS || *tag == ST_TAG_NS || *tag == ST_TAG_BS;
}

/* Build the set (tag) of sorted elems, without their duplicates. */
static StMutVal *
make_set(StTag tag, JsonbValue **elems, int n)
{
	StMutVal   *res = st_mv_new(MV_ARRAY);
	StMutVal   *set = st_mv_new(MV_OBJECT);
	const char *name = st_tag_name(tag);

	st_mv_add_child(set, name, strlen(name), 0, res);

	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (i > 0 && cmp_set_elems(elems[i - 1], elems[i]) == 0)
			continue;
		st_mv_append(res, st_mv_value(elems[i]), res->n);
	}
	return set;
}

static void
bad_set_operand(const char *op, StxNode *value)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 strcmp(op, "ADD") == 0 ?
			 errmsg("invalid update expression: %s needs a number or a non-empty set, not %s",
					op, value->name) :
			 errmsg("invalid update expression: %s needs a non-empty set, not %s",
					op, value->name),
			 errdetail("ValidationException: Invalid UpdateExpression: Incorrect operand type for operator or function; operator: %s.",
					   op),
			 errhint("A set is {\"$SS\": [strings]}, {\"$NS\": [numbers]} or {\"$BS\": [base64 strings]}, never a list.")));
}

static void
apply_add(StMutVal *root, Jsonb *item, StxNode *path, StxNode *value, bool legacy)
{
	JsonbValue *v = value->resolved;
	JsonbValue	cur;
	bool		exists = st_expr_path_lookup(item, path, &cur);
	JsonbValue	addset;
	JsonbValue	curset;
	StTag		addtag;
	StTag		curtag;

	if (v->type == jbvNumeric)
	{
		JsonbValue	rv;
		bool		have_error = false;

		if (!exists)
		{
			set_path(root, path, st_mv_value(v));
			return;
		}
		if (cur.type != jbvNumeric)
			wrong_set_type("ADD", "the attribute is not a number", legacy);
		rv.type = jbvNumeric;
		rv.val.numeric = numeric_add_opt_error(cur.val.numeric, v->val.numeric, &have_error);
		if (have_error)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("invalid update expression: number out of range"),
					 errdetail("ValidationException: Number overflow. Attempting to store a number with magnitude larger than supported range.")));
		st_validate_number(rv.val.numeric, top_name(path));
		set_path(root, path, st_mv_value(&rv));
		return;
	}
	if (is_set(v, &addtag, &addset))
	{
		JsonbValue **add;
		JsonbValue **all;
		enum jbvType addtype;
		enum jbvType oldtype = jbvNull;
		int			nadd;
		int			nold = 0;

		nadd = set_elements(&addset, 0, &add, &addtype);
		if (nadd <= 0)
			bad_set_operand("ADD", value);
		if (exists)
		{
			if (!is_set(&cur, &curtag, &curset))
				wrong_set_type("ADD", "the attribute is not a set", legacy);
			if (curtag != addtag)
				wrong_set_type("ADD", "the set and the attribute have different element types", legacy);
			/* the set, then the new elements: the set's own copy is kept */
			nold = set_elements(&curset, nadd, &all, &oldtype);
			if (nold < 0)
				wrong_set_type("ADD", "the attribute is not a set", legacy);
			memcpy(all + nold, add, sizeof(JsonbValue *) * nadd);
		}
		else
			all = add;
		sort_set(all, nold + nadd);
		set_path(root, path, make_set(addtag, all, nold + nadd));
		return;
	}
	bad_set_operand("ADD", value);
}

static void
apply_delete(StMutVal *root, Jsonb *item, StxNode *path, StxNode *value, bool legacy)
{
	JsonbValue *v = value->resolved;
	JsonbValue	cur;
	JsonbValue **del;
	JsonbValue **old;
	enum jbvType deltype;
	enum jbvType oldtype;
	int			ndel;
	int			nold;
	int			nkeep = 0;
	int			j = 0;
	JsonbValue	delset;
	JsonbValue	curset;
	StTag		deltag;
	StTag		curtag;

	if (!is_set(v, &deltag, &delset))
		bad_set_operand("DELETE", value);
	ndel = set_elements(&delset, 0, &del, &deltype);
	if (ndel <= 0)
		bad_set_operand("DELETE", value);
	/* a missing attribute is nothing to delete, a missing map or list an error */
	path_parent(root, path);
	if (!st_expr_path_lookup(item, path, &cur))
		return;
	if (!is_set(&cur, &curtag, &curset))
		wrong_set_type("DELETE", "the attribute is not a set", legacy);
	if (curtag != deltag)
		wrong_set_type("DELETE", "the set and the attribute have different element types", legacy);
	nold = set_elements(&curset, 0, &old, &oldtype);
	if (nold < 0)
		wrong_set_type("DELETE", "the attribute is not a set", legacy);

	/* both sorted: one merge pass keeps what is not deleted */
	sort_set(old, nold);
	sort_set(del, ndel);
	for (int i = 0; i < nold; i++)
	{
		CHECK_FOR_INTERRUPTS();
		while (j < ndel && cmp_set_elems(del[j], old[i]) < 0)
		{
			CHECK_FOR_INTERRUPTS();
			j++;
		}
		if (j < ndel && cmp_set_elems(del[j], old[i]) == 0)
			continue;
		old[nkeep++] = old[i];
	}
	if (nkeep == 0)
		remove_path(root, path);
	else
		set_path(root, path, make_set(curtag, old, nkeep));
}

/* Key attributes ----------------------------------------------------------- */

static void
refuse_key_update(const char *k)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid update expression: cannot update key attribute \"%s\"", k),
			 errdetail("ValidationException: One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key.",
					   k)));
}

/* Does path start with attribute attr? */
static bool
path_is_attr(StxNode *path, const char *attr)
{
	StxPathElem *e = &path->elems[0];

	return !e->is_index && e->resolved_len == (int) strlen(attr) &&
		memcmp(e->resolved, attr, e->resolved_len) == 0;
}

/* A document path under n into attribute attr (attr.b, attr[0]), or NULL */
static StxNode *
path_into_attr(StxNode *n, const char *attr)
{
	check_stack_depth();
	if (n->kind == STX_PATH)
		return n->nelems > 1 && path_is_attr(n, attr) ? n : NULL;
	for (int i = 0; i < n->nargs; i++)
	{
		StxNode    *p = path_into_attr(n->args[i], attr);

		if (p)
			return p;
	}
	return NULL;
}

/*
 * The type an operand gives its target whatever the item holds: a value's,
 * N for arithmetic, L for list_append, if_not_exists' default's; NULL when
 * it depends on the item.
 */
static const char *
static_type(StxNode *n)
{
	check_stack_depth();
	switch (n->kind)
	{
		case STX_VALUE:
			return st_value_type_name((JsonbValue *) n->resolved);
		case STX_PLUS:
		case STX_MINUS:
			return "N";
		case STX_LIST_APPEND:
			return "L";
		case STX_IF_NOT_EXISTS:
			return static_type(n->args[1]);
		default:
			return NULL;
	}
}

/* A key attribute of one of the table's secondary indexes */
typedef struct IndexKeyAttr
{
	StIndex    *index;
	const char *attr;
	StKeyType	type;
} IndexKeyAttr;

/*
 * The key attributes of the table's secondary indexes that are not the
 * table's own (those are never updated), in index name order: *n of them.
 */
static IndexKeyAttr *
index_key_attrs(StTable *t, int *n)
{
	IndexKeyAttr *keys = palloc(sizeof(IndexKeyAttr) * (2 * list_length(t->indexes) + 1));
	ListCell   *lc;

	*n = 0;
	foreach(lc, t->indexes)
	{
		StIndex    *ix = lfirst(lc);

		for (int k = 0; k < 2; k++)
		{
			const char *attr = k == 0 ? ix->pk_attr : ix->sk_attr;

			if (attr == NULL || strcmp(attr, t->pk_attr) == 0 ||
				(t->sk_attr && strcmp(attr, t->sk_attr) == 0))
				continue;
			keys[*n].index = ix;
			keys[*n].attr = attr;
			keys[*n].type = k == 0 ? ix->pk_type : ix->sk_type;
			(*n)++;
		}
	}
	return keys;
}

/*
 * The checks DynamoDB makes of an update against the table's keys before
 * reading the item: that it leaves the table's own key attributes alone,
 * then, for the secondary index keys, that no SET or ADD gives a key
 * attribute a value of another type than the key's, then that no path goes
 * into a key attribute (c.b, c[1]), in a target or an operand.  Indexes in
 * name order, actions in the order written.
 */
void
st_check_update_keys(StExpr *update, StTable *t)
{
	StxNode    *root = update->root;
	int			nkeys;
	IndexKeyAttr *keys = index_key_attrs(t, &nkeys);

	/* the table's own key attributes first, in path order */
	for (int i = 0; i < root->nargs; i++)
	{
		StxNode    *target = update->by_path[i]->args[0];

		if (path_is_attr(target, t->pk_attr))
			refuse_key_update(t->pk_attr);
		if (t->sk_attr && path_is_attr(target, t->sk_attr))
			refuse_key_update(t->sk_attr);
	}
	for (int k = 0; k < nkeys; k++)
	{
		for (int i = 0; i < root->nargs; i++)
		{
			StxNode    *a = root->args[i];
			const char *vt;

			CHECK_FOR_INTERRUPTS();
			if ((a->kind != STX_SET && a->kind != STX_ADD) ||
				a->args[0]->nelems != 1 || !path_is_attr(a->args[0], keys[k].attr))
				continue;
			vt = static_type(a->args[1]);
			if (vt != NULL && (vt[0] != (char) keys[k].type || vt[1] != '\0'))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("index key attribute \"%s\" of index \"%s\" must be of type %c",
								keys[k].attr, keys[k].index->name, (char) keys[k].type),
						 errdetail("ValidationException: One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %c Actual: %s IndexName: %s.",
								   keys[k].attr, (char) keys[k].type, vt, keys[k].index->name)));
		}
	}
	for (int k = 0; k < nkeys; k++)
	{
		for (int i = 0; i < root->nargs; i++)
		{
			CHECK_FOR_INTERRUPTS();
			if (path_into_attr(root->args[i], keys[k].attr) != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid update expression: document path into index key attribute \"%s\"",
								keys[k].attr),
						 errdetail("ValidationException: Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: %s.",
								   keys[k].attr)));
		}
	}
	pfree(keys);
}

/*
 * After the update: an index key attribute the update wrote must hold a
 * value of the key's type (SET c = e, with e read from the item).
 */
void
st_check_updated_index_keys(StExpr *update, StTable *t, Jsonb *item)
{
	StxNode    *root = update->root;
	int			nkeys;
	IndexKeyAttr *keys = index_key_attrs(t, &nkeys);

	for (int k = 0; k < nkeys; k++)
	{
		for (int i = 0; i < root->nargs; i++)
		{
			StxNode    *a = root->args[i];
			JsonbValue	v;
			JsonbValue	scalar;

			CHECK_FOR_INTERRUPTS();
			if (a->kind == STX_REMOVE || a->args[0]->nelems != 1 ||
				!path_is_attr(a->args[0], keys[k].attr) ||
				getKeyJsonValueFromContainer(&item->root, keys[k].attr, strlen(keys[k].attr), &v) == NULL ||
				st_key_scalar(&v, keys[k].type, &scalar))
				continue;
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("index key attribute \"%s\" of index \"%s\" must be of type %c",
							keys[k].attr, keys[k].index->name, (char) keys[k].type),
					 errdetail("ValidationException: The update expression attempted to update the secondary index key to unsupported type.")));
		}
	}
	pfree(keys);
}

void
st_update_mark_legacy(StExpr *update)
{
	update->legacy = true;
}

bool
st_update_only_removes(StExpr *update)
{
	for (int i = 0; i < update->root->nargs; i++)
		if (update->root->args[i]->kind != STX_REMOVE &&
			update->root->args[i]->kind != STX_DELETE)
			return false;
	return true;
}

Jsonb *
st_apply_update(StExprContext *cx, StExpr *update, Jsonb *item,
				List *key_attrs, List **updated_attrs)
{
	StxNode    *root = update->root;
	StMutVal   *newitem;
	StMutVal  **setvals;
	List	   *touched = NIL;
	JsonbValue	rootv;
	StxPathElem *prev = NULL;

	Assert(update->mode == STX_MODE_UPDATE);

	/*
	 * Key attributes cannot be touched; collect the top-level names, which
	 * in path order come together.
	 */
	for (int i = 0; i < root->nargs; i++)
	{
		StxPathElem *e = &update->by_path[i]->args[0]->elems[0];
		ListCell   *lc;

		foreach(lc, key_attrs)
		{
			char	   *k = lfirst(lc);

			if ((int) strlen(k) == e->resolved_len && memcmp(k, e->resolved, e->resolved_len) == 0)
				refuse_key_update(k);
		}
		if (prev == NULL || prev->resolved_len != e->resolved_len ||
			memcmp(prev->resolved, e->resolved, e->resolved_len) != 0)
			touched = lappend(touched, pnstrdup(e->resolved, e->resolved_len));
		prev = e;
	}
	if (updated_attrs)
		*updated_attrs = touched;

	if (item != NULL && !JB_ROOT_IS_OBJECT(item))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("item must be a JSON object"),
				 errdetail("ValidationException: An item is a map of attribute names to values.")));

	/* every SET value is computed from the item as it was */
	setvals = palloc0(sizeof(StMutVal *) * root->nargs);
	for (int i = 0; i < root->nargs; i++)
		if (update->by_path[i]->kind == STX_SET)
			setvals[i] = eval_set_operand(update->by_path[i]->args[1], item,
										  update->by_path[i]->args[0]);

	if (item != NULL)
	{
		rootv.type = jbvBinary;
		rootv.val.binary.data = &item->root;
		rootv.val.binary.len = VARSIZE(item) - VARHDRSZ;
		newitem = st_mv_value(&rootv);
		st_mv_expand(newitem);
	}
	else
		newitem = st_mv_new(MV_OBJECT);

	/*
	 * SETs, ADDs and DELETEs go in path order: several indexes past the end
	 * of one list append in index order, whichever action writes them, as
	 * in DynamoDB.
	 */
	for (int i = 0; i < root->nargs; i++)
	{
		StxNode    *a = update->by_path[i];

		if (a->kind == STX_SET)
			set_path(newitem, a->args[0], setvals[i]);
		else if (a->kind == STX_ADD)
			apply_add(newitem, item, a->args[0], a->args[1], update->legacy);
		else if (a->kind == STX_DELETE)
			apply_delete(newitem, item, a->args[0], a->args[1], update->legacy);
	}
	for (int i = 0; i < root->nargs; i++)
		if (root->args[i]->kind == STX_REMOVE)
			remove_path(newitem, root->args[i]->args[0]);

	return st_mv_to_jsonb(newitem);
}
