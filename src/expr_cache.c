/*
 * expr_cache.c
 *	  The parse trees of the expressions a backend has parsed, by text and
 *	  mode, so that an expression sent again (a key condition, condition,
 *	  update or projection: DynamoDB clients send the same few texts with new
 *	  placeholder values) is not parsed again.
 *
 *	  A tree depends on its text and mode only: the parser core
 *	  (expr_parse.c) reads no setting, and placeholders are resolved after it
 *	  (expr_prepare.c), in the tree.  So an entry never goes stale, and each
 *	  caller gets a copy of its own, allocated in the current memory context
 *	  as a parse would be, to resolve and check.  Only trees that parsed are
 *	  kept: an expression with an error is parsed, and reported, every time.
 *
 *	  The cache is per backend, in a memory context of its own.  When it
 *	  holds more than ST_EXPR_CACHE_BYTES it is emptied before the next tree
 *	  goes in: a workload of a few expressions stays cached for good, and one
 *	  that writes new expression texts all the time (values inlined rather
 *	  than sent as placeholders) costs a bounded amount of memory.  No entry
 *	  is ever shared with a caller, so emptying it is always safe.
 *
 *	  Depends on expr_parse.c only.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "expr_int.h"

/* Memory the cache may hold before it is emptied. */
#define ST_EXPR_CACHE_BYTES		(1024 * 1024)

/* An expression's text and mode: the cache's key. */
typedef struct ExprCacheKey
{
	const char *text;			/* not NUL-terminated */
	size_t		len;
	StxMode		mode;
} ExprCacheKey;

typedef struct ExprCacheEntry
{
	ExprCacheKey key;			/* text: the entry's own copy */
	StxNode    *tree;			/* in the cache's context; never handed out */
} ExprCacheEntry;

static MemoryContext expr_cache_context = NULL;
static HTAB *expr_cache = NULL;

static uint32
expr_key_hash(const void *key, Size keysize)
{
	const ExprCacheKey *k = key;

	return hash_combine(hash_bytes((const unsigned char *) k->text, (int) k->len),
						(uint32) k->mode);
}

static int
expr_key_match(const void *key1, const void *key2, Size keysize)
{
	const ExprCacheKey *a = key1;
	const ExprCacheKey *b = key2;

	return a->mode == b->mode && a->len == b->len &&
		memcmp(a->text, b->text, a->len) == 0 ? 0 : 1;
}

/* The parser's allocation hook; every node allocates, so it also checks for interrupts. */
static void *
parse_palloc(void *arg, size_t size)
{
	CHECK_FOR_INTERRUPTS();
	return palloc(size);
}

/*
 * A copy of the tree at src, its names included, in cxt.  CurrentMemoryContext
 * stays the caller's: an error on the way (cancel, out of memory) leaves
 * nothing of the caller's allocated in the cache's context.
 */
static StxNode *
copy_tree(const StxNode *src, MemoryContext cxt)
{
	StxNode    *n = MemoryContextAlloc(cxt, sizeof(StxNode));

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	*n = *src;
	n->resolved = NULL;
	if (src->name)
		n->name = MemoryContextStrdup(cxt, src->name);
	if (src->nelems > 0)
	{
		StxPathElem *elems = MemoryContextAlloc(cxt, sizeof(StxPathElem) * src->nelems);

		for (int i = 0; i < src->nelems; i++)
		{
			elems[i] = src->elems[i];
			if (elems[i].name)
				elems[i].name = MemoryContextStrdup(cxt, elems[i].name);
			elems[i].resolved = NULL;
			elems[i].resolved_len = 0;
		}
		n->elems = elems;
	}
	if (src->nargs > 0)
	{
		n->args = MemoryContextAlloc(cxt, sizeof(StxNode *) * src->nargs);
		for (int i = 0; i < src->nargs; i++)
			n->args[i] = copy_tree(src->args[i], cxt);
	}
	return n;
}

/* Create the cache, or empty it when it has grown past its budget. */
static void
prepare_cache(void)
{
	HASHCTL		ctl;

	if (expr_cache != NULL &&
		MemoryContextMemAllocated(expr_cache_context, true) <= ST_EXPR_CACHE_BYTES)
		return;
	if (expr_cache_context == NULL)
		expr_cache_context = AllocSetContextCreate(TopMemoryContext,
												   "singletable expression cache",
												   ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(expr_cache_context);
	ctl.keysize = sizeof(ExprCacheKey);
	ctl.entrysize = sizeof(ExprCacheEntry);
	ctl.hash = expr_key_hash;
	ctl.match = expr_key_match;
	ctl.hcxt = expr_cache_context;
	expr_cache = hash_create("singletable expression cache", 64, &ctl,
							 HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

/*
 * stx_parse(text, len, mode) into the current memory context, from the
 * cache when the same text was parsed in the same mode before: returns a
 * tree of the caller's own, or NULL with *err filled.
 */
StxNode *
st_expr_parse_cached(const char *text, size_t len, StxMode mode, StxError *err)
{
	ExprCacheKey key = {text, len, mode};
	ExprCacheEntry *entry;
	StxNode    *tree;
	StxNode    *copy;
	bool		found;

	prepare_cache();
	entry = hash_search(expr_cache, &key, HASH_FIND, NULL);
	if (entry != NULL)
		return copy_tree(entry->tree, CurrentMemoryContext);

	tree = stx_parse(text, len, mode, parse_palloc, NULL, err);
	if (tree == NULL)
		return NULL;

	/*
	 * Keep a copy.  An error on the way (cancel, out of memory) leaves at
	 * most an unreachable copy in the cache's context, counted in its
	 * budget; the entry is made last, so it is always complete.
	 */
	copy = copy_tree(tree, expr_cache_context);
	key.text = memcpy(MemoryContextAlloc(expr_cache_context, len > 0 ? len : 1), text, len);
	entry = hash_search(expr_cache, &key, HASH_ENTER, &found);
	entry->tree = copy;
	return tree;
}
