/*
 * pg_fuzz.h
 *	  What the fuzz targets that run the extension's own C code on the
 *	  PostgreSQL backend share (item_fuzz.c, typed_fuzz.c; test/fuzz/run
 *	  links them with src/keys.c, src/typedjson.c and the backend's object
 *	  files, see test/fuzz/backend): just enough of a backend (memory
 *	  contexts, a UTF-8 database encoding, a stack base), a memory context
 *	  reset after each input, jsonb from the input's text, and running a
 *	  step with its error caught.
 *
 *	  A user can make the extension raise errors, but never an internal one:
 *	  an error with SQLSTATE XX000 (elog, or ereport without errcode) is a
 *	  finding.
 */
#ifndef SINGLETABLE_PG_FUZZ_H
#define SINGLETABLE_PG_FUZZ_H

#include "postgres.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "fuzz_clock.h"

/*
 * The extension's setting, normally in singletable.c.  fuzz_run() sets it
 * per input: small for small inputs, so that the size limit is reached,
 * DynamoDB's 400 KB for large ones, so that items with long names fit.
 */
int			st_max_item_size = 400 * 1024;

/* the backend's, normally in main/main.c, which is left out for libFuzzer's main */
const char *progname = "singletable-fuzz";

static MemoryContext fuzz_cxt;

typedef void (*FuzzStep) (void *arg);

/* Called once by libFuzzer before the first input. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	MemoryContextInit();
	SetDatabaseEncoding(PG_UTF8);
	(void) set_stack_base();
	fuzz_cxt = AllocSetContextCreate(TopMemoryContext, "fuzz input",
									 ALLOCSET_DEFAULT_SIZES);
	return 0;
}

/*
 * Run step(arg).  Returns 0 when it returned, otherwise the SQLSTATE of
 * the error it raised (MAKE_SQLSTATE form).  Aborts on XX000.
 */
static int
fuzz_try(FuzzStep step, void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile int code = 0;

	PG_TRY();
	{
		step(arg);
	}
	PG_CATCH();
	{
		ErrorData  *ed;

		MemoryContextSwitchTo(cxt);
		ed = CopyErrorData();
		FlushErrorState();
		code = ed->sqlerrcode;
		if (code == ERRCODE_INTERNAL_ERROR)
		{
			fprintf(stderr, "fuzz: internal error (XX000): %s\n", ed->message);
			abort();
		}
	}
	PG_END_TRY();
	return code;
}

/* Abort, naming the broken invariant. */
static void
fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz: %s\n", what);
	abort();
}

/* Abort unless code is 0 or one of the n SQLSTATEs given. */
static inline void
fuzz_expect(int code, const char *what, int n, const int *allowed)
{
	if (code == 0)
		return;
	for (int i = 0; i < n; i++)
		if (code == allowed[i])
			return;
	fprintf(stderr, "fuzz: %s raised SQLSTATE %s\n", what, unpack_sql_state(code));
	abort();
}

typedef struct ParseArg
{
	const char *text;
	Jsonb	   *result;
} ParseArg;

static void
parse_step(void *arg)
{
	ParseArg   *p = arg;

	p->result = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(p->text)));
}

/* The input as jsonb, or NULL when it is not JSON jsonb takes. */
static inline Jsonb *
fuzz_jsonb(const uint8_t *data, size_t size)
{
	ParseArg	p;
	char	   *text = palloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	p.text = text;
	p.result = NULL;
	if (fuzz_try(parse_step, &p) != 0)
		return NULL;
	return p.result;
}

/*
 * DynamoDB's shape rules, walked independently of the extension (recursion
 * over skipNested iterators): returns the deepest nesting level of a value
 * in container c, whose members sit at level; stops below 33.  Clears
 * *names_ok on an attribute name that is empty or over 65535 bytes.
 */
static inline int
fuzz_depth(JsonbContainer *c, int level, bool *names_ok)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbIteratorToken tok;
	JsonbValue	v;
	int			deepest = level - 1;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY && (v.val.string.len == 0 || v.val.string.len > 65535))
			*names_ok = false;
		if (tok != WJB_VALUE && tok != WJB_ELEM)
			continue;
		deepest = Max(deepest, level);
		if (v.type == jbvBinary && level <= 32)
		{
			int			inner = fuzz_depth(v.val.binary.data, level + 1, names_ok);

			deepest = Max(deepest, inner);
		}
	}
	return deepest;
}

/* Equal jsonb values (numbers by value, as jsonb compares them). */
static inline bool
fuzz_jsonb_equal(Jsonb *a, Jsonb *b)
{
	return compareJsonbContainers(&a->root, &b->root) == 0;
}

/*
 * The body of LLVMFuzzerTestOneInput for a target whose work is
 * one_input(): a fresh memory context, the CPU-time limit.
 */
static void
fuzz_run(void (*one_input) (const uint8_t *data, size_t size),
		 const uint8_t *data, size_t size)
{
	MemoryContext old;

	fuzz_clock_start();
	st_max_item_size = size < 4096 ? 1024 : 400 * 1024;
	old = MemoryContextSwitchTo(fuzz_cxt);
	one_input(data, size);
	MemoryContextSwitchTo(old);
	MemoryContextReset(fuzz_cxt);
	fuzz_clock_check(size);
}

#endif							/* SINGLETABLE_PG_FUZZ_H */
