/*
 * item_fuzz.c
 *	  libFuzzer target for the item validator and key extraction of
 *	  src/keys.c, run as the extension runs them, on the backend's jsonb
 *	  (see pg_fuzz.h).  Each input is JSON text; what jsonb takes is
 *	  checked as an item by the write path (st_validate_item,
 *	  st_validate_item_shape) and by the CHECK constraint (item_check), and
 *	  each top-level value as an S, N and B key.  Besides "no crash, no internal error", the invariants:
 *
 *	  - the write path accepts nothing the CHECK constraint refuses, and
 *	    refuses more only for the shape rules (names, nesting);
 *	  - the write path accepts an item exactly when an independent walk here
 *	    finds its names 1 to 65535 bytes and no value deeper than 32 levels
 *	    (and the CHECK constraint accepts it); st_validate_item_shape, which
 *	    checks an update's result, exactly when that walk does;
 *	  - DynamoDB's measure of an item is never more than its jsonb size,
 *	    which st_validate_item relies on to skip measuring small items, and
 *	    an accepted item is within the size limit;
 *	  - a binary key is accepted only in canonical base64: encoding the
 *	    decoded bytes gives back the same text;
 *	  - binary, sets and escaped maps ({"$B": ..}, {"$SS": [..]} ...) are
 *	    checked by the write path as st_validate_tags (item_types.c) checks
 *	    them on their own.
 */
#include "pg_fuzz.h"

#include "../../src/item_types.h"
#include "../../src/keys.h"
#include "../../src/settings.h"

extern Datum st_sql_item_check(PG_FUNCTION_ARGS);

/* The shape rules, walked independently of keys.c (see fuzz_depth). */
static bool
shape_ok(Jsonb *item)
{
	bool		names_ok = true;

	return fuzz_depth(&item->root, 1, &names_ok) <= ST_MAX_NESTING_LEVELS && names_ok;
}

static void
validate_step(void *arg)
{
	st_validate_item((Jsonb *) arg);
}

static void
tags_step(void *arg)
{
	st_validate_tags((Jsonb *) arg);
}

static void
shape_step(void *arg)
{
	st_validate_item_shape((Jsonb *) arg);
}

static void
check_step(void *arg)
{
	(void) DirectFunctionCall1(st_sql_item_check, JsonbPGetDatum((Jsonb *) arg));
}

typedef struct SizeArg
{
	Jsonb	   *item;
	Size		size;
} SizeArg;

static void
size_step(void *arg)
{
	SizeArg    *s = arg;

	s->size = st_item_size(s->item);
}

typedef struct KeyArg
{
	JsonbValue *value;
	StKeyType	type;
} KeyArg;

static void
key_step(void *arg)
{
	KeyArg	   *k = arg;
	Datum		d;
	JsonbValue	back;

	JsonbValue	given;
	JsonbValue	got;

	d = st_key_datum_from_value(k->value, "k", k->type, ST_MAX_PARTITION_KEY_BYTES, true);
	st_key_datum_to_jsonbvalue(d, k->type, &back);
	if (k->type != ST_KEY_B)
		return;
	if (st_tag_of(k->value, &given) != ST_TAG_B || st_tag_of(&back, &got) != ST_TAG_B)
		fuzz_fail("a binary key accepted that is not {\"$B\": ..}");
	if (got.val.string.len != given.val.string.len ||
		memcmp(got.val.string.val, given.val.string.val, got.val.string.len) != 0)
		fuzz_fail("a binary key accepted in a form other than canonical base64");
}

/* what checking an item or a key may raise */
static const int item_errors[] = {
	ERRCODE_INVALID_PARAMETER_VALUE,	/* not an object, empty name, bad key */
	ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, /* number DynamoDB cannot store */
	ERRCODE_PROGRAM_LIMIT_EXCEEDED,		/* size, long name, nesting */
};

static void
one_input(const uint8_t *data, size_t size)
{
	Jsonb	   *item = fuzz_jsonb(data, size);
	int			write_code;
	int			check_code;
	bool		object;
	bool		tags_ok;
	SizeArg		s;

	if (item == NULL)
		return;
	object = JB_ROOT_IS_OBJECT(item) && !JB_ROOT_IS_SCALAR(item);

	write_code = fuzz_try(validate_step, item);
	check_code = fuzz_try(check_step, item);
	fuzz_expect(write_code, "st_validate_item", lengthof(item_errors), item_errors);
	fuzz_expect(check_code, "item_check", lengthof(item_errors), item_errors);
	if (write_code == 0 && check_code != 0)
		fuzz_fail("the write path accepted an item the CHECK constraint refuses");
	tags_ok = fuzz_try(tags_step, item) == 0;
	if (object && (fuzz_try(shape_step, item) == 0) != (shape_ok(item) && tags_ok))
		fuzz_fail("st_validate_item_shape disagrees with the shape rules");

	s.item = item;
	if (object && fuzz_try(size_step, &s) == 0)
	{
		if (s.size > VARSIZE_ANY_EXHDR(item))
			fuzz_fail("an item's DynamoDB size exceeds its jsonb size");
		if (write_code == 0 && s.size > (Size) st_max_item_size)
			fuzz_fail("an item over the size limit was accepted");

		/*
		 * The CHECK constraint checks neither shape nor size (a restore must
		 * take what its source stored): of what it accepts, the write path
		 * takes exactly the items of the right shape and size.
		 */
		if (check_code == 0 &&
			(write_code == 0) != (shape_ok(item) && tags_ok && s.size <= (Size) st_max_item_size))
			fuzz_fail("the write path disagrees with the shape and size rules");
	}

	/* each top-level value as a key of each type */
	if (object)
	{
		JsonbIterator *it = JsonbIteratorInit(&item->root);
		JsonbIteratorToken tok;
		JsonbValue	v;

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			static const StKeyType types[] = {ST_KEY_S, ST_KEY_N, ST_KEY_B};

			if (tok != WJB_VALUE)
				continue;
			for (int i = 0; i < lengthof(types); i++)
			{
				KeyArg		k = {&v, types[i]};

				fuzz_expect(fuzz_try(key_step, &k), "st_key_datum_from_value",
							lengthof(item_errors), item_errors);
			}
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_run(one_input, data, size);
	return 0;
}
