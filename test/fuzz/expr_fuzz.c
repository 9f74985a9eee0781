/*
 * expr_fuzz.c
 *	  libFuzzer target for the expression parser core (src/expr_parse.c),
 *	  which it links alone: each input is parsed as a condition, an update
 *	  and a projection expression.  Memory comes from a per-parse arena that
 *	  is freed in one go, as palloc's memory context is on the server side;
 *	  the tree is then walked to check its invariants.  An input that takes
 *	  more than 100 ms of CPU time is a finding (fuzz_clock.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/expr_int.h"
#include "fuzz_clock.h"

typedef struct Chunk
{
	struct Chunk *next;
	size_t		used;
	size_t		size;
	_Alignas(16) char data[];
} Chunk;

typedef struct Arena
{
	Chunk	   *head;
} Arena;

static void *
arena_alloc(void *arg, size_t size)
{
	Arena	   *a = arg;
	Chunk	   *c = a->head;

	size = (size + 15) & ~(size_t) 15;
	if (c == NULL || c->used + size > c->size)
	{
		size_t		csize = size > 8192 ? size : 8192;

		c = malloc(sizeof(Chunk) + csize);
		if (c == NULL)
			return NULL;
		c->next = a->head;
		c->used = 0;
		c->size = csize;
		a->head = c;
	}
	c->used += size;
	return c->data + c->used - size;
}

static void
arena_free(Arena *a)
{
	while (a->head)
	{
		Chunk	   *n = a->head->next;

		free(a->head);
		a->head = n;
	}
}

static void
check_node(const StxNode *n, int depth)
{
	if (n == NULL || depth > 10 * STX_MAX_DEPTH)
		abort();
	if (n->pos < 1)
		abort();
	switch (n->kind)
	{
		case STX_PATH:
			if (n->nelems < 1 || n->nelems > STX_MAX_PATH_DEPTH || n->elems[0].is_index)
				abort();
			for (int i = 0; i < n->nelems; i++)
			{
				const StxPathElem *e = &n->elems[i];

				if (e->is_index ? (e->index < 0 || e->index > STX_MAX_LIST_INDEX)
					: (e->name == NULL || e->name[0] == '\0'))
					abort();
			}
			return;
		case STX_VALUE:
			if (n->name == NULL || n->name[0] != ':' || n->name[1] == '\0')
				abort();
			return;
		case STX_IN:
			if (n->nargs < 2 || n->nargs > STX_MAX_IN_OPERANDS + 1)
				abort();
			break;
		case STX_CMP:
			if (n->nargs != 2 || n->op < STX_EQ || n->op > STX_GE)
				abort();
			break;
		default:
			if (n->nargs > 0 && n->args == NULL)
				abort();
			break;
	}
	for (int i = 0; i < n->nargs; i++)
		check_node(n->args[i], depth + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const StxMode modes[] = {STX_MODE_CONDITION, STX_MODE_UPDATE, STX_MODE_PROJECTION};

	fuzz_clock_start();
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
	{
		Arena		arena = {NULL};
		StxError	err;
		StxNode    *root = stx_parse((const char *) data, size, modes[m],
									 arena_alloc, &arena, &err);

		if (root != NULL)
			check_node(root, 0);
		else
		{
			if (err.message[0] == '\0' || memchr(err.message, '\0', sizeof(err.message)) == NULL ||
				memchr(err.near, '\0', sizeof(err.near)) == NULL)
				abort();
			if (err.position < 0 || (size_t) err.position > size + 1)
				abort();
		}
		arena_free(&arena);
	}
	fuzz_clock_check(size);
	return 0;
}
