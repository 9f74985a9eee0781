/*
 * item_types.c
 *	  The four DynamoDB types plain JSON cannot express, as singletable keeps
 *	  them in items: one-key tag objects named by DynamoDB's type codes,
 *	  {"$B": "<base64>"} for binary, {"$SS": [strings]}, {"$NS": [numbers]}
 *	  and {"$BS": [base64 strings]} for sets, and {"$M": {...}} as the escape
 *	  for a user map whose only key is one of these tag names.
 *
 *	  Owns: recognising a tag (st_tag_of), checking every tag of an item a
 *	  write call stores (st_validate_tags: canonical base64, non-empty sets
 *	  of the right member type without duplicates, NS members DynamoDB can
 *	  store), byte and set comparison, and building binary values; and the
 *	  checks and names of single values that keys.c and typedjson.c share
 *	  (numbers DynamoDB can store, canonical base64, a JSON type in words),
 *	  so that both depend on this file and not on each other.  Leaves
 *	  to others: typed JSON (typedjson.c), keys (keys.c), what expressions
 *	  do with these types (expr_*.c).
 *
 *	  A tag is recognised by its shape alone (one key, a tag name, a payload
 *	  of the right JSON type), so reading a stored item costs one key
 *	  look-up per single-key map; the deep checks run on the write path.
 *	  Canonical base64 makes equal byte strings equal texts, so binary
 *	  equality and BS duplicates compare the texts; order compares bytes.
 */
#include "postgres.h"

#include "common/base64.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "item_types.h"
#include "keys.h"
#include "typedjson.h"

static const struct
{
	const char *name;
	StTag		tag;
	const char *type;			/* DynamoDB's type code */
}			tags[] =
{
	{"$B", ST_TAG_B, "B"},
	{"$M", ST_TAG_M, "M"},
	{"$SS", ST_TAG_SS, "SS"},
	{"$NS", ST_TAG_NS, "NS"},
	{"$BS", ST_TAG_BS, "BS"}
};

/* The tag an object key names, or ST_TAG_NONE. */
StTag
st_tag_by_name(const char *key, int len)
{
	if (len < 2 || key[0] != '$')
		return ST_TAG_NONE;
	for (int i = 0; i < lengthof(tags); i++)
	{
		if (strlen(tags[i].name) == len && memcmp(tags[i].name, key, len) == 0)
			return tags[i].tag;
	}
	return ST_TAG_NONE;
}

/* The entry of a tag in tags[]; ST_TAG_NONE has none (-1). */
static int
tag_index(StTag tag)
{
	for (int i = 0; i < lengthof(tags); i++)
		if (tags[i].tag == tag)
			return i;
	return -1;
}

/* The object key of a tag ("$B" ...). */
const char *
st_tag_name(StTag tag)
{
	int			i = tag_index(tag);

	return i < 0 ? "" : tags[i].name;
}

/* DynamoDB's type code of a tag ("B", "SS" ...); a plain map is "M". */
const char *
st_tag_type_code(StTag tag)
{
	int			i = tag_index(tag);

	return i < 0 ? "M" : tags[i].type;
}

/* Is the payload of the right JSON type for the tag? */
static bool
payload_fits(StTag tag, const JsonbValue *p)
{
	switch (tag)
	{
		case ST_TAG_B:
			return p->type == jbvString;
		case ST_TAG_M:
			return p->type == jbvBinary && JsonContainerIsObject(p->val.binary.data);
		case ST_TAG_SS:
		case ST_TAG_NS:
		case ST_TAG_BS:
			return p->type == jbvBinary && JsonContainerIsArray(p->val.binary.data) &&
				!JsonContainerIsScalar(p->val.binary.data);
		default:
			return false;
	}
}

/*
 * The tag of a value: a map (jbvBinary) with one key that is a tag name and
 * a payload of the right JSON type.  Fills *payload when one is given.
 * Anything else (scalars, lists, other maps) is ST_TAG_NONE.
 */
StTag
st_tag_of(const JsonbValue *v, JsonbValue *payload)
{
	JsonbContainer *c;
	JsonbValue	p;

	if (v->type != jbvBinary)
		return ST_TAG_NONE;
	c = v->val.binary.data;
	if (!JsonContainerIsObject(c) || JsonContainerSize(c) != 1)
		return ST_TAG_NONE;
	for (int i = 0; i < lengthof(tags); i++)
	{
		if (getKeyJsonValueFromContainer(c, tags[i].name, strlen(tags[i].name), &p) != NULL)
		{
			if (!payload_fits(tags[i].tag, &p))
				return ST_TAG_NONE;
			if (payload)
				*payload = p;
			return tags[i].tag;
		}
	}
	return ST_TAG_NONE;
}

/* Is the object key (of a map with this one key) a tag name? */
bool
st_key_needs_escape(const char *key, int len)
{
	return st_tag_by_name(key, len) != ST_TAG_NONE;
}

/* Compare byte strings as unsigned bytes, the shorter first on a tie. */
int
st_compare_bytes(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c < 0 ? -1 : 1;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/*
 * The bytes of a binary payload (its base64 text), decoded leniently: a
 * stored value that is not canonical still reads as what it decodes to.
 * Returns NULL for text that is not base64 at all.
 */
char *
st_binary_bytes(const JsonbValue *text, int *len)
{
	char	   *out = palloc(pg_b64_dec_len(text->val.string.len) + 1);
	int			n;

	/* the binary side is char * before 18, uint8 * from 18 on */
	n = pg_b64_decode(text->val.string.val, text->val.string.len, (void *) out,
					  pg_b64_dec_len(text->val.string.len));
	if (n < 0)
	{
		pfree(out);
		return NULL;
	}
	*len = n;
	return out;
}

/*
 * A binary value {"$B": "<base64>"} of the given bytes, as jbvBinary in
 * *out (which is returned).
 */
JsonbValue *
st_make_binary_value(const char *bytes, int len, JsonbValue *out)
{
	JsonbParseState *state = NULL;
	JsonbValue	k;
	JsonbValue	s;
	Jsonb	   *jb;
	int			enclen = pg_b64_enc_len(len);
	char	   *buf = palloc(enclen + 1);

	/* the binary side is char * before 18, uint8 * from 18 on */
	enclen = pg_b64_encode((void *) bytes, len, buf, enclen);
	if (enclen < 0)
		elog(ERROR, "could not encode binary value");
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	k.type = jbvString;
	k.val.string.val = "$B";
	k.val.string.len = 2;
	pushJsonbValue(&state, WJB_KEY, &k);
	s.type = jbvString;
	s.val.string.val = buf;
	s.val.string.len = enclen;
	pushJsonbValue(&state, WJB_VALUE, &s);
	jb = JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
	out->type = jbvBinary;
	out->val.binary.data = &jb->root;
	out->val.binary.len = VARSIZE(jb) - VARHDRSZ;
	return out;
}

/* ----------------------------------------------------------------------
 * Sets
 * ----------------------------------------------------------------------
 */

/* Order of set members: bytes of strings, numbers numerically. */
static int
member_cmp(const void *a, const void *b)
{
	const JsonbValue *x = a;
	const JsonbValue *y = b;

	if (x->type == jbvNumeric && y->type == jbvNumeric)
		return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
												 NumericGetDatum(x->val.numeric),
												 NumericGetDatum(y->val.numeric)));
	if (x->type == jbvString && y->type == jbvString)
		return st_compare_bytes(x->val.string.val, x->val.string.len,
								y->val.string.val, y->val.string.len);
	return (int) x->type - (int) y->type;
}

/*
 * The members of a set payload (an array), sorted, in a palloc'd array;
 * *n is their number.  O(n log n).
 */
JsonbValue *
st_set_members_sorted(const JsonbValue *payload, int *n)
{
	JsonbContainer *c = payload->val.binary.data;
	JsonbValue *m = palloc(sizeof(JsonbValue) * Max(1, JsonContainerSize(c)));
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbIteratorToken tok;
	JsonbValue	v;
	int			k = 0;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_ELEM)
			m[k++] = v;
	}
	qsort(m, k, sizeof(JsonbValue), member_cmp);
	*n = k;
	return m;
}

/* Is value v (a string or number) equal to set member m? */
bool
st_set_member_equal(const JsonbValue *m, const JsonbValue *v)
{
	return m->type == v->type && member_cmp(m, v) == 0;
}

/* Do two set payloads hold the same members, in any order? */
bool
st_sets_equal(const JsonbValue *a, const JsonbValue *b)
{
	int			na;
	int			nb;
	JsonbValue *ma;
	JsonbValue *mb;
	bool		equal;

	if (JsonContainerSize(a->val.binary.data) != JsonContainerSize(b->val.binary.data))
		return false;
	ma = st_set_members_sorted(a, &na);
	mb = st_set_members_sorted(b, &nb);
	equal = (na == nb);
	for (int i = 0; equal && i < na; i++)
		equal = st_set_member_equal(&ma[i], &mb[i]);
	pfree(ma);
	pfree(mb);
	return equal;
}

/* ----------------------------------------------------------------------
 * Validation (write path)
 * ----------------------------------------------------------------------
 */

/* detail is the whole DETAIL after "ValidationException: " */
static void
tag_error(const char *attr, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 attr && attr[0] ? errmsg("attribute \"%s\" holds an invalid binary, set or escaped map", attr)
			 : errmsg("value holds an invalid binary, set or escaped map"),
			 errdetail("ValidationException: %s", detail)));
}

/* detail is the sentence after "One or more parameter values were invalid: " */
static void
bad_tag(const char *attr, const char *detail)
{
	tag_error(attr, psprintf("One or more parameter values were invalid: %s", detail));
}

/*
 * DynamoDB's wording for a set with no members, as the DETAIL after
 * "ValidationException: " (sic: "An string set  may").
 */
const char *
st_set_empty_message(StTag tag)
{
	switch (tag)
	{
		case ST_TAG_SS:
			return "One or more parameter values were invalid: An string set  may not be empty.";
		case ST_TAG_NS:
			return "One or more parameter values were invalid: An number set  may not be empty.";
		default:
			return "One or more parameter values were invalid: Binary sets should not be empty.";
	}
}

/*
 * DynamoDB's wording for a set with duplicate members, as the DETAIL after
 * "ValidationException: ".  A string or binary set lists its members as
 * given, a number set does not.  The message itself ends with a period,
 * hence the two (the body drops the last).
 */
char *
st_set_duplicates_message(StTag tag, JsonbContainer *members)
{
	StringInfoData buf;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	bool		first = true;

	if (tag == ST_TAG_NS)
		return pstrdup("Input collection contains duplicates.");
	initStringInfo(&buf);
	appendStringInfoString(&buf, "One or more parameter values were invalid: Input collection [");
	it = JsonbIteratorInit(members);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok != WJB_ELEM || v.type != jbvString)
			continue;
		if (!first)
			appendStringInfoString(&buf, ", ");
		appendBinaryStringInfo(&buf, v.val.string.val, v.val.string.len);
		first = false;
	}
	appendStringInfoString(&buf, tag == ST_TAG_BS ? "]of type BS contains duplicates.." :
						   "] contains duplicates..");
	return buf.data;
}

static const char *
set_words(StTag tag)
{
	return tag == ST_TAG_SS ? "string set" : tag == ST_TAG_NS ? "number set" : "binary set";
}

/* Check one binary text: canonical base64. */
static void
check_base64(const JsonbValue *s, const char *attr)
{
	char	   *buf;

	if (s->type != jbvString)
		bad_tag(attr, psprintf("A binary value is {\"$B\": \"<base64>\"}, not %s.",
							   st_plain_type_name(s)));
	buf = palloc(pg_b64_dec_len(s->val.string.len) + 1);
	if (st_b64_decode(s->val.string.val, s->val.string.len, buf) < 0)
		bad_tag(attr, "A binary value must be canonical base64 text (padded with \"=\", no white space, unused bits zero).");
	pfree(buf);
}

/* Check a set payload: non-empty, members of one type, no duplicates. */
static void
check_set(StTag tag, const JsonbValue *p, const char *attr)
{
	JsonbValue *m;
	int			n;

	if (p->type != jbvBinary || !JsonContainerIsArray(p->val.binary.data) ||
		JsonContainerIsScalar(p->val.binary.data))
		bad_tag(attr, psprintf("A set tag holds an array, not %s.", st_plain_type_name(p)));
	m = st_set_members_sorted(p, &n);
	if (n == 0)
		tag_error(attr, st_set_empty_message(tag));
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (tag == ST_TAG_NS)
		{
			if (m[i].type != jbvNumeric)
				bad_tag(attr, psprintf("A number set holds numbers only, not %s.",
									   st_plain_type_name(&m[i])));
			st_validate_number(m[i].val.numeric, attr);
		}
		else if (m[i].type != jbvString)
			bad_tag(attr, psprintf("A %s holds strings only, not %s.",
								   set_words(tag), st_plain_type_name(&m[i])));
		else if (tag == ST_TAG_BS)
			check_base64(&m[i], attr);
		if (i > 0 && st_set_member_equal(&m[i - 1], &m[i]))
			tag_error(attr, st_set_duplicates_message(tag, p->val.binary.data));
	}
	pfree(m);
}

/*
 * Check the tags in a container and everything nested in it.  attr names
 * the top-level attribute in messages.  The map inside an escape
 * {"$M": {..}} has literal keys: it is never itself a tag (escaped).
 */
static void
validate_container(JsonbContainer *c, const char *attr, bool escaped)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;

	check_stack_depth();
	it = JsonbIteratorInit(c);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_KEY && !escaped && JsonContainerIsObject(c) && JsonContainerSize(c) == 1)
		{
			StTag		tag = st_tag_by_name(v.val.string.val, v.val.string.len);
			JsonbValue	p;

			if (tag == ST_TAG_NONE)
				continue;
			tok = JsonbIteratorNext(&it, &p, true);
			Assert(tok == WJB_VALUE);
			switch (tag)
			{
				case ST_TAG_B:
					check_base64(&p, attr);
					break;
				case ST_TAG_M:
					if (p.type != jbvBinary || !JsonContainerIsObject(p.val.binary.data))
						bad_tag(attr, psprintf("The escape {\"$M\": {...}} holds a map, not %s.",
											   st_plain_type_name(&p)));
					validate_container(p.val.binary.data, attr, true);
					break;
				default:
					check_set(tag, &p, attr);
					break;
			}
			continue;
		}
		if ((tok == WJB_VALUE || tok == WJB_ELEM) && v.type == jbvBinary)
			validate_container(v.val.binary.data, attr, false);
	}
}

/*
 * Check the tags of one value (an expression attribute value): name names
 * it in messages.
 */
void
st_validate_value_tags(const JsonbValue *v, const char *name)
{
	if (v->type == jbvBinary)
		validate_container(v->val.binary.data, name, false);
}

/*
 * Check every tag of an item a write call stores (see the file header).
 * Raises ValidationException (22023), or 22003 for an NS member DynamoDB
 * cannot store.
 */
void
st_validate_tags(Jsonb *item)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	char	   *attr = NULL;

	if (JB_ROOT_IS_SCALAR(item) || !JB_ROOT_IS_OBJECT(item))
		return;
	it = JsonbIteratorInit(&item->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			if (attr)
				pfree(attr);
			attr = pnstrdup(v.val.string.val, v.val.string.len);
		}
		else if (tok == WJB_VALUE && v.type == jbvBinary)
			validate_container(v.val.binary.data, attr, false);
	}
	if (attr)
		pfree(attr);
}

/* DynamoDB's exponent range for numbers: 1E-130 .. 9.99..E+125 */
#define ST_MAX_NUMBER_EXPONENT	125
#define ST_MIN_NUMBER_EXPONENT	(-130)

/*
 * Count the significant digits of a number and find its decimal exponent
 * (the power of ten of its first significant digit).  Returns false for
 * NaN and infinities.
 */
bool
st_number_shape(Numeric num, int *significant, int *exponent)
{
	char	   *s;
	char	   *p;
	int			ndigits = 0;
	int			int_digits = -1;
	int			first = -1;
	int			last = -1;

	if (numeric_is_nan(num) || numeric_is_inf(num))
		return false;
	s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
	for (p = s; *p; p++)
	{
		if (*p == '.')
			int_digits = ndigits;
		else if (*p >= '0' && *p <= '9')
		{
			if (*p != '0')
			{
				if (first < 0)
					first = ndigits;
				last = ndigits;
			}
			ndigits++;
		}
	}
	if (int_digits < 0)
		int_digits = ndigits;
	pfree(s);
	if (first < 0)
	{
		*significant = 0;
		*exponent = 0;
	}
	else
	{
		*significant = last - first + 1;
		*exponent = int_digits - first - 1;
	}
	return true;
}

static inline int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Raise a ValidationException when DynamoDB could not store the number:
 * a magnitude outside 1E-130 .. 9.9999999999999999999999999999999999999E+125,
 * or more than 38 significant digits, checked in DynamoDB's order.
 */
void
st_validate_number(Numeric num, const char *attr)
{
	int			significant;
	int			exponent;

	if (!st_number_shape(num, &significant, &exponent))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("attribute \"%s\" is not a finite number", attr),
				 errdetail("ValidationException: The parameter cannot be converted to a numeric value.")));
	if (significant > 0 && exponent > ST_MAX_NUMBER_EXPONENT)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("number in attribute \"%s\" is too large", attr),
				 errdetail("ValidationException: Number overflow. Attempting to store a number with magnitude larger than supported range.")));
	if (significant > 0 && exponent < ST_MIN_NUMBER_EXPONENT)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("number in attribute \"%s\" is too small", attr),
				 errdetail("ValidationException: Number underflow. Attempting to store a number with magnitude smaller than supported range.")));
	if (significant > ST_MAX_NUMBER_DIGITS)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("number in attribute \"%s\" has more than %d significant digits",
						attr, ST_MAX_NUMBER_DIGITS),
				 errdetail("ValidationException: Attempting to store more than 38 significant digits in a Number.")));
}

/*
 * Decode base64 text in the one form DynamoDB accepts for binary values:
 * RFC 4648's alphabet, padded with '=' to a multiple of 4 characters, no
 * white space, and the unused low bits of the last character zero, so that
 * each byte string has exactly one text ("YR==" decodes to the same byte
 * as "YQ==" and is refused).  dst needs room for pg_b64_dec_len(len)
 * bytes.  Returns the number of bytes decoded, or -1 for any other text.
 */
int
st_b64_decode(const char *src, int len, char *dst)
{
	int			pad = 0;

	if (len % 4 != 0)
		return -1;
	if (len > 0 && src[len - 1] == '=')
		pad++;
	if (len > 1 && src[len - 2] == '=')
		pad++;
	for (int i = 0; i < len - pad; i++)
	{
		if (b64_value((unsigned char) src[i]) < 0)
			return -1;
	}
	/* one '=' leaves 2 bits of the last character unused, two leave 4 */
	if (pad > 0 &&
		(b64_value((unsigned char) src[len - pad - 1]) & (pad == 1 ? 0x03 : 0x0f)) != 0)
		return -1;
	/* the binary side is char * before 18, uint8 * from 18 on */
	return pg_b64_decode(src, len, (void *) dst, pg_b64_dec_len(len));
}

/* A JSON value's type in words ("a string", "an array" ...), for messages. */
const char *
st_plain_type_name(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		case jbvArray:
			return "an array";
		case jbvObject:
			return "an object";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "an array" : "an object";
		default:
			return "an unsupported value";
	}
}
