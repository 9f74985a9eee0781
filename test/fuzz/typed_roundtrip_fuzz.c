/*
 * typed_roundtrip_fuzz.c
 *	  libFuzzer property test of the typed round trip: the input bytes drive
 *	  a generator of typed items with every DynamoDB type (S, N, B, BOOL,
 *	  NULL, L, M, SS, NS, BS), sets and binary nested in lists and maps, and
 *	  map keys that read as tags ("$B", "$M", "$SS" ...).  Numbers are
 *	  generated in DynamoDB's normalised form and sets without duplicates,
 *	  as DynamoDB returns them, so the property is exact:
 *
 *	  - typed -> plain never fails on such an item;
 *	  - typed -> plain -> typed is the identity (the same jsonb);
 *	  - the change stream's printer (st_append_typed_item_text) prints the
 *	    text of that typed jsonb;
 *	  - the plain item passes the write path's checks (st_validate_item).
 *
 *	  test/fuzz/run links it like typed_fuzz (pg_fuzz.h); sql/
 *	  types_roundtrip.sql is the same property, deterministic, in the suite.
 */
#include "pg_fuzz.h"

#include "common/base64.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "../../src/keys.h"
#include "../../src/singletable.h"
#include "../../src/typedjson.h"

/* The generator's input: bytes read in turn, zeros once they run out. */
typedef struct Gen
{
	const uint8_t *data;
	size_t		size;
	size_t		pos;
} Gen;

static unsigned
next_byte(Gen *g)
{
	return g->pos < g->size ? g->data[g->pos++] : 0;
}

static void
push_key(JsonbParseState **st, const char *key, int len)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = len;
	pushJsonbValue(st, WJB_KEY, &k);
}

static void
push_string(JsonbParseState **st, JsonbIteratorToken seq, char *s, int len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = s;
	v.val.string.len = len;
	pushJsonbValue(st, seq, &v);
}

/* A short printable ASCII string; "$" and letters that spell tags are likely. */
static char *
gen_text(Gen *g, int *len)
{
	static const char alphabet[] = "$BMSNab\"\\ x0";
	int			n = next_byte(g) % 6;
	char	   *s = palloc(n + 1);

	for (int i = 0; i < n; i++)
		s[i] = alphabet[next_byte(g) % (sizeof(alphabet) - 1)];
	s[n] = '\0';
	*len = n;
	return s;
}

/* A number's normalised text: an integer scaled by a power of ten. */
static char *
gen_number(Gen *g)
{
	int64		v = (int32) ((next_byte(g) << 24) | (next_byte(g) << 16) |
							 (next_byte(g) << 8) | next_byte(g));
	int			scale = next_byte(g) % 8;
	char	   *lit = psprintf(INT64_FORMAT "e-%d", v, scale);
	Numeric		num = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														  CStringGetDatum(lit),
														  ObjectIdGetDatum(InvalidOid),
														  Int32GetDatum(-1)));

	return numeric_normalize(num);
}

/* Canonical base64 of up to 12 bytes. */
static char *
gen_binary(Gen *g, int *len)
{
	int			n = next_byte(g) % 13;
	char		bytes[13];
	char	   *text = palloc(pg_b64_enc_len(n) + 1);

	for (int i = 0; i < n; i++)
		bytes[i] = (char) next_byte(g);
	*len = pg_b64_encode((void *) bytes, n, text, pg_b64_enc_len(n));
	return text;
}

/* 1 to 4 distinct members of a set (SS, NS or BS). */
static void
gen_set(Gen *g, JsonbParseState **st, char kind)
{
	int			want = 1 + next_byte(g) % 4;
	char	   *members[4];
	int			lens[4];
	int			n = 0;

	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < want; i++)
	{
		char	   *m;
		int			len;
		bool		dup = false;

		if (kind == 'S')
			m = gen_text(g, &len);
		else if (kind == 'N')
		{
			m = gen_number(g);
			len = strlen(m);
		}
		else
			m = gen_binary(g, &len);
		/* normalised numbers and canonical base64: equal values, equal texts */
		for (int j = 0; j < n && !dup; j++)
			dup = lens[j] == len && memcmp(members[j], m, len) == 0;
		if (dup)
			continue;
		members[n] = m;
		lens[n] = len;
		n++;
		push_string(st, WJB_ELEM, m, len);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

static void gen_value(Gen *g, JsonbParseState **st, JsonbIteratorToken seq, int depth);

/* A map of up to 3 attributes, keys often tag names. */
static void
gen_map(Gen *g, JsonbParseState **st, int depth)
{
	static const char *const keys[] = {"a", "b", "$B", "$M", "$SS", "$NS", "$BS", "$X", "S", "M"};
	int			n = next_byte(g) % 4;

	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < n; i++)
	{
		const char *k = keys[next_byte(g) % lengthof(keys)];

		push_key(st, k, strlen(k));
		gen_value(g, st, WJB_VALUE, depth + 1);
	}
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/* One typed value {"T": ..}, pushed as seq. */
static void
gen_value(Gen *g, JsonbParseState **st, JsonbIteratorToken seq, int depth)
{
	unsigned	kind = next_byte(g) % (depth < 8 ? 10 : 8);
	JsonbValue	v;
	char	   *s;
	int			len;

	check_stack_depth();
	(void) seq;
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	switch (kind)
	{
		case 0:
			push_key(st, "S", 1);
			s = gen_text(g, &len);
			push_string(st, WJB_VALUE, s, len);
			break;
		case 1:
			push_key(st, "N", 1);
			s = gen_number(g);
			push_string(st, WJB_VALUE, s, strlen(s));
			break;
		case 2:
			push_key(st, "B", 1);
			s = gen_binary(g, &len);
			push_string(st, WJB_VALUE, s, len);
			break;
		case 3:
			push_key(st, "BOOL", 4);
			v.type = jbvBool;
			v.val.boolean = next_byte(g) & 1;
			pushJsonbValue(st, WJB_VALUE, &v);
			break;
		case 4:
			push_key(st, "NULL", 4);
			v.type = jbvBool;
			v.val.boolean = true;
			pushJsonbValue(st, WJB_VALUE, &v);
			break;
		case 5:
			push_key(st, "SS", 2);
			gen_set(g, st, 'S');
			break;
		case 6:
			push_key(st, "NS", 2);
			gen_set(g, st, 'N');
			break;
		case 7:
			push_key(st, "BS", 2);
			gen_set(g, st, 'B');
			break;
		case 8:
			push_key(st, "L", 1);
			pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
			for (int i = next_byte(g) % 4; i > 0; i--)
				gen_value(g, st, WJB_ELEM, depth + 1);
			pushJsonbValue(st, WJB_END_ARRAY, NULL);
			break;
		default:
			push_key(st, "M", 1);
			gen_map(g, st, depth);
			break;
	}
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

typedef struct Trip
{
	Jsonb	   *typed;
	Jsonb	   *plain;
	Jsonb	   *back;
} Trip;

static void
round_trip_step(void *arg)
{
	Trip	   *t = arg;

	t->plain = st_from_typed_item(t->typed);
	st_validate_item(t->plain);
	t->back = st_to_typed_item(t->plain);
}

static void
one_input(const uint8_t *data, size_t size)
{
	Gen			g = {data, size, 0};
	JsonbParseState *st = NULL;
	Trip		t = {NULL, NULL, NULL};
	StringInfoData text;
	char	   *expect;
	int			code;

	/* an item: a key and up to 4 generated attributes */
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_key(&st, "PK", 2);
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_key(&st, "S", 1);
	push_string(&st, WJB_VALUE, "k", 1);
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	for (int i = next_byte(&g) % 5; i > 0; i--)
	{
		char	   *name = psprintf("a%d", i);	/* the state keeps the pointer */

		push_key(&st, name, strlen(name));
		gen_value(&g, &st, WJB_VALUE, 1);
	}
	t.typed = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));

	code = fuzz_try(round_trip_step, &t);
	if (code != 0)
		fuzz_fail("a generated typed item failed typed -> plain -> typed");
	if (!fuzz_jsonb_equal(t.typed, t.back) ||
		strcmp(JsonbToCString(NULL, &t.typed->root, VARSIZE(t.typed)),
			   JsonbToCString(NULL, &t.back->root, VARSIZE(t.back))) != 0)
		fuzz_fail("typed -> plain -> typed changed the item");
	initStringInfo(&text);
	st_append_typed_item_text(&text, t.plain);
	expect = JsonbToCString(NULL, &t.back->root, VARSIZE(t.back));
	if (strcmp(text.data, expect) != 0)
		fuzz_fail("st_append_typed_item_text differs from the typed jsonb's text");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_run(one_input, data, size);
	return 0;
}
