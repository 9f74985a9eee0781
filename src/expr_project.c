/*
 * expr_project.c
 *	  Projections: st_apply_projection keeps the paths of a
 *	  ProjectionExpression, st_project_updated the paths an update
 *	  expression targets (ReturnValues UPDATED_OLD / UPDATED_NEW),
 *	  st_project_top_level named top-level attributes (AttributesToGet).
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
#include "item_types.h"
#include "typedjson.h"

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

/*
 * The values of item at the n paths, ordered by st_expr_path_cmp, in a new
 * object; *found counts the paths the item has.
 */
static StMutVal *
project_paths(Jsonb *item, StxNode **paths, int n, int *found)
{
	StMutVal   *out = st_mv_new(MV_OBJECT);

	*found = 0;
	for (int p = 0; p < n; p++)
	{
		StxNode    *path = paths[p];
		JsonbValue	v;
		StMutVal   *node = out;

		CHECK_FOR_INTERRUPTS();
		if (!st_expr_path_lookup(item, path, &v))
			continue;
		(*found)++;
		for (int i = 0; i < path->nelems; i++)
		{
			bool		last = (i == path->nelems - 1);
			StMutKind	kind = (!last && path->elems[i + 1].is_index) ? MV_ARRAY : MV_OBJECT;

			node = proj_step(node, &path->elems[i], kind, last ? st_mv_value(&v) : NULL);
		}
	}
	escape_built_maps(out);
	return out;
}

Jsonb *
st_apply_projection(StExprContext *cx, StExpr *projection, Jsonb *item)
{
	int			found;

	Assert(projection->mode == STX_MODE_PROJECTION);
	if (item == NULL)
		return NULL;
	return st_mv_to_jsonb(project_paths(item, projection->by_path,
										projection->root->nargs, &found));
}

Jsonb *
st_project_updated(StExpr *update, Jsonb *item)
{
	int			n = update->root->nargs;
	StxNode   **paths;
	StMutVal   *out;
	int			found;

	Assert(update->mode == STX_MODE_UPDATE);
	if (item == NULL)
		return NULL;
	/* by_path lists the actions ordered by their target paths */
	paths = palloc(sizeof(StxNode *) * (n + 1));
	for (int i = 0; i < n; i++)
		paths[i] = update->by_path[i]->args[0];
	out = project_paths(item, paths, n, &found);
	pfree(paths);
	return found > 0 ? st_mv_to_jsonb(out) : NULL;
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
		JsonbValue	v;

		if (!JB_ROOT_IS_OBJECT(item) ||
			getKeyJsonValueFromContainer(&item->root, name, strlen(name), &v) == NULL)
			continue;
		st_push_key(&st, name);
		pushJsonbValue(&st, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}
