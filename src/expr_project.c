/*
 * expr_project.c
 *	  Projections: st_apply_projection keeps the paths of a
 *	  ProjectionExpression, st_project_top_level the top-level attributes an
 *	  update touched (ReturnValues UPDATED_OLD / UPDATED_NEW).
 *
 *	  Leaves to others: parsing, ordering and the overlap check of the paths
 *	  (expr_prepare.c), path look-up and the mutable values the result is
 *	  built in (expr_value.c).  Depends on expr_value.c only.
 *
 *	  Cost: the paths come sorted, so building the result searches nothing
 *	  and is linear in the number of paths plus the size of what is kept.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/jsonb.h"

#include "expr.h"
#include "expr_int.h"
#include "singletable.h"

/* Projections ------------------------------------------------------------ */

/*
 * The child of node for path element e, added (as a new node of the given
 * kind, or as leaf for the last element) unless the previous path took the
 * same step.  The paths come ordered by st_expr_path_cmp, so a step taken
 * before is always the last child added: nothing is searched, and list
 * elements come out in index order.
 */
static StMutVal *
proj_step(StMutVal *node, StxPathElem *e, StMutKind kind, StMutVal *leaf)
{
	int			last = node->n - 1;
	StMutVal   *child;

	if (last >= 0 &&
		(e->is_index ? node->idx[last] == e->index :
		 st_mv_key_cmp(node->keys[last], node->keylens[last], e->resolved, e->resolved_len) == 0))
		return node->vals[last];
	child = leaf ? leaf : st_mv_new(kind);
	if (e->is_index)
		st_mv_add_child(node, NULL, 0, e->index, child);
	else
		st_mv_add_child(node, e->resolved, e->resolved_len, node->n, child);
	return child;
}

/*
 * A map the projection built whose only key reads as a tag ("$B" ...) must
 * be escaped as {"$M": {..}}, as in a stored item (item_types.c): the
 * values kept from the item are already in their stored form, so only the
 * maps built here are looked at.  Linear in the size of what was built.
 */
static void
escape_built_maps(StMutVal *mv)
{
	check_stack_depth();
	for (int i = 0; i < mv->n; i++)
	{
		StMutVal   *c = mv->vals[i];

		if (c->kind == MV_VALUE)
			continue;
		escape_built_maps(c);
		if (c->kind == MV_OBJECT && c->n == 1 &&
			st_key_needs_escape(c->keys[0], c->keylens[0]))
		{
			StMutVal   *esc = st_mv_new(MV_OBJECT);

			st_mv_add_child(esc, "$M", 2, 0, c);
			mv->vals[i] = esc;
		}
	}
}

Jsonb *
st_apply_projection(StExprContext *cx, StExpr *projection, Jsonb *item)
{
	StxNode    *root = projection->root;
	StMutVal   *out = st_mv_new(MV_OBJECT);

	Assert(projection->mode == STX_MODE_PROJECTION);
	if (item == NULL)
		return NULL;
	for (int p = 0; p < root->nargs; p++)
	{
		StxNode    *path = projection->by_path[p];
		JsonbValue	v;
		StMutVal   *node = out;

		CHECK_FOR_INTERRUPTS();
		if (!st_expr_path_lookup(item, path, &v))
			continue;
		for (int i = 0; i < path->nelems; i++)
		{
			bool		last = (i == path->nelems - 1);
			StMutKind	kind = (!last && path->elems[i + 1].is_index) ? MV_ARRAY : MV_OBJECT;

			node = proj_step(node, &path->elems[i], kind, last ? st_mv_value(&v) : NULL);
		}
	}
	escape_built_maps(out);
	return st_mv_to_jsonb(out);
}

Jsonb *
st_project_top_level(Jsonb *item, List *attrs)
{
	JsonbParseState *st = NULL;
	JsonbValue *res;
	ListCell   *lc;

	if (item == NULL)
		return NULL;
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foreach(lc, attrs)
	{
		char	   *name = lfirst(lc);
		JsonbValue	k;
		JsonbValue	v;

		if (!JB_ROOT_IS_OBJECT(item) ||
			getKeyJsonValueFromContainer(&item->root, name, strlen(name), &v) == NULL)
			continue;
		k.type = jbvString;
		k.val.string.val = name;
		k.val.string.len = strlen(name);
		pushJsonbValue(&st, WJB_KEY, &k);
		pushJsonbValue(&st, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}
