/*
 * typed_fuzz.c
 *	  libFuzzer target for the typed-JSON converter, src/typedjson.c, run
 *	  as the extension runs it, on the backend's jsonb (see pg_fuzz.h).
 *	  Each input is JSON text; what jsonb takes is converted both ways as an
 *	  item (an attribute map) and as a single value.  Besides "no crash, no
 *	  internal error", the invariants:
 *
 *	  - typed -> plain either fails with a ValidationException SQLSTATE or
 *	    gives a plain item, nested at most 32 levels, whose typed form
 *	    converts back to the same item;
 *	  - plain -> typed never fails on an object, and its typed form converts
 *	    back to a plain item with the same typed form unless a number is
 *	    beyond DynamoDB's limits, a value is nested too deep (stored items
 *	    need not obey those) or a tag ({"$B": ..}, {"$SS": [..]} ...) is
 *	    malformed (the write calls refuse it);
 *	  - the change stream's one-pass printer (st_append_typed_item_text)
 *	    prints exactly the text of the typed jsonb;
 *	  - the same for single values, and a {"B": ..} value converts only when
 *	    its text is canonical base64.
 */
#include "pg_fuzz.h"

#include "common/base64.h"

#include "../../src/item_types.h"
#include "../../src/keys.h"
#include "../../src/typedjson.h"

/* what typed -> plain may raise for a bad request */
static const int typed_errors[] = {
	ERRCODE_INVALID_PARAMETER_VALUE,	/* malformed typed value */
	ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, /* number DynamoDB cannot store */
	ERRCODE_PROGRAM_LIMIT_EXCEEDED,		/* nested too deep; jsonb's limits */
	ERRCODE_STATEMENT_TOO_COMPLEX,		/* stack depth */
};

/* what converting a stored item's typed form back may raise */
static const int stored_errors[] = {
	ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
	ERRCODE_PROGRAM_LIMIT_EXCEEDED,
	ERRCODE_STATEMENT_TOO_COMPLEX,
};

typedef struct ConvArg
{
	Jsonb	   *in;
	Jsonb	   *out;
} ConvArg;

static void
from_typed_step(void *arg)
{
	ConvArg    *c = arg;

	c->out = st_from_typed_item(c->in);
}

static void
to_typed_step(void *arg)
{
	ConvArg    *c = arg;

	c->out = st_to_typed_item(c->in);
}

/* The root of a jsonb as one value: its scalar, or its container. */
static JsonbValue *
root_value(Jsonb *jb, JsonbValue *v)
{
	v->type = jbvBinary;
	v->val.binary.data = &jb->root;
	v->val.binary.len = VARSIZE(jb) - VARHDRSZ;
	if (JB_ROOT_IS_SCALAR(jb) && !JsonbExtractScalar(&jb->root, v))
		fuzz_fail("could not extract a scalar");
	return v;
}

static void
value_from_typed_step(void *arg)
{
	ConvArg    *c = arg;
	JsonbValue	v;

	c->out = JsonbValueToJsonb(st_typed_value_to_plain(root_value(c->in, &v), NULL));
}

static void
value_to_typed_step(void *arg)
{
	ConvArg    *c = arg;
	JsonbValue	v;

	c->out = JsonbValueToJsonb(st_plain_value_to_typed(root_value(c->in, &v)));
}

/*
 * plain item -> typed, which must print as the one-pass printer prints it;
 * NULL when the item is nested deeper than the stack allows.
 */
static Jsonb *
to_typed_checked(Jsonb *plain)
{
	ConvArg		c = {plain, NULL};
	StringInfoData text;
	char	   *expect;
	int			code = fuzz_try(to_typed_step, &c);

	if (code == ERRCODE_STATEMENT_TOO_COMPLEX)
		return NULL;			/* deeper than the stack allows */
	if (code != 0)
		fuzz_fail("plain -> typed failed on an object");
	initStringInfo(&text);
	st_append_typed_item_text(&text, plain);
	expect = JsonbToCString(NULL, &c.out->root, VARSIZE(c.out));
	if (strcmp(text.data, expect) != 0)
		fuzz_fail("st_append_typed_item_text differs from the typed jsonb's text");
	return c.out;
}

static void
tags_step(void *arg)
{
	st_validate_tags((Jsonb *) arg);
}

static void
value_tags_step(void *arg)
{
	st_validate_value_tags((JsonbValue *) arg, "v");
}

/*
 * A plain item goes to typed and back: the same typed item (an escape the
 * item did not need, {"$M": {"a": 1}}, comes back as the map it escapes),
 * or one of the errors a stored item that breaks DynamoDB's limits gives,
 * or, when the item has a malformed tag the write path refuses, 22023.
 */
static void
round_trip_plain(Jsonb *plain, const char *what)
{
	ConvArg		back = {to_typed_checked(plain), NULL};
	Jsonb	   *typed = back.in;
	int			code;

	if (back.in == NULL)
		return;
	code = fuzz_try(from_typed_step, &back);
	if (fuzz_try(tags_step, plain) != 0)
		return;					/* a malformed tag, which no write call stores */
	fuzz_expect(code, what, lengthof(stored_errors), stored_errors);
	if (code == 0)
	{
		Jsonb	   *again = to_typed_checked(back.out);

		if (again != NULL && !fuzz_jsonb_equal(typed, again))
			fuzz_fail("plain -> typed -> plain -> typed changed the item");
	}
}

/*
 * A typed value {"B": text} that converted must hold canonical base64:
 * PostgreSQL's own encoder gives back the same text for its bytes.
 */
static void
check_binary(Jsonb *typed)
{
	JsonbValue *b;
	char	   *bytes;
	char	   *text;
	int			n;

	if (!JB_ROOT_IS_OBJECT(typed) || JB_ROOT_COUNT(typed) != 1 ||
		(b = getKeyJsonValueFromContainer(&typed->root, "B", 1, NULL)) == NULL ||
		b->type != jbvString)
		return;
	bytes = palloc(pg_b64_dec_len(b->val.string.len) + 1);
	n = pg_b64_decode(b->val.string.val, b->val.string.len, bytes,
					  pg_b64_dec_len(b->val.string.len));
	if (n < 0)
		fuzz_fail("a B value that is not base64 converted");
	text = palloc(pg_b64_enc_len(n) + 1);
	if (pg_b64_encode(bytes, n, text, pg_b64_enc_len(n)) != b->val.string.len ||
		memcmp(text, b->val.string.val, b->val.string.len) != 0)
		fuzz_fail("a B value not in canonical base64 converted");
}

static void
one_input(const uint8_t *data, size_t size)
{
	Jsonb	   *in = fuzz_jsonb(data, size);
	ConvArg		c;
	int			code;

	if (in == NULL)
		return;

	if (JB_ROOT_IS_OBJECT(in) && !JB_ROOT_IS_SCALAR(in))
	{
		/* the input as a typed item */
		c.in = in;
		code = fuzz_try(from_typed_step, &c);
		fuzz_expect(code, "typed -> plain", lengthof(typed_errors), typed_errors);
		if (code == 0)
		{
			/* what typed -> plain gives is within DynamoDB's limits */
			ConvArg		back = {to_typed_checked(c.out), NULL};
			bool		names_ok = true;

			if (fuzz_depth(&c.out->root, 1, &names_ok) > ST_MAX_NESTING_LEVELS)
				fuzz_fail("typed -> plain gave an item nested more than 32 levels");

			if (back.in == NULL)
				fuzz_fail("the typed form of a converted item failed");
			if (fuzz_try(from_typed_step, &back) != 0)
				fuzz_fail("typed -> plain -> typed -> plain failed");
			if (!fuzz_jsonb_equal(c.out, back.out))
				fuzz_fail("typed -> plain -> typed -> plain changed the item");
		}
		/* the input as a plain item */
		round_trip_plain(in, "plain -> typed -> plain");
	}

	/* the input as one typed value, and as one plain value */
	c.in = in;
	code = fuzz_try(value_from_typed_step, &c);
	fuzz_expect(code, "typed value -> plain", lengthof(typed_errors), typed_errors);
	if (code == 0)
		check_binary(in);
	if (code == 0 && !JB_ROOT_IS_SCALAR(c.out))
	{
		bool		names_ok = true;

		/* the value is level 1, its members level 2 */
		if (fuzz_depth(&c.out->root, 2, &names_ok) > ST_MAX_NESTING_LEVELS)
			fuzz_fail("typed value -> plain gave a value nested more than 32 levels");
	}
	c.in = in;
	code = fuzz_try(value_to_typed_step, &c);
	fuzz_expect(code, "plain value -> typed", lengthof(stored_errors), stored_errors);
	if (code == 0)
	{
		ConvArg		back = {c.out, NULL};

		JsonbValue	v;

		code = fuzz_try(value_from_typed_step, &back);
		if (!JB_ROOT_IS_SCALAR(in) && fuzz_try(value_tags_step, root_value(in, &v)) != 0)
			return;				/* a malformed tag in the value (see round_trip_plain) */
		fuzz_expect(code, "plain value -> typed -> plain", lengthof(stored_errors), stored_errors);
		if (code == 0)
		{
			ConvArg		again = {back.out, NULL};

			if (fuzz_try(value_to_typed_step, &again) == 0 &&
				!fuzz_jsonb_equal(c.out, again.out))
				fuzz_fail("plain value -> typed -> plain -> typed changed the value");
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_run(one_input, data, size);
	return 0;
}
