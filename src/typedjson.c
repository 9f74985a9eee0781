/*
 * typedjson.c
 *	  Conversion between plain JSON items (the DynamoDB DocumentClient view,
 *	  which is how singletable stores items) and DynamoDB's typed JSON
 *	  ({"S": ..}, {"N": ..}, {"M": ..}, {"SS": ..} ...), for whole items
 *	  (attribute maps) and for single attribute values, plus the SQL
 *	  functions to_dynamodb_json / from_dynamodb_json / to_dynamodb_value /
 *	  from_dynamodb_value / to_dynamodb_json_text.
 *
 *	  Binary and sets keep their type in plain items as one-key tags
 *	  (item_types.c): B is {"$B": b64}, SS/NS/BS are {"$SS": [..]} ...,
 *	  in the order given (duplicates and empty sets are refused), and a map
 *	  whose only key is a tag name is escaped as {"$M": {..}}, so typed ->
 *	  plain -> typed gives back the same value.  Numbers come out in
 *	  DynamoDB's normalised form (numeric_normalize: "1.0" is "1").
 *
 *	  st_append_typed_item_text() serves the change-stream plugin: it prints
 *	  the typed image of an item in one pass over the stored item, straight
 *	  into the output buffer, with exactly the text JsonbToCString() gives
 *	  for st_to_typed_item() of the same item (jsonb keeps object keys in
 *	  the same order whatever the values, so the typed map's order is the
 *	  plain item's order).
 *
 *	  Small jsonb builders shared by the item code: a key or string pushed
 *	  from a C string, and an object of a few pairs made without a parse
 *	  state (st_object_from_pairs).
 *
 *	  Number limits are checked by st_validate_number() (keys.c), base64 by
 *	  st_b64_decode() (keys.c); typed -> plain refuses values nested more
 *	  than 32 levels, as DynamoDB refuses them in any request, while plain
 *	  -> typed converts any stored item.
 */
#include "postgres.h"

#include "common/base64.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "item_types.h"
#include "keys.h"
#include "typedjson.h"

PG_FUNCTION_INFO_V1(st_sql_to_dynamodb_json);
PG_FUNCTION_INFO_V1(st_sql_from_dynamodb_json);
PG_FUNCTION_INFO_V1(st_sql_to_dynamodb_value);
PG_FUNCTION_INFO_V1(st_sql_from_dynamodb_value);
PG_FUNCTION_INFO_V1(st_sql_to_dynamodb_json_text);

/* Longest excerpt of a bad value quoted in an error message, in bytes */
#define ST_MAX_QUOTED_VALUE 64

/* Longest number text handed to numeric_in() as written */
#define ST_MAX_LITERAL_NUMBER 128

/*
 * Typed value kinds, by their DynamoDB type key.
 */
typedef enum TypedKind
{
	TK_S,
	TK_N,
	TK_B,
	TK_BOOL,
	TK_NULL,
	TK_L,
	TK_M,
	TK_SS,
	TK_NS,
	TK_BS,
	TK_NONE						/* not a type key */
} TypedKind;

static const struct
{
	const char *key;
	TypedKind	kind;
}			typed_keys[] =
{
	{"S", TK_S},
	{"N", TK_N},
	{"B", TK_B},
	{"BOOL", TK_BOOL},
	{"NULL", TK_NULL},
	{"L", TK_L},
	{"M", TK_M},
	{"SS", TK_SS},
	{"NS", TK_NS},
	{"BS", TK_BS}
};

/* One member of a set being sorted */
typedef struct SetMember
{
	JsonbValue	value;			/* what is emitted: string or numeric */
	const char *bytes;			/* sort key: string bytes or decoded binary */
	int			len;
	int			pos;			/* position in the input, for a stable sort */
} SetMember;

static void push_plain(JsonbParseState **state, JsonbIteratorToken seq,
					   JsonbValue *typed, StringInfo path, int level);
static void push_payload(JsonbParseState **state, JsonbIteratorToken seq,
						 TypedKind kind, JsonbValue *payload, StringInfo path,
						 int level);
static JsonbValue *push_typed(JsonbParseState **state, JsonbValue *plain);
static void push_typed_map(JsonbParseState **state, JsonbValue *map);

/* ----------------------------------------------------------------------
 * Errors
 * ----------------------------------------------------------------------
 */

/* errmsg naming the attribute path, when there is one */
static int
errmsg_path(StringInfo path)
{
	if (path == NULL || path->len == 0)
		return errmsg("invalid typed attribute value");
	return errmsg("invalid typed attribute value for \"%s\"", path->data);
}

#define typed_error(path, ...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE), \
			 errmsg_path(path), \
			 errdetail(__VA_ARGS__)))

/*
 * What DynamoDB puts before some of its messages about a typed value of an
 * ExclusiveStartKey ("The provided starting key is invalid: "; see
 * st_from_typed_start_key), "" elsewhere.  Only the messages that take it
 * in DynamoDB print it: an empty or many-typed value, a false NULL, an
 * empty string or binary set.
 */
static const char *value_context = "";

/* A printable excerpt of a string value, for messages */
static char *
quote_excerpt(const char *s, int len)
{
	int			cut;
	char	   *r;

	if (len <= ST_MAX_QUOTED_VALUE)
		return pnstrdup(s, len);
	cut = pg_mbcliplen(s, len, ST_MAX_QUOTED_VALUE);
	r = palloc(cut + 4);
	memcpy(r, s, cut);
	strcpy(r + cut, "...");
	return r;
}

/* ----------------------------------------------------------------------
 * Attribute paths for messages: a, a.b, a[2].c
 * ----------------------------------------------------------------------
 */

static int
path_push_key(StringInfo path, const char *key, int keylen)
{
	int			saved = path->len;

	if (path->len > 0)
		appendStringInfoChar(path, '.');
	appendBinaryStringInfo(path, key, keylen);
	return saved;
}

static int
path_push_index(StringInfo path, int i)
{
	int			saved = path->len;

	appendStringInfo(path, "[%d]", i);
	return saved;
}

static void
path_pop(StringInfo path, int saved)
{
	path->len = saved;
	path->data[saved] = '\0';
}

/* ----------------------------------------------------------------------
 * Scalars of typed JSON: numbers and base64
 * ----------------------------------------------------------------------
 */

/*
 * Parse the text of an "N" value into a Numeric DynamoDB can store.
 *
 * The grammar is that of a decimal number: an optional sign, digits with an
 * optional decimal point (at least one digit), an optional exponent.  No
 * spaces, NaN or Infinity.  Anything else is a ValidationException.
 *
 * numeric_in() must not fail here (PG 15 has no soft errors), so a number
 * too long or with an exponent too large to hand it as written is first
 * rewritten in a short form that keeps what st_validate_number() judges
 * (more than 38 significant digits stays more than 38; an exponent out of
 * DynamoDB's range stays out of it); such numbers are rejected anyway, and
 * valid ones keep their exact value.
 */
static Numeric
parse_number(const char *s, int len, StringInfo path)
{
	int			i = 0;
	bool		neg = false;
	int			ndigits = 0;	/* digits before the exponent */
	int			nint = -1;		/* digits before the decimal point */
	int			first = -1;		/* index of first non-zero digit */
	int			last = -1;		/* index of last non-zero digit */
	int			first_pos = -1; /* its byte offset */
	long		exp = 0;
	bool		exp_neg = false;
	Numeric		num;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = (s[i++] == '-');
	for (; i < len; i++)
	{
		if (s[i] >= '0' && s[i] <= '9')
		{
			if (s[i] != '0')
			{
				if (first < 0)
				{
					first = ndigits;
					first_pos = i;
				}
				last = ndigits;
			}
			ndigits++;
		}
		else if (s[i] == '.' && nint < 0)
			nint = ndigits;
		else
			break;
	}
	if (ndigits == 0)
		goto bad;
	if (nint < 0)
		nint = ndigits;
	if (i < len && (s[i] == 'e' || s[i] == 'E'))
	{
		int			start;

		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			exp_neg = (s[i++] == '-');
		start = i;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		{
			if (exp < 1000000)
				exp = exp * 10 + (s[i] - '0');
		}
		if (i == start)
			goto bad;
		if (exp_neg)
			exp = -exp;
	}
	if (i != len)
		goto bad;

	if (first < 0)
	{
		/* zero, whatever its exponent */
		num = DatumGetNumeric(DirectFunctionCall3(numeric_in,
												  CStringGetDatum("0"),
												  ObjectIdGetDatum(InvalidOid),
												  Int32GetDatum(-1)));
	}
	else if (len <= ST_MAX_LITERAL_NUMBER && exp > -1000 && exp < 1000)
	{
		char	   *lit = pnstrdup(s, len);

		num = DatumGetNumeric(DirectFunctionCall3(numeric_in,
												  CStringGetDatum(lit),
												  ObjectIdGetDatum(InvalidOid),
												  Int32GetDatum(-1)));
		pfree(lit);
	}
	else
	{
		/* d.ddd...e<exponent of the first significant digit> */
		StringInfoData buf;
		long		e10 = exp + (nint - first - 1);
		int			sig = last - first + 1;
		int			emitted = 0;

		initStringInfo(&buf);
		if (neg)
			appendStringInfoChar(&buf, '-');
		for (i = first_pos; emitted < sig && emitted < ST_MAX_NUMBER_DIGITS; i++)
		{
			if (s[i] == '.')
				continue;
			appendStringInfoChar(&buf, s[i]);
			if (emitted == 0)
				appendStringInfoChar(&buf, '.');
			emitted++;
		}
		if (sig > ST_MAX_NUMBER_DIGITS)
			appendStringInfoChar(&buf, '1');	/* still too many digits */
		e10 = Max(Min(e10, 1000), -1000);
		appendStringInfo(&buf, "e%ld", e10);
		num = DatumGetNumeric(DirectFunctionCall3(numeric_in,
												  CStringGetDatum(buf.data),
												  ObjectIdGetDatum(InvalidOid),
												  Int32GetDatum(-1)));
		pfree(buf.data);
	}
	st_validate_number(num, path && path->len > 0 ? path->data : "value");
	return num;

bad:
	if (len == 0)
		typed_error(path, "ValidationException: The parameter cannot be converted to a numeric value.");
	typed_error(path,
				"ValidationException: The parameter cannot be converted to a numeric value: %s.",
				quote_excerpt(s, len));
	return NULL;				/* keep compiler quiet */
}

/*
 * Decode the text of a B or BS member: canonical base64 (st_b64_decode).
 * Returns the decoded bytes and their length.
 */
static char *
decode_base64(const char *s, int len, int *outlen, StringInfo path)
{
	char	   *out = palloc(pg_b64_dec_len(len) + 1);
	int			n = st_b64_decode(s, len, out);

	if (n < 0)
		typed_error(path,
					"ValidationException: The parameter is not valid base64: %s.",
					quote_excerpt(s, len));
	*outlen = n;
	return out;
}

/* ----------------------------------------------------------------------
 * Typed -> plain
 * ----------------------------------------------------------------------
 */

static TypedKind
typed_kind(const char *key, int len)
{
	for (int i = 0; i < lengthof(typed_keys); i++)
	{
		if (strlen(typed_keys[i].key) == len &&
			memcmp(typed_keys[i].key, key, len) == 0)
			return typed_keys[i].kind;
	}
	return TK_NONE;
}

/*
 * Split a typed attribute value {"T": payload} into its kind and payload,
 * in DynamoDB's order of checks: a value with no type is "empty"; a value
 * with several types has each of them checked first (a bad number among
 * them is reported as such), then is refused as having more than one.
 * level is the value's nesting level, for those checks.
 */
static TypedKind
decode_typed(JsonbValue *typed, JsonbValue *payload, StringInfo path, int level)
{
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	v;
	JsonbIteratorToken tok;
	TypedKind	kind = TK_NONE;
	int			ntypes = 0;
	char	   *unknown = NULL;

	if (typed->type != jbvBinary || !JsonContainerIsObject(typed->val.binary.data))
		typed_error(path,
					"ValidationException: An attribute value must be an object with one type key, such as {\"S\": \"text\"}, not %s.",
					st_plain_type_name(typed));

	it = JsonbIteratorInit(typed->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		TypedKind	k;

		if (tok != WJB_KEY)
			continue;
		CHECK_FOR_INTERRUPTS();
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		k = typed_kind(key.val.string.val, key.val.string.len);
		if (k == TK_NONE)
		{
			if (unknown == NULL)
				unknown = quote_excerpt(key.val.string.val, key.val.string.len);
			continue;
		}
		if (ntypes++ == 0)
		{
			kind = k;
			*payload = v;
		}
	}
	if (ntypes == 0)
		typed_error(path,
					"ValidationException: %sSupplied AttributeValue is empty, must contain exactly one of the supported datatypes.",
					value_context);
	if (unknown)
		typed_error(path,
					"ValidationException: Unrecognized attribute value type \"%s\"; expected one of S, N, B, BOOL, NULL, L, M, SS, NS, BS.",
					unknown);
	if (ntypes > 1)
	{
		JsonbParseState *scratch = NULL;

		pushJsonbValue(&scratch, WJB_BEGIN_ARRAY, NULL);
		it = JsonbIteratorInit(typed->val.binary.data);
		while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
		{
			if (tok != WJB_KEY)
				continue;
			CHECK_FOR_INTERRUPTS();
			(void) JsonbIteratorNext(&it, &v, true);
			push_payload(&scratch, WJB_ELEM,
						 typed_kind(key.val.string.val, key.val.string.len),
						 &v, path, level);
		}
		typed_error(path,
					"ValidationException: %sSupplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes.",
					value_context);
	}
	return kind;
}

/*
 * Is the payload of BOOL or NULL a boolean?  DynamoDB's deserializer also
 * takes the strings true, 1 and yes, false, 0 and no (in any case) for
 * one: *payload becomes that boolean.
 */
static bool
boolean_payload(JsonbValue *payload)
{
	static const char *const words[] = {"true", "1", "yes", "false", "0", "no"};

	if (payload->type == jbvBool)
		return true;
	if (payload->type != jbvString)
		return false;
	for (int i = 0; i < (int) lengthof(words); i++)
		if (payload->val.string.len == (int) strlen(words[i]) &&
			pg_strncasecmp(payload->val.string.val, words[i], payload->val.string.len) == 0)
		{
			payload->type = jbvBool;
			payload->val.boolean = i < 3;
			return true;
		}
	return false;
}

static void
payload_error(StringInfo path, const char *type, const char *expected,
			  JsonbValue *payload)
{
	typed_error(path,
				"ValidationException: The value of type \"%s\" must be %s, not %s.",
				type, expected, st_plain_type_name(payload));
}

static int
set_member_cmp_bytes(const void *a, const void *b)
{
	const SetMember *x = a;
	const SetMember *y = b;
	int			r;

	r = memcmp(x->bytes, y->bytes, Min(x->len, y->len));
	if (r == 0 && x->len != y->len)
		r = x->len < y->len ? -1 : 1;
	if (r == 0)
		r = x->pos - y->pos;
	return r;
}

static int
set_member_cmp_numeric(const void *a, const void *b)
{
	const SetMember *x = a;
	const SetMember *y = b;
	int			r;

	r = DatumGetInt32(DirectFunctionCall2(numeric_cmp,
										  NumericGetDatum(x->value.val.numeric),
										  NumericGetDatum(y->value.val.numeric)));
	if (r == 0)
		r = x->pos - y->pos;
	return r;
}

static bool
set_members_equal(const SetMember *x, const SetMember *y, TypedKind kind)
{
	if (kind == TK_NS)
		return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
												 NumericGetDatum(x->value.val.numeric),
												 NumericGetDatum(y->value.val.numeric))) == 0;
	return x->len == y->len && memcmp(x->bytes, y->bytes, x->len) == 0;
}

/*
 * A map whose only key is a tag name ("$B" ...) must be escaped as
 * {"$M": {..}} in a plain item, or it would read as that tag.
 */
static bool
map_needs_escape(JsonbContainer *c)
{
	JsonbIterator *it;
	JsonbValue	k;
	bool		escape;

	if (JsonContainerSize(c) != 1)
		return false;
	it = JsonbIteratorInit(c);
	(void) JsonbIteratorNext(&it, &k, true);	/* WJB_BEGIN_OBJECT */
	(void) JsonbIteratorNext(&it, &k, true);	/* WJB_KEY */
	escape = st_key_needs_escape(k.val.string.val, k.val.string.len);
	while (JsonbIteratorNext(&it, &k, true) != WJB_DONE)
		;						/* frees the iterator */
	return escape;
}

static StTag
set_tag(TypedKind kind)
{
	return kind == TK_SS ? ST_TAG_SS : kind == TK_NS ? ST_TAG_NS : ST_TAG_BS;
}

/*
 * SS, NS, BS: a non-empty array of strings without duplicates (NS members
 * compare as numbers, BS members as their bytes), emitted as the tag
 * {"$SS": [..]} ... in the order given; NS members become numbers.
 */
static void
push_set(JsonbParseState **state, TypedKind kind, const char *type,
		 JsonbValue *payload, StringInfo path)
{
	JsonbContainer *c;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	SetMember  *members;
	SetMember  *sorted;
	int			n = 0;
	int			i;

	if (payload->type != jbvBinary || !JsonContainerIsArray(payload->val.binary.data))
		payload_error(path, type, "an array of strings", payload);
	c = payload->val.binary.data;
	if (JsonContainerSize(c) == 0)
		typed_error(path, "ValidationException: %s%s",
					kind == TK_NS ? "" : value_context, st_set_empty_message(set_tag(kind)));

	members = palloc(sizeof(SetMember) * JsonContainerSize(c));
	it = JsonbIteratorInit(c);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		SetMember  *m;
		int			saved;

		if (tok != WJB_ELEM)
			continue;
		saved = path_push_index(path, n);
		if (v.type != jbvString)
			payload_error(path, type, "an array of strings", &v);
		m = &members[n];
		m->pos = n;
		switch (kind)
		{
			case TK_SS:
				m->value = v;
				m->bytes = v.val.string.val;
				m->len = v.val.string.len;
				break;
			case TK_NS:
				m->value.type = jbvNumeric;
				m->value.val.numeric = parse_number(v.val.string.val,
													v.val.string.len, path);
				m->bytes = NULL;
				m->len = 0;
				break;
			default:
				m->value = v;
				m->bytes = decode_base64(v.val.string.val, v.val.string.len,
										 &m->len, path);
				break;
		}
		path_pop(path, saved);
		n++;
	}

	/* duplicates, found in a sorted copy: O(n log n) */
	sorted = palloc(sizeof(SetMember) * n);
	memcpy(sorted, members, sizeof(SetMember) * n);
	qsort(sorted, n, sizeof(SetMember),
		  kind == TK_NS ? set_member_cmp_numeric : set_member_cmp_bytes);
	for (i = 1; i < n; i++)
	{
		if (set_members_equal(&sorted[i - 1], &sorted[i], kind))
		{
			int			saved = path_push_index(path, sorted[i].pos);

			typed_error(path, "ValidationException: %s",
						st_set_duplicates_message(set_tag(kind), c));
			path_pop(path, saved);
		}
	}
	pfree(sorted);

	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	st_push_key(state, psprintf("$%s", type));
	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
		pushJsonbValue(state, WJB_ELEM, &members[i].value);
	pushJsonbValue(state, WJB_END_ARRAY, NULL);
	pushJsonbValue(state, WJB_END_OBJECT, NULL);
	pfree(members);
}

/*
 * Push the plain form of one typed attribute value into *state, as seq
 * (WJB_VALUE after a key, WJB_ELEM in an array).  A container is pushed as
 * its BEGIN .. END, so with an empty *state the value becomes the root.
 * A scalar at the root is the caller's business (see typed_to_plain).
 * level is the value's nesting level (a top-level attribute, or a single
 * value, is level 1); DynamoDB refuses values deeper than 32 levels.
 */
static void
push_plain(JsonbParseState **state, JsonbIteratorToken seq,
		   JsonbValue *typed, StringInfo path, int level)
{
	JsonbValue	payload;
	TypedKind	kind;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();

	if (level > ST_MAX_NESTING_LEVELS)
		st_nesting_too_deep(path->data);
	kind = decode_typed(typed, &payload, path, level);
	push_payload(state, seq, kind, &payload, path, level);
}

/* push_plain's work once the value's one type is known */
static void
push_payload(JsonbParseState **state, JsonbIteratorToken seq,
			 TypedKind kind, JsonbValue *payload_in, StringInfo path, int level)
{
	JsonbValue	payload = *payload_in;
	JsonbValue	v;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	int			n;
	bool		escape;

	switch (kind)
	{
		case TK_NONE:
			break;
		case TK_S:
			if (payload.type != jbvString)
				payload_error(path, "S", "a string", &payload);
			pushJsonbValue(state, seq, &payload);
			break;
		case TK_N:
			if (payload.type != jbvString)
				payload_error(path, "N", "a string holding a number", &payload);
			v.type = jbvNumeric;
			v.val.numeric = parse_number(payload.val.string.val,
										 payload.val.string.len, path);
			pushJsonbValue(state, seq, &v);
			break;
		case TK_B:
			{
				int			len;

				if (payload.type != jbvString)
					payload_error(path, "B", "a base64 string", &payload);
				pfree(decode_base64(payload.val.string.val,
									payload.val.string.len, &len, path));
				pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
				st_push_key(state, "$B");
				pushJsonbValue(state, WJB_VALUE, &payload);
				pushJsonbValue(state, WJB_END_OBJECT, NULL);
				break;
			}
		case TK_BOOL:
			if (!boolean_payload(&payload))
				payload_error(path, "BOOL", "a boolean", &payload);
			pushJsonbValue(state, seq, &payload);
			break;
		case TK_NULL:
			if (!boolean_payload(&payload) || !payload.val.boolean)
				typed_error(path,
							"ValidationException: %sOne or more parameter values were invalid: Null attribute value types must have the value of true.",
							value_context);
			v.type = jbvNull;
			pushJsonbValue(state, seq, &v);
			break;
		case TK_L:
			if (payload.type != jbvBinary || !JsonContainerIsArray(payload.val.binary.data))
				payload_error(path, "L", "an array", &payload);
			pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
			it = JsonbIteratorInit(payload.val.binary.data);
			n = 0;
			while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
			{
				int			saved;

				if (tok != WJB_ELEM)
					continue;
				saved = path_push_index(path, n++);
				push_plain(state, WJB_ELEM, &v, path, level + 1);
				path_pop(path, saved);
			}
			pushJsonbValue(state, WJB_END_ARRAY, NULL);
			break;
		case TK_M:
			if (payload.type != jbvBinary || !JsonContainerIsObject(payload.val.binary.data))
				payload_error(path, "M", "an object", &payload);
			escape = map_needs_escape(payload.val.binary.data);
			if (escape)
			{
				pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
				st_push_key(state, "$M");
				seq = WJB_VALUE;
			}
			pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
			it = JsonbIteratorInit(payload.val.binary.data);
			while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
			{
				int			saved;

				if (tok == WJB_KEY)
				{
					pushJsonbValue(state, WJB_KEY, &v);
					saved = path_push_key(path, v.val.string.val, v.val.string.len);
					tok = JsonbIteratorNext(&it, &v, true);
					Assert(tok == WJB_VALUE);
					push_plain(state, WJB_VALUE, &v, path, level + 1);
					path_pop(path, saved);
				}
			}
			pushJsonbValue(state, WJB_END_OBJECT, NULL);
			if (escape)
				pushJsonbValue(state, WJB_END_OBJECT, NULL);
			break;
		case TK_SS:
			push_set(state, kind, "SS", &payload, path);
			break;
		case TK_NS:
			push_set(state, kind, "NS", &payload, path);
			break;
		case TK_BS:
			push_set(state, kind, "BS", &payload, path);
			break;
	}
}

/*
 * The plain form of one typed value as a finished JsonbValue: a scalar, or
 * a container built as a Jsonb and returned as jbvBinary (so the caller
 * can push it with pushJsonbValue or look into it).
 */
static JsonbValue *
typed_to_plain(JsonbValue *typed, StringInfo path)
{
	JsonbParseState *state = NULL;
	JsonbValue *res;
	JsonbValue *elem;

	/* build it as the one element of a throwaway array, then take it out */
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	push_plain(&state, WJB_ELEM, typed, path, 1);
	res = pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	Assert(res->type == jbvArray && res->val.array.nElems == 1);
	elem = &res->val.array.elems[0];
	if (elem->type == jbvArray || elem->type == jbvObject)
	{
		Jsonb	   *jb = JsonbValueToJsonb(elem);

		elem = palloc(sizeof(JsonbValue));
		elem->type = jbvBinary;
		elem->val.binary.data = &jb->root;
		elem->val.binary.len = VARSIZE(jb) - VARHDRSZ;
	}
	return elem;
}

/* ----------------------------------------------------------------------
 * Plain -> typed
 * ----------------------------------------------------------------------
 */

/* Jsonb's order of object keys: shorter first, then bytewise. */
static int
cmp_key(const JsonbValue *a, const JsonbValue *b)
{
	if (a->val.string.len != b->val.string.len)
		return a->val.string.len > b->val.string.len ? 1 : -1;
	return memcmp(a->val.string.val, b->val.string.val, a->val.string.len);
}

/*
 * The object of pairs[0 .. n - 1] (string keys; values scalars or unpacked
 * containers) as jsonb, byte for byte what pushing them in that order with
 * pushJsonbValue makes (a later attribute of the same name wins), without
 * its parse state: for objects of a handful of attributes (the event
 * store's items, a query's LastEvaluatedKey), which a stable insertion sort
 * orders.  The pairs are reordered in place.
 */
Jsonb *
st_object_from_pairs(JsonbPair *pairs, int n)
{
	JsonbValue	obj;
	int			k = 0;

	for (int i = 1; i < n; i++)
	{
		JsonbPair	p = pairs[i];
		int			j = i;

		for (; j > 0 && cmp_key(&pairs[j - 1].key, &p.key) > 0; j--)
			pairs[j] = pairs[j - 1];
		pairs[j] = p;
	}
	for (int i = 0; i < n; i++)
	{
		if (k > 0 && cmp_key(&pairs[k - 1].key, &pairs[i].key) == 0)
			pairs[k - 1] = pairs[i];
		else
			pairs[k++] = pairs[i];
	}
	obj.type = jbvObject;
	obj.val.object.nPairs = k;
	obj.val.object.pairs = pairs;
	return JsonbValueToJsonb(&obj);
}

/* Push a C string as an object key. */
void
st_push_key(JsonbParseState **state, const char *key)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(state, WJB_KEY, &k);
}

/* Push a C string as a value (WJB_VALUE) or array element (WJB_ELEM). */
void
st_push_string(JsonbParseState **state, JsonbIteratorToken tok, const char *s)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = strlen(s);
	pushJsonbValue(state, tok, &v);
}

/*
 * A number's text as DynamoDB returns it: no insignificant trailing zeros
 * ("1.0" is "1", "1.50" is "1.5"); jsonb already gives "1e2" as "100" and
 * "-0" as "0".  *out may be *num.
 */
static void
number_text(const JsonbValue *num, JsonbValue *out)
{
	char	   *t = numeric_normalize(num->val.numeric);

	out->type = jbvString;
	out->val.string.val = t;
	out->val.string.len = strlen(t);
}

/* Push the typed map of a plain map (jbvBinary object): {k: typed, ..} */
static void
push_typed_map(JsonbParseState **state, JsonbValue *map)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;

	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	it = JsonbIteratorInit(map->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			pushJsonbValue(state, WJB_KEY, &v);
		else if (tok == WJB_VALUE)
			push_typed(state, &v);
	}
	pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/*
 * Push the typed form {"T": ..} of one plain value as the next value of
 * *state (or as its root when *state is empty; the root is returned).
 * Containers come as jbvBinary (from an iterator with skipNested) and are
 * walked here.
 */
static JsonbValue *
push_typed(JsonbParseState **state, JsonbValue *plain)
{
	JsonbValue	v;
	JsonbValue	payload;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	StTag		tag;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();

	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	switch (plain->type)
	{
		case jbvString:
			st_push_key(state, "S");
			pushJsonbValue(state, WJB_VALUE, plain);
			break;
		case jbvNumeric:
			st_push_key(state, "N");
			number_text(plain, &v);
			pushJsonbValue(state, WJB_VALUE, &v);
			break;
		case jbvBool:
			st_push_key(state, "BOOL");
			pushJsonbValue(state, WJB_VALUE, plain);
			break;
		case jbvNull:
			st_push_key(state, "NULL");
			v.type = jbvBool;
			v.val.boolean = true;
			pushJsonbValue(state, WJB_VALUE, &v);
			break;
		case jbvBinary:
			if ((tag = st_tag_of(plain, &payload)) != ST_TAG_NONE && tag != ST_TAG_M)
			{
				st_push_key(state, st_tag_type_code(tag));
				if (tag == ST_TAG_B)
					pushJsonbValue(state, WJB_VALUE, &payload);
				else
				{
					/* sets: strings, NS members as number text */
					pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
					it = JsonbIteratorInit(payload.val.binary.data);
					while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
					{
						CHECK_FOR_INTERRUPTS();
						if (tok != WJB_ELEM)
							continue;
						if (v.type == jbvNumeric)
							number_text(&v, &v);
						if (v.type == jbvString)
							pushJsonbValue(state, WJB_ELEM, &v);
						else
							push_typed(state, &v);	/* malformed: plain SQL stored it */
					}
					pushJsonbValue(state, WJB_END_ARRAY, NULL);
				}
			}
			else if (tag == ST_TAG_M)
			{
				/* the escape: its map is the value, whatever its keys */
				st_push_key(state, "M");
				push_typed_map(state, &payload);
			}
			else if (JsonContainerIsArray(plain->val.binary.data))
			{
				st_push_key(state, "L");
				pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
				it = JsonbIteratorInit(plain->val.binary.data);
				while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
				{
					if (tok == WJB_ELEM)
						push_typed(state, &v);
				}
				pushJsonbValue(state, WJB_END_ARRAY, NULL);
			}
			else
			{
				st_push_key(state, "M");
				push_typed_map(state, plain);
			}
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) plain->type);
	}
	return pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/* ----------------------------------------------------------------------
 * Entry points: single values
 * ----------------------------------------------------------------------
 */

/* A container built in memory (jbvArray/jbvObject) as jbvBinary */
static JsonbValue *
as_binary(JsonbValue *v, JsonbValue *tmp)
{
	Jsonb	   *jb;

	if (v->type != jbvArray && v->type != jbvObject)
		return v;
	jb = JsonbValueToJsonb(v);
	tmp->type = jbvBinary;
	tmp->val.binary.data = &jb->root;
	tmp->val.binary.len = VARSIZE(jb) - VARHDRSZ;
	return tmp;
}

/* The root of a Jsonb as a JsonbValue: its scalar, or its container */
static void
jsonb_root_value(Jsonb *jb, JsonbValue *v)
{
	if (JB_ROOT_IS_SCALAR(jb))
	{
		if (!JsonbExtractScalar(&jb->root, v))
			elog(ERROR, "could not extract jsonb scalar");
	}
	else
	{
		v->type = jbvBinary;
		v->val.binary.data = &jb->root;
		v->val.binary.len = VARSIZE(jb) - VARHDRSZ;
	}
}

static void
init_path(StringInfo path, const char *name)
{
	initStringInfo(path);
	if (name)
		appendStringInfoString(path, name);
}

/*
 * Typed form {"T": ..} of one plain value (any JSON value), as jbvBinary.
 */
JsonbValue *
st_plain_value_to_typed(JsonbValue *plain)
{
	JsonbParseState *state = NULL;
	JsonbValue	tmp;
	JsonbValue *res;

	res = push_typed(&state, as_binary(plain, &tmp));
	return as_binary(res, palloc(sizeof(JsonbValue)));
}

/*
 * Plain form of one typed attribute value.  path names the value in error
 * messages (e.g. ":v" or "a.b[2]"; NULL for none).  Returns a scalar or a
 * jbvBinary container.  Raises ValidationException (22023) on a malformed
 * typed value and 22003 on a number DynamoDB cannot store.
 */
JsonbValue *
st_typed_value_to_plain(JsonbValue *typed, const char *path)
{
	StringInfoData p;
	JsonbValue	tmp;
	JsonbValue	s;

	/*
	 * {"S": "text"}, the commonest value (every string key), is its string:
	 * no path, no parse state.  Anything else, well formed or not, takes
	 * the general path.
	 */
	if (typed->type == jbvBinary &&
		JsonContainerIsObject(typed->val.binary.data) &&
		JsonContainerSize(typed->val.binary.data) == 1 &&
		getKeyJsonValueFromContainer(typed->val.binary.data, "S", 1, &s) != NULL &&
		s.type == jbvString)
		return memcpy(palloc(sizeof(JsonbValue)), &s, sizeof(JsonbValue));
	init_path(&p, path);
	return typed_to_plain(as_binary(typed, &tmp), &p);
}

/*
 * Push the typed form of a plain value as the next value of *state: after
 * a WJB_KEY, or as an element of the array being built.
 */
void
st_push_typed_value(JsonbParseState **state, JsonbValue *plain)
{
	JsonbValue	tmp;

	push_typed(state, as_binary(plain, &tmp));
}

/*
 * Push the plain form of a typed value into *state, which must be inside a
 * container: seq is WJB_VALUE after a key, WJB_ELEM in an array.
 */
void
st_push_plain_value(JsonbParseState **state, JsonbIteratorToken seq,
					JsonbValue *typed, const char *path)
{
	StringInfoData p;
	JsonbValue	tmp;

	if (*state == NULL || (seq != WJB_VALUE && seq != WJB_ELEM))
		elog(ERROR, "st_push_plain_value needs a container being built");
	init_path(&p, path);
	push_plain(state, seq, as_binary(typed, &tmp), &p, 1);
}

/* ----------------------------------------------------------------------
 * Entry points: items (attribute maps)
 * ----------------------------------------------------------------------
 */

static void
check_object(Jsonb *jb, const char *what)
{
	if (JB_ROOT_IS_SCALAR(jb) || !JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object", what),
				 errdetail("ValidationException: An item is a map of attribute names to values.")));
}

/*
 * Push the typed attribute map of a plain item as the next value of *state
 * (or as its root, which is then returned).
 */
JsonbValue *
st_push_typed_item(JsonbParseState **state, Jsonb *item)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;

	check_object(item, "item");
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	it = JsonbIteratorInit(&item->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			pushJsonbValue(state, WJB_KEY, &v);
		else if (tok == WJB_VALUE)
			push_typed(state, &v);
	}
	return pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/*
 * The typed form {"T": ..} of a plain scalar, built in place as a one-pair
 * object (what push_typed pushes for it); false for a container.
 */
static bool
typed_scalar(JsonbValue *plain, JsonbValue *out)
{
	JsonbPair  *pair = palloc(sizeof(JsonbPair));
	const char *code;

	switch (plain->type)
	{
		case jbvString:
			code = "S";
			pair->value = *plain;
			break;
		case jbvNumeric:
			code = "N";
			number_text(plain, &pair->value);
			break;
		case jbvBool:
			code = "BOOL";
			pair->value = *plain;
			break;
		case jbvNull:
			code = "NULL";
			pair->value.type = jbvBool;
			pair->value.val.boolean = true;
			break;
		default:
			pfree(pair);
			return false;
	}
	pair->key.type = jbvString;
	pair->key.val.string.val = (char *) code;
	pair->key.val.string.len = strlen(code);
	pair->order = 0;
	out->type = jbvObject;
	out->val.object.nPairs = 1;
	out->val.object.pairs = pair;
	return true;
}

/*
 * The typed attribute map of a plain item as an object JsonbValue, for
 * JsonbValueToJsonb: what st_push_typed_item pushes, built directly.  The
 * item's keys come in its stored order, which is jsonb's, so the pairs
 * need no sorting; scalars are wrapped in place, containers walked by
 * push_typed.
 */
JsonbValue *
st_typed_item_value(Jsonb *item)
{
	JsonbValue *res = palloc(sizeof(JsonbValue));
	JsonbPair  *pairs;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	int			n = 0;

	check_object(item, "item");
	pairs = palloc(sizeof(JsonbPair) * Max(JB_ROOT_COUNT(item), 1));
	it = JsonbIteratorInit(&item->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_KEY)
		{
			pairs[n].key = v;
			pairs[n].order = n;
		}
		else if (tok == WJB_VALUE)
		{
			if (!typed_scalar(&v, &pairs[n].value))
			{
				JsonbParseState *state = NULL;

				pairs[n].value = *push_typed(&state, &v);
			}
			n++;
		}
	}
	res->type = jbvObject;
	res->val.object.nPairs = n;
	res->val.object.pairs = pairs;
	return res;
}

/*
 * Push the plain item of a typed attribute map as the next value of *state
 * (or as its root, which is then returned).  Errors name the attribute
 * path.
 */
JsonbValue *
st_push_plain_item(JsonbParseState **state, Jsonb *typed)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	StringInfoData path;

	check_object(typed, "typed item");
	initStringInfo(&path);
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	it = JsonbIteratorInit(&typed->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			pushJsonbValue(state, WJB_KEY, &v);
			path_pop(&path, 0);
			appendBinaryStringInfo(&path, v.val.string.val, v.val.string.len);
		}
		else if (tok == WJB_VALUE)
			push_plain(state, WJB_VALUE, &v, &path, 1);
	}
	pfree(path.data);
	return pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

Jsonb *
st_to_typed_item(Jsonb *item)
{
	JsonbParseState *state = NULL;

	return JsonbValueToJsonb(st_push_typed_item(&state, item));
}

Jsonb *
st_from_typed_item(Jsonb *typed)
{
	JsonbParseState *state = NULL;

	return JsonbValueToJsonb(st_push_plain_item(&state, typed));
}

/*
 * st_from_typed_item() of an ExclusiveStartKey: the messages DynamoDB words
 * differently there start with "The provided starting key is invalid: ".
 */
Jsonb *
st_from_typed_start_key(Jsonb *typed)
{
	Jsonb	   *volatile result = NULL;

	value_context = "The provided starting key is invalid: ";
	PG_TRY();
	{
		result = st_from_typed_item(typed);
	}
	PG_FINALLY();
	{
		value_context = "";
	}
	PG_END_TRY();
	return result;
}

/* ----------------------------------------------------------------------
 * Typed item straight to text (change stream)
 * ----------------------------------------------------------------------
 */

/*
 * Does any of the eight bytes in w need escaping in JSON text: below 0x20,
 * '"' or '\\'?  (A byte is below n when subtracting n borrows into its top
 * bit while its own top bit is clear; a byte equals c when w ^ c has a zero
 * byte.  Exact as a yes/no for the whole word.)
 */
#define ST_ONES UINT64CONST(0x0101010101010101)
#define ST_HIGHS UINT64CONST(0x8080808080808080)
#define st_has_below(w, n) ((((w) - ST_ONES * (n)) & ~(w) & ST_HIGHS) != 0)
#define st_needs_escape8(w) \
	(st_has_below((w), 0x20) || st_has_below((w) ^ (ST_ONES * '"'), 1) || \
	 st_has_below((w) ^ (ST_ONES * '\\'), 1))

/*
 * What escape_json() writes after the backslash for each byte: 0 for a
 * byte it copies, 'u' for one it writes as \u00XX.
 */
static const char json_escapes[256] = {
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	0, 0, '"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	['\\'] = '\\'
};

/*
 * The length of the longest prefix of s[0..len) that JSON text holds as it
 * is: len when nothing needs escaping.  Words of eight bytes, the last one
 * overlapping the one before rather than read past the end; a string of 4
 * to 7 bytes is tested as one word of its first and last four bytes, so a
 * key such as "status" takes one test, not six.
 */
static pg_attribute_always_inline int
json_clean_prefix(const char *s, int len)
{
	int			i = 0;

	if (len >= 8)
	{
		for (;;)
		{
			uint64		w;

			if (i > len - 8)
				i = len - 8;
			memcpy(&w, s + i, sizeof(w));
			if (st_needs_escape8(w))
				break;
			if (i == len - 8)
				return len;
			i += 8;
		}
	}
	else if (len >= 4)
	{
		/* the first four bytes and the last four, overlapping */
		uint32		a,
					b;

		memcpy(&a, s, sizeof(a));
		memcpy(&b, s + len - 4, sizeof(b));
		if (!st_needs_escape8(a | (uint64) b << 32))
			return len;
	}
	while (i < len && json_escapes[(unsigned char) s[i]] == 0)
		i++;
	return i;
}

/*
 * A JSON string literal of len bytes (not NUL-terminated), escaped exactly
 * as escape_json() does, without copying it first: the runs that need no
 * escape are appended at once.
 */
void
st_append_json_string(StringInfo out, const char *s, int len)
{
	int			start = json_clean_prefix(s, len);
	char	   *p;

	/* the quotes and the clean prefix, the whole string in the common case */
	if (unlikely(out->len + len + 2 >= out->maxlen))
		enlargeStringInfo(out, len + 2);
	p = out->data + out->len;
	*p++ = '"';
	memcpy(p, s, start);
	if (start == len)
	{
		p[len] = '"';
		p[len + 1] = '\0';
		out->len += len + 2;
		return;
	}
	out->len += start + 1;
	for (int i = start; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		char		e = json_escapes[c];

		if (e == 0)
			continue;
		if (i > start)
			appendBinaryStringInfo(out, s + start, i - start);
		start = i + 1;
		if (e == 'u')
			appendStringInfo(out, "\\u%04x", (int) c);
		else
		{
			appendStringInfoCharMacro(out, '\\');
			appendStringInfoCharMacro(out, e);
		}
	}
	if (len > start)
		appendBinaryStringInfo(out, s + start, len - start);
	appendStringInfoCharMacro(out, '"');
}

static void append_typed_value_text(StringInfo out, JsonbValue *v);

/* The members of a map, typed: {"k": {..}, ..} */
static void
append_typed_map_text(StringInfo out, JsonbContainer *c)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbIteratorToken tok;
	JsonbValue	v;
	bool		first = true;

	appendStringInfoCharMacro(out, '{');
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			if (!first)
				appendBinaryStringInfo(out, ", ", 2);
			first = false;
			st_append_json_string(out, v.val.string.val, v.val.string.len);
			appendBinaryStringInfo(out, ": ", 2);
		}
		else if (tok == WJB_VALUE)
			append_typed_value_text(out, &v);
	}
	appendStringInfoCharMacro(out, '}');
}

/*
 * The elements of an array: typed values (a list), or, for a set, the
 * members as strings (numbers as their normalised text).
 */
static void
append_array_text(StringInfo out, JsonbContainer *c, bool set)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbIteratorToken tok;
	JsonbValue	v;
	bool		first = true;

	appendStringInfoCharMacro(out, '[');
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		CHECK_FOR_INTERRUPTS();
		if (!first)
			appendBinaryStringInfo(out, ", ", 2);
		first = false;
		if (!set || (v.type != jbvNumeric && v.type != jbvString))
			append_typed_value_text(out, &v);	/* a malformed set: as push_typed */
		else if (v.type == jbvNumeric)
		{
			char	   *n = numeric_normalize(v.val.numeric);

			appendStringInfoCharMacro(out, '"');
			appendStringInfoString(out, n);
			appendStringInfoCharMacro(out, '"');
			pfree(n);
		}
		else
			st_append_json_string(out, v.val.string.val, v.val.string.len);
	}
	appendStringInfoCharMacro(out, ']');
}

/* One plain value as typed JSON text: {"S": ..}, {"M": {..}}, {"SS": [..]} ... */
static void
append_typed_value_text(StringInfo out, JsonbValue *v)
{
	JsonbValue	payload;
	StTag		tag;

	check_stack_depth();
	switch (v->type)
	{
		case jbvString:
			appendBinaryStringInfo(out, "{\"S\": ", 6);
			st_append_json_string(out, v->val.string.val, v->val.string.len);
			appendStringInfoCharMacro(out, '}');
			break;
		case jbvNumeric:
			{
				char	   *n = numeric_normalize(v->val.numeric);

				appendBinaryStringInfo(out, "{\"N\": \"", 7);
				appendStringInfoString(out, n);
				appendBinaryStringInfo(out, "\"}", 2);
				pfree(n);
				break;
			}
		case jbvBool:
			if (v->val.boolean)
				appendBinaryStringInfo(out, "{\"BOOL\": true}", 14);
			else
				appendBinaryStringInfo(out, "{\"BOOL\": false}", 15);
			break;
		case jbvNull:
			appendBinaryStringInfo(out, "{\"NULL\": true}", 14);
			break;
		case jbvBinary:
			tag = st_tag_of(v, &payload);
			appendStringInfo(out, "{\"%s\": ",
							 tag != ST_TAG_NONE ? st_tag_type_code(tag) :
							 JsonContainerIsArray(v->val.binary.data) ? "L" : "M");
			if (tag == ST_TAG_B)
				st_append_json_string(out, payload.val.string.val, payload.val.string.len);
			else if (tag == ST_TAG_M)
				append_typed_map_text(out, payload.val.binary.data);
			else if (tag != ST_TAG_NONE)
				append_array_text(out, payload.val.binary.data, true);
			else if (JsonContainerIsArray(v->val.binary.data))
				append_array_text(out, v->val.binary.data, false);
			else
				append_typed_map_text(out, v->val.binary.data);
			appendStringInfoCharMacro(out, '}');
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
}

/*
 * Append the typed image of a plain item to out: the same text as
 * JsonbToCString(NULL, &st_to_typed_item(item)->root, ..), printed straight
 * from the item without building the typed jsonb.
 */
void
st_append_typed_item_text(StringInfo out, Jsonb *item)
{
	check_object(item, "item");
	append_typed_map_text(out, &item->root);
}

/* ----------------------------------------------------------------------
 * SQL functions
 * ----------------------------------------------------------------------
 */

Datum
st_sql_to_dynamodb_json(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(st_to_typed_item(PG_GETARG_JSONB_P(0)));
}

Datum
st_sql_from_dynamodb_json(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(st_from_typed_item(PG_GETARG_JSONB_P(0)));
}

Datum
st_sql_to_dynamodb_json_text(PG_FUNCTION_ARGS)
{
	StringInfoData out;

	initStringInfo(&out);
	st_append_typed_item_text(&out, PG_GETARG_JSONB_P(0));
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}

Datum
st_sql_to_dynamodb_value(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	JsonbValue	v;

	jsonb_root_value(jb, &v);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(st_plain_value_to_typed(&v)));
}

Datum
st_sql_from_dynamodb_value(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	JsonbValue	v;

	jsonb_root_value(jb, &v);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(st_typed_value_to_plain(&v, NULL)));
}
