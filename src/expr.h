/*
 * expr.h
 *	  DynamoDB's expression language: condition and filter expressions,
 *	  update expressions, projection expressions and key conditions, with
 *	  #name / :value placeholders.
 *
 *	  expr_parse.c    text -> tree; plain C with no server calls, so the fuzz
 *	                  target (test/fuzz/) links it on its own.  See the
 *	                  "parser core" section of expr_int.h.
 *	  expr_prepare.c  the request context, the parse wrappers, placeholder
 *	                  resolution, key conditions, the unused-placeholder
 *	                  check.
 *	  expr_eval.c     conditions and filters over jsonb items.
 *	  expr_update.c   update expressions (SET, REMOVE, ADD, DELETE) -> new item.
 *	  expr_project.c  projections.
 *	  expr_value.c    path look-up, scalar comparison and equality, the
 *	                  mutable values updates and projections build in.
 *	  expr_sql.c      the SQL helpers matches(), apply_update(), project()
 *	                  and key_condition().
 *
 *	  Calls go one way: expr_sql -> expr_prepare, expr_eval, expr_update,
 *	  expr_project; expr_prepare -> expr_parse, expr_value; expr_eval,
 *	  expr_update, expr_project -> expr_value (expr_update also names paths
 *	  in messages through expr_prepare); expr_parse and expr_value call no
 *	  other file of the component.
 *
 *	  Usage by an operation (put_item, query ...): one StExprContext per
 *	  request; parse each expression given (every parse marks the
 *	  placeholders it uses); call st_expr_check_unused() once all are
 *	  parsed; then evaluate as often as needed.  Parsed trees and the context
 *	  live in CurrentMemoryContext.
 *
 *	  Errors (ereport): a malformed expression raises ERRCODE_SYNTAX_ERROR
 *	  with the position in the message; an undefined or unused placeholder,
 *	  a wrongly typed operand at update time (e.g. "+" on a string), or a
 *	  key attribute in an update raises ERRCODE_INVALID_PARAMETER_VALUE.  All
 *	  name ValidationException, as DynamoDB does.
 */
#ifndef SINGLETABLE_EXPR_H
#define SINGLETABLE_EXPR_H

#include "postgres.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* A parsed expression of any kind; the layout is private to expr_*.c (expr_int.h). */
typedef struct StExpr StExpr;

typedef struct StExprContext
{
	Jsonb	   *names;			/* ExpressionAttributeNames {"#n": "name"}, or NULL */
	Jsonb	   *values;			/* ExpressionAttributeValues {":v": value}, or NULL */
	List	   *used_names;		/* char * placeholders seen so far */
	List	   *used_values;
} StExprContext;

/* Sort-key operator of a key condition. */
typedef enum StKeyOp
{
	ST_KEYOP_NONE = 0,			/* no sort-key condition */
	ST_KEYOP_EQ,
	ST_KEYOP_LT,
	ST_KEYOP_LE,
	ST_KEYOP_GT,
	ST_KEYOP_GE,
	ST_KEYOP_BETWEEN,
	ST_KEYOP_BEGINS_WITH
} StKeyOp;

/*
 * A key condition, resolved: attribute names with #names substituted and
 * values with :values substituted (scalars: jbvString, jbvNumeric, ...).
 * The parser accepts at most two conditions joined by AND, in either
 * order, with or without parentheses; which attribute is the partition key
 * is decided by the caller, which knows the table: the parser returns an
 * equality as pk when there is one (the first one written when both are
 * equalities), else the first condition, with its operator in pk_op.
 */
typedef struct StKeyCondition
{
	char	   *pk_attr;
	StKeyOp		pk_op;			/* ST_KEYOP_EQ but from st_parse_query_key_condition */
	JsonbValue	pk_value;
	JsonbValue	pk_value2;		/* the upper bound when pk_op is BETWEEN */
	char	   *sk_attr;		/* NULL when sk_op == ST_KEYOP_NONE */
	StKeyOp		sk_op;
	JsonbValue	sk_value;		/* the operand; the lower bound for BETWEEN */
	JsonbValue	sk_value2;		/* the upper bound for BETWEEN */
} StKeyCondition;

extern void st_expr_context_init(StExprContext *cx, Jsonb *names, Jsonb *values);

/*
 * Parsers.  "what" names the argument in error messages ("condition",
 * "filter", "update", "projection", "key condition").
 */
extern StExpr *st_parse_condition(StExprContext *cx, const char *text, const char *what);
extern StExpr *st_parse_update(StExprContext *cx, const char *text);
extern StExpr *st_parse_projection(StExprContext *cx, const char *text);
extern StKeyCondition *st_parse_key_condition(StExprContext *cx, const char *text);
extern StKeyCondition *st_parse_query_key_condition(StExprContext *cx, const char *text);

/* Raise ValidationException if a name or value placeholder was never used. */
extern void st_expr_check_unused(StExprContext *cx);
/* Raise ValidationException for a malformed placeholder ('#' or ':') of map. */
extern void st_expr_check_placeholders(Jsonb *map, char sigil, const char *param);
extern const char *st_expr_names_attr(StExpr *expr, const char *const *attrs, int nattrs);
extern bool st_expr_names_other_attr(StExpr *expr, const char *const *attrs, int nattrs);
extern bool st_expr_path_into_attr(StExpr *expr, const char *attr);

/*
 * Refuse a document path of expr into a key attribute (a.b, a[0]) of table
 * t or of one of its indexes (what: "projection", "filter"), as DynamoDB does
 */
struct StTable;
extern void st_expr_check_key_paths(struct StTable *t, StExpr *expr, const char *what);

/*
 * Evaluate a condition or filter against an item; item NULL means "no such
 * item" (every attribute_exists is false).  Comparisons between different
 * types are false, never an error.
 */
extern bool st_eval_condition(StExprContext *cx, StExpr *cond, Jsonb *item);

/*
 * Apply an update expression.  item is the current item, or the key
 * attributes alone when the item does not exist (update_item upserts).
 * key_attrs (char *) are the table's key attribute names: touching one is
 * an error.  *updated_attrs, when not NULL, receives the top-level attribute
 * names the update touched (for UPDATED_OLD / UPDATED_NEW).  Returns the
 * new item; numbers produced by arithmetic are checked against DynamoDB's
 * 38-digit limit.
 */
extern Jsonb *st_apply_update(StExprContext *cx, StExpr *update, Jsonb *item,
							  List *key_attrs, List **updated_attrs);

/* Keep only the projected paths of item (DynamoDB's ProjectionExpression). */
extern Jsonb *st_apply_projection(StExprContext *cx, StExpr *projection, Jsonb *item);

/*
 * Keep only the paths an update expression targets, nested as in the item
 * (ReturnValues UPDATED_OLD / UPDATED_NEW); NULL when the item has none.
 */
extern Jsonb *st_project_updated(StExpr *update, Jsonb *item);

/* Does an update expression only remove (REMOVE, DELETE)? */
extern bool st_update_only_removes(StExpr *update);

/*
 * Mark an update as made from legacy AttributeUpdates: its ADD and DELETE
 * type errors take DynamoDB's legacy wording.
 */
extern void st_update_mark_legacy(StExpr *update);

/*
 * An update against the table's secondary index keys: before reading the
 * item (the types SET and ADD give key attributes, paths into them), and
 * on the new item (the values set).
 */
struct StTable;
extern void st_check_update_keys(StExpr *update, struct StTable *t);
extern void st_check_updated_index_keys(StExpr *update, struct StTable *t, Jsonb *item);

/* Keep only the named top-level attributes (AttributesToGet). */
extern Jsonb *st_project_top_level(Jsonb *item, List *attrs);

/*
 * Compare two scalar JsonbValues with DynamoDB's rules: strings in byte
 * order, numbers numerically.  Returns false through *comparable when the
 * types differ or are not ordered types.
 */
extern int	st_compare_scalars(const JsonbValue *a, const JsonbValue *b, bool *comparable);

#endif							/* SINGLETABLE_EXPR_H */
