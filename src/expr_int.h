/*
 * expr_int.h
 *	  Private to the expression component (src/expr_*.c and
 *	  test/fuzz/expr_fuzz.c): the syntax tree produced by the parser core and
 *	  its entry point, then the server-side helpers the component's files
 *	  share.
 *
 *	  Plain C with no PostgreSQL includes, so that expr_parse.c links on its
 *	  own into the libFuzzer target.  Memory comes from an allocation hook
 *	  (palloc on the server side, malloc or an arena in the fuzz harness);
 *	  errors come back as a struct, which the server side turns into an
 *	  ereport.  Placeholders are left unresolved here: the server side fills
 *	  StxNode.resolved / StxPathElem.resolved after parsing.
 */
#ifndef SINGLETABLE_EXPR_INT_H
#define SINGLETABLE_EXPR_INT_H

#include <stdbool.h>
#include <stddef.h>

/* Limits (DynamoDB's where it has one). */
#define STX_MAX_EXPR_BYTES		4096	/* longest expression string */
#define STX_MAX_DEPTH			100		/* parentheses / function nesting */
#define STX_MAX_IN_OPERANDS		100		/* operands on the right of IN */
#define STX_MAX_PATH_DEPTH		32		/* document path nesting levels */
#define STX_MAX_LIST_INDEX		100000000	/* larger indexes are errors */

/* What is being parsed. */
typedef enum StxMode
{
	STX_MODE_CONDITION,			/* condition, filter and key condition */
	STX_MODE_UPDATE,
	STX_MODE_PROJECTION
} StxMode;

typedef enum StxKind
{
	/* operands */
	STX_PATH,					/* document path: elems */
	STX_VALUE,					/* :value placeholder: name */
	STX_SIZE,					/* size(operand): args[0]; nargs as written */
	STX_PLUS,					/* update: args[0] + args[1] */
	STX_MINUS,					/* update: args[0] - args[1] */
	STX_IF_NOT_EXISTS,			/* update: if_not_exists(path, operand) */
	STX_LIST_APPEND,			/* update: list_append(operand, operand) */
	/* conditions */
	STX_CMP,					/* args[0] op args[1], op is StxCmpOp */
	STX_BETWEEN,				/* args[0] BETWEEN args[1] AND args[2] */
	STX_IN,						/* args[0] IN (args[1..]) */
	STX_AND,
	STX_OR,
	STX_NOT,
	STX_FUNC,					/* boolean function, op is StxFunc; nargs
								 * as written, checked by expr_prepare.c */
	/* update actions: args[0] target path, args[1] value (not REMOVE) */
	STX_SET,
	STX_REMOVE,
	STX_ADD,
	STX_DELETE,
	/* roots of update and projection expressions: args are actions/paths */
	STX_UPDATE,
	STX_PROJECTION
} StxKind;

typedef enum StxCmpOp
{
	STX_EQ,
	STX_NE,
	STX_LT,
	STX_LE,
	STX_GT,
	STX_GE
} StxCmpOp;

typedef enum StxFunc
{
	STX_FN_UNKNOWN = -1,		/* only in a tree the parse refuses */
	STX_FN_ATTRIBUTE_EXISTS,
	STX_FN_ATTRIBUTE_NOT_EXISTS,
	STX_FN_ATTRIBUTE_TYPE,
	STX_FN_BEGINS_WITH,
	STX_FN_CONTAINS
} StxFunc;

/* One element of a document path. */
typedef struct StxPathElem
{
	bool		is_index;		/* [n] */
	bool		is_placeholder; /* #name */
	int			index;			/* when is_index */
	int			pos;			/* 1-based character position */
	const char *name;			/* identifier or "#name", NUL-terminated */
	const char *resolved;		/* server side: attribute name after #name */
	int			resolved_len;
} StxPathElem;

typedef struct StxNode
{
	StxKind		kind;
	int			op;				/* StxCmpOp or StxFunc */
	int			pos;			/* 1-based character position */
	size_t		off;			/* byte offset of the same, for messages */
	int			nargs;
	struct StxNode **args;
	/* STX_PATH */
	int			nelems;
	StxPathElem *elems;
	/* STX_VALUE: ":name"; STX_FUNC, STX_SIZE: the function's name */
	const char *name;
	void	   *resolved;		/* server side: JsonbValue * of a :value */
} StxNode;

typedef enum StxErrorKind
{
	STX_ERR_SYNTAX,				/* malformed expression */
	STX_ERR_LIMIT,				/* length, nesting or count over a limit */
	STX_ERR_EMPTY				/* nothing but white space */
} StxErrorKind;

typedef struct StxError
{
	StxErrorKind kind;
	char		message[160];	/* lower case fragment, e.g. "syntax error" */
	char		near[48];		/* offending token text, "" at end of input */
	char		context[112];	/* the tokens before and after it, DynamoDB's "near" */
	char		dynamo[224];	/* DynamoDB's wording after "Invalid X: ", or "" */
	int			position;		/* 1-based character position; 0 if none */
	bool		at_end;			/* error at end of input */
} StxError;

typedef void *(*StxAllocFn) (void *arg, size_t size);

/*
 * Parse len bytes of text (need not be NUL-terminated).  Returns the root
 * node, or NULL with *err filled.  alloc must return zeroed-or-not memory
 * aligned for any type; it may return NULL (reported as "out of memory") or
 * not return at all (palloc's ereport).
 */
extern StxNode *stx_parse(const char *text, size_t len, StxMode mode,
						  StxAllocFn alloc, void *alloc_arg, StxError *err);

/* Printable names, for messages. */
extern const char *stx_cmp_name(int op);
extern const char *stx_func_name(int fn);

/*
 * A parsed expression as the server side sees it (opaque in expr.h).
 */
struct StExpr
{
	StxNode    *root;
	StxMode		mode;
	const char *what;			/* "condition", "update" ... for messages */

	/*
	 * Projections: the paths, and updates: the actions, ordered by document
	 * path (st_expr_path_cmp in expr_prepare.c), so paths sharing a prefix are neighbours.
	 * Filled by the parse, which has checked that no two overlap.
	 */
	StxNode   **by_path;

	bool		legacy;			/* updates: AttributeUpdates made it (wording) */
};

/*
 * Server-side helpers shared by the component's files; compiled only where
 * postgres.h has been included (not in the fuzz target).
 */
#ifdef PG_VERSION_NUM

#include "expr.h"

/* expr_cache.c: stx_parse, through the backend's cache of parsed trees */
extern StxNode *st_expr_parse_cached(const char *text, size_t len, StxMode mode,
									 StxError *err);

/*
 * expr_value.c: a mutable JSON value, for building updated items and projections: a value
 * still in the jsonb (MV_VALUE: scalar or jbvBinary container), or an object
 * or array expanded into children that can be replaced one by one.
 *
 * Lookups stay logarithmic in the size of the item: the first nsorted
 * children of an object are in jsonb's key order (they came from expanding
 * a jsonb object) and are binary-searched; keys added later follow in the
 * order added, found through a hash table once there are more than a few
 * (tail_hash: open addressing, position + 1, 0 for empty; at most half
 * full).  Children added by a projection are never looked up and are not
 * hashed.  A removed child is a NULL in vals, left out when serialized, so
 * removing costs O(1) and list elements keep the positions they had in the
 * item (REMOVE l[1], l[3] removes the elements that were at 1 and 3, in
 * any order).
 */
typedef enum StMutKind
{
	MV_VALUE,
	MV_OBJECT,
	MV_ARRAY
} StMutKind;

typedef struct StMutVal
{
	StMutKind	kind;
	JsonbValue	v;				/* MV_VALUE */
	int			n;				/* MV_OBJECT / MV_ARRAY: children */
	int			cap;
	int			nsorted;		/* MV_OBJECT: children in jsonb key order */
	int		   *tail_hash;		/* MV_OBJECT: the others, by key; or NULL */
	int			tail_hash_size; /* a power of two */
	const char **keys;			/* MV_OBJECT */
	int		   *keylens;
	int		   *idx;			/* MV_ARRAY in projections: source index */
	struct StMutVal **vals;
	bool		escape_if_tag;	/* MV_OBJECT: a user map an update changed:
								 * serialized as {"$M": ..} when its one key
								 * reads as a tag (item_types.c) */
} StMutVal;

extern StMutVal *st_mv_value(const JsonbValue *v);
extern StMutVal *st_mv_new(StMutKind kind);
extern bool st_mv_expand(StMutVal *mv);
extern int	st_mv_key_cmp(const char *a, int alen, const char *b, int blen);
extern void st_mv_add_child(StMutVal *mv, const char *key, int keylen, int idx,
							StMutVal *child);
extern int	st_mv_find_key(StMutVal *obj, const char *key, int keylen);
extern void st_mv_set_key(StMutVal *obj, const char *key, int keylen, StMutVal *child);
extern void st_mv_remove_at(StMutVal *mv, int i);
extern void st_mv_append(StMutVal *arr, StMutVal *child, int idx);
extern Jsonb *st_mv_to_jsonb(StMutVal *mv);

/* expr_value.c: reading and comparing values */
extern bool st_expr_path_lookup(Jsonb *item, StxNode *path, JsonbValue *out);
extern bool st_expr_values_equal(const JsonbValue *a, const JsonbValue *b);
extern void st_expr_free_iterators(JsonbIterator *it);

/* expr_prepare.c: a path as text, for messages */
extern char *st_expr_path_text(StxNode *path);

#endif							/* PG_VERSION_NUM */

#endif							/* SINGLETABLE_EXPR_INT_H */
