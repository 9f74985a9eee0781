/*
 * keys.c
 *	  Items and their keys: validation of an item against DynamoDB's rules
 *	  (an object, numbers DynamoDB can store, the item size limit measured
 *	  as DynamoDB measures it, attribute names of 1 to 65535 bytes, at most
 *	  32 levels of nesting), extraction of key attributes into the typed
 *	  key columns (text COLLATE "C", numeric, bytea) and back, canonical
 *	  base64 for binary values, and the SQL functions the table definition
 *	  calls: item_check() in its CHECK constraint and key_s/key_n/key_b() in
 *	  its generated key columns, and the SQL text of those key columns
 *	  (st_key_column_sql, st_key_expr_sql) for the DDL of tables and index
 *	  tables.
 *
 *	  Two strengths of validation.  A write call (put, update, batch,
 *	  transact, execute) checks everything DynamoDB checks.  The table's
 *	  CHECK constraint and generated key columns, which also run when a
 *	  dump is restored or a logical-replication subscriber applies rows,
 *	  check only what every earlier version checked: rules added later (the
 *	  shape of an item, canonical base64 in binary keys, binary keys as
 *	  {"$B": ..} tags rather than 0.1's base64 text) are a property of the
 *	  write call, so a restore or a subscriber accepts every item the
 *	  source accepted.
 *
 *	  Everything here is per item and per key, on the hot path of every
 *	  write: no catalog access, no SQL.
 */
#include "postgres.h"

#include "access/skey.h"
#include "access/stratnum.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "catalog.h"
#include "item_types.h"
#include "keys.h"
#include "settings.h"

PG_FUNCTION_INFO_V1(st_sql_item_check);
PG_FUNCTION_INFO_V1(st_sql_key_s);
PG_FUNCTION_INFO_V1(st_sql_key_n);
PG_FUNCTION_INFO_V1(st_sql_key_b);

/*
 * Look up a top-level attribute of an item.  Returns NULL when the item has
 * no such attribute or is not an object.
 */
JsonbValue *
st_get_attr(Jsonb *item, const char *name, JsonbValue *result)
{
	if (!JB_ROOT_IS_OBJECT(item) || JB_ROOT_IS_SCALAR(item))
		return NULL;
	return getKeyJsonValueFromContainer(&item->root, name, strlen(name), result);
}

/* DynamoDB's size of a number: one byte per two significant digits, plus one. */
static Size
number_size(Numeric num)
{
	int			significant;
	int			exponent;

	if (!st_number_shape(num, &significant, &exponent))
		return 1;
	return (significant + 1) / 2 + 1;
}

/* An item's attribute name (at any level) must be 1 to 65535 bytes. */
static void
check_attr_name(int len, int depth, const char *attr)
{
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 depth == 1 ? errmsg("item has an empty attribute name")
				 : errmsg("attribute \"%s\" holds a map with an empty attribute name", attr),
				 errdetail("ValidationException: One or more parameter values were invalid: An attribute name must be at least 1 byte long.")));
	if (len > ST_MAX_ATTR_NAME_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 depth == 1 ? errmsg("item has an attribute name of %d bytes, more than the limit of %d bytes",
									 len, ST_MAX_ATTR_NAME_BYTES)
				 : errmsg("attribute \"%s\" holds an attribute name of %d bytes, more than the limit of %d bytes",
						  attr, len, ST_MAX_ATTR_NAME_BYTES),
				 errdetail("ValidationException: One or more parameter values were invalid: An attribute name must be at most %d bytes long.",
						   ST_MAX_ATTR_NAME_BYTES)));
}

/*
 * Raise DynamoDB's error for a value nested more than 32 levels deep
 * (a top-level attribute is level 1, the members of its map or list level
 * 2 ...).  attr names the attribute or value, or is NULL.
 */
void
st_nesting_too_deep(const char *attr)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 attr && attr[0] ? errmsg("attribute \"%s\" is nested more than %d levels deep",
									  attr, ST_MAX_NESTING_LEVELS)
			 : errmsg("value is nested more than %d levels deep", ST_MAX_NESTING_LEVELS),
			 errdetail("ValidationException: Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit.")));
}

static Size tagged_item_size(Jsonb *item);
static Size b64_decoded_len(const char *t, int len);

/* What walk_item does */
#define WALK_NUMBERS	0x01	/* check every number */
#define WALK_MEASURE	0x02	/* add up the item's size */
#define WALK_SHAPE		0x04	/* check attribute names and nesting */
#define WALK_TAGS		0x08	/* measure tags as the values they stand for */

/*
 * Walk an item once: check every number, add up the item's size as
 * DynamoDB does (attribute names and string values in UTF-8 bytes, numbers
 * by significant digits, booleans and nulls one byte, lists and maps three
 * bytes plus one byte per element), check the attribute names and the
 * nesting depth (see st_validate_item): what the WALK_* flags ask.
 *
 * depth is the number of containers open, the item itself being the
 * first, so a value met at depth d sits at DynamoDB's nesting level d.
 */
static Size
walk_item(Jsonb *item, int what)
{
	bool		measure = (what & WALK_MEASURE) != 0;
	bool		shape = (what & WALK_SHAPE) != 0;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	Size		size = 0;
	int			depth = 0;
	const char *attr = "";
	char		attrshort[NAMEDATALEN]; /* attr when short, without a palloc */
	char	   *attrbuf = NULL;
	bool		one_key = false;	/* the object just opened has one key */
	bool		tagged = false; /* a nested map reads as a tag */

	it = JsonbIteratorInit(&item->root);
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		switch (tok)
		{
			case WJB_BEGIN_ARRAY:
			case WJB_BEGIN_OBJECT:
				if (depth > 0)
				{
					if (shape && depth > ST_MAX_NESTING_LEVELS)
						st_nesting_too_deep(attr);
					size += 3;
				}
				one_key = (tok == WJB_BEGIN_OBJECT && depth > 0 &&
						   v.val.object.nPairs == 1);
				depth++;
				break;
			case WJB_END_ARRAY:
			case WJB_END_OBJECT:
				depth--;
				break;
			case WJB_KEY:
				if (one_key && st_tag_by_name(v.val.string.val, v.val.string.len) != ST_TAG_NONE)
					tagged = true;
				one_key = false;
				if (shape)
					check_attr_name(v.val.string.len, depth, attr);
				size += v.val.string.len;
				if (depth == 1)
				{
					if (attrbuf)
						pfree(attrbuf);
					attrbuf = NULL;
					if (v.val.string.len < sizeof(attrshort))
					{
						memcpy(attrshort, v.val.string.val, v.val.string.len);
						attrshort[v.val.string.len] = '\0';
						attr = attrshort;
					}
					else
						attr = attrbuf = pnstrdup(v.val.string.val, v.val.string.len);
				}
				break;
			case WJB_VALUE:
			case WJB_ELEM:
				if (shape && depth > ST_MAX_NESTING_LEVELS)
					st_nesting_too_deep(attr);
				if (depth > 1)
					size += 1;	/* per-element overhead inside a list or map */
				switch (v.type)
				{
					case jbvString:
						size += v.val.string.len;
						break;
					case jbvNumeric:
						if (what & WALK_NUMBERS)
							st_validate_number(v.val.numeric, attr);
						if (measure)
							size += number_size(v.val.numeric);
						break;
					default:
						size += 1;
						break;
				}
				break;
			default:
				break;
		}
	}
	if (attrbuf)
		pfree(attrbuf);
	/* binary, sets and escaped maps: checked on their own (item_types.c) */
	if (shape && tagged)
		st_validate_tags(item);
	/* the walk measured their tag objects: measure what they stand for */
	if ((what & WALK_TAGS) && tagged)
		size = tagged_item_size(item);
	return size;
}

/* Is a value of this tag a list or map (not binary or a set)? */
static bool
tag_is_list_or_map(StTag tag)
{
	return tag == ST_TAG_NONE || tag == ST_TAG_M;
}

/*
 * The size of a value by walk_item's rules, tags counted as the DynamoDB
 * value they stand for: a binary its decoded bytes, a set the sum of its
 * members, an escaped map the map.  An element of a list or map adds one
 * byte unless it is itself a list or map (walk_item's rule).
 */
static Size
value_size(JsonbValue *v)
{
	JsonbValue	payload;
	JsonbIterator *it;
	JsonbValue	e;
	JsonbIteratorToken tok;
	StTag		tag;
	Size		size;

	check_stack_depth();
	if (v->type == jbvString)
		return v->val.string.len;
	if (v->type == jbvNumeric)
		return number_size(v->val.numeric);
	if (v->type != jbvBinary)
		return 1;
	tag = st_tag_of(v, &payload);
	if (tag == ST_TAG_B)
		return b64_decoded_len(payload.val.string.val, payload.val.string.len);
	size = tag_is_list_or_map(tag) ? 3 : 0;
	it = JsonbIteratorInit(tag == ST_TAG_NONE ? v->val.binary.data : payload.val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_KEY)
			size += e.val.string.len;
		else if (tag == ST_TAG_BS && tok == WJB_ELEM && e.type == jbvString)
			size += b64_decoded_len(e.val.string.val, e.val.string.len);
		else if (tok == WJB_VALUE || tok == WJB_ELEM)
		{
			StTag		etag = st_tag_of(&e, NULL);

			size += value_size(&e);
			if (tag_is_list_or_map(tag) && (e.type != jbvBinary ||
										   (etag != ST_TAG_NONE && etag != ST_TAG_M)))
				size += 1;
		}
	}
	return size;
}

/* walk_item's measure of an item that holds tags */
static Size
tagged_item_size(Jsonb *item)
{
	JsonbIterator *it = JsonbIteratorInit(&item->root);
	JsonbValue	v;
	JsonbIteratorToken tok;
	Size		size = 0;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_KEY)
			size += v.val.string.len;
		else if (tok == WJB_VALUE)
			size += value_size(&v);
	}
	return size;
}

/*
 * Size of an item as DynamoDB measures it (see walk_item), a binary by its
 * bytes and a set by its members: what ConsumedCapacity and the batch size
 * limits count.  (The item size limit counts tags as stored, see
 * check_size.)
 */
Size
st_item_size(Jsonb *item)
{
	return walk_item(item, WALK_NUMBERS | WALK_MEASURE | WALK_TAGS);
}

/*
 * The significant decimal digits, the decimal exponent (of the first
 * significant digit) and the sign of a number, read from its stored form
 * without printing it: this runs for every number of every item a page
 * reads.  The layout is numeric.c's on-disk format (a 16-bit header, for a
 * long header a 16-bit weight too, then base-10000 digits without leading
 * or trailing zero groups), which pg_upgrade keeps stable.  Returns false
 * for NaN and infinities.
 */
static bool
number_digits(Numeric num, int *significant, int *exponent, bool *negative)
{
	const char *data = VARDATA_ANY(num);
	int			len = VARSIZE_ANY_EXHDR(num);
	uint16		header;
	int16		weight;
	int			hdr;
	int			ndigits;
	int16		first;
	int16		last;
	int			first_len;
	int			trailing = 0;

	memcpy(&header, data, sizeof(uint16));
	if ((header & 0xC000) == 0xC000)
		return false;			/* NaN, +-Infinity */
	if ((header & 0xC000) == 0x8000)
	{
		/* short: sign 0x2000, weight in 7 bits with its sign 0x0040 */
		*negative = (header & 0x2000) != 0;
		weight = (int16) ((header & 0x0040) ? (~0x003F | (header & 0x003F)) : (header & 0x003F));
		hdr = sizeof(uint16);
	}
	else
	{
		*negative = (header & 0xC000) == 0x4000;
		memcpy(&weight, data + sizeof(uint16), sizeof(int16));
		hdr = 2 * sizeof(uint16);
	}
	ndigits = (len - hdr) / (int) sizeof(int16);
	if (ndigits <= 0)
	{
		*significant = *exponent = 0;
		*negative = false;
		return true;
	}
	memcpy(&first, data + hdr, sizeof(int16));
	memcpy(&last, data + hdr + (ndigits - 1) * sizeof(int16), sizeof(int16));
	first_len = first >= 1000 ? 4 : first >= 100 ? 3 : first >= 10 ? 2 : 1;
	while (last != 0 && last % 10 == 0)
	{
		last /= 10;
		trailing++;
	}
	*significant = first_len + 4 * (ndigits - 1) - trailing;
	*exponent = 4 * weight + first_len - 1;
	return true;
}

/*
 * The 1 MB page limit of Query and Scan counts an item's stored size, which
 * is not its documented size (st_item_size): DynamoDB's pages end where
 * this measure reaches 1 MB (facts from dynalite's tests, which were
 * checked against DynamoDB: 24 or 25 items of about 43 KB depending on
 * one byte).  Attribute names count one byte; a string its bytes plus a
 * length prefix of 1 to 3 bytes; a number one byte per two significant
 * digits, plus two (plus one when both its digit count and its exponent
 * are even, plus one when negative); a binary its decoded bytes plus one;
 * a set its members plus one byte per member plus one; null nothing;
 * a boolean one; a list or map three plus, per element, one (and the
 * element).  The table's sort key is left out of that sum and counted in a
 * per-item overhead, 2 + (1 + (1 + sum) / 3072) * (18 + its size), its
 * size here being its bytes (a number's by the rule above without the
 * stored byte).
 */
static Size
page_number_size(Numeric num, bool stored)
{
	int			significant;
	int			exponent;
	bool		negative;
	Size		size;

	if (!number_digits(num, &significant, &exponent, &negative) || significant == 0)
		return 1 + (stored ? 1 : 0);
	size = 1 + (significant + 1) / 2 +
		(significant % 2 == 0 && exponent % 2 == 0 ? 1 : 0) + (negative ? 1 : 0);
	return size + (stored ? 1 : 0);
}

/*
 * The page-size walk reads jsonb's on-disk format directly (utils/jsonb.h:
 * a container's header, its JEntry array, then its children's data, keys
 * before values in an object), as number_digits reads numerics: it runs
 * for every item a Query or Scan page reads, and walking with an iterator
 * (its pallocs, a JsonbValue per element, a key look-up per one-key map)
 * made a full scan of small items about 30 % slower.  It allocates
 * nothing.  A child's data starts at the end of the previous one
 * (JBE_ADVANCE_OFFSET); numerics and containers start at the next int
 * boundary, strings where they are.  The sizes are the same as an
 * iterator's values give (sql/r5-pagesize.sql pins them).
 */
typedef struct PageChild
{
	uint32		entry;			/* its JEntry */
	const char *data;			/* its data, aligned for numerics and containers */
	uint32		len;			/* bytes of a string */
} PageChild;

/* A container's i-th child, whose data starts at *offset; advances *offset. */
static inline void
page_child(const JsonbContainer *c, int nchildren, int i, uint32 *offset, PageChild *child)
{
	const char *base = (const char *) &c->children[nchildren];
	uint32		start = *offset;

	child->entry = c->children[i];
	JBE_ADVANCE_OFFSET(*offset, child->entry);
	child->len = *offset - start;
	child->data = JBE_ISSTRING(child->entry) ? base + start : base + INTALIGN(start);
}

/* bytes of a canonical base64 text, without decoding it */
static Size
b64_decoded_len(const char *t, int len)
{
	Size		n = (Size) (len / 4) * 3;

	if (len >= 1 && t[len - 1] == '=')
		n--;
	if (len >= 2 && t[len - 2] == '=')
		n--;
	return n;
}

static Size page_container_size(const JsonbContainer *c, bool stored);
static Size page_tagged_size(const JsonbContainer *c, bool stored);

static Size
page_value_size(const PageChild *v, bool stored)
{
	Size		size;

	if (JBE_ISSTRING(v->entry))
	{
		size = v->len;
		if (stored)
			size += size < 128 ? 1 : size < 16384 ? 2 : 3;
		return size;
	}
	if (JBE_ISNUMERIC(v->entry))
		return page_number_size((Numeric) v->data, stored);
	if (JBE_ISBOOL(v->entry))
		return 1;
	if (JBE_ISNULL(v->entry))
		return stored ? 0 : 1;
	return page_tagged_size((const JsonbContainer *) v->data, stored);
}

/*
 * A set's members.  A member of another JSON type than the set's (an item
 * stored past the write call's checks, see st_validate_tags) counts as a
 * value of that type.
 */
static Size
page_set_size(const JsonbContainer *members, StTag tag, bool stored)
{
	int			n = JsonContainerSize(members);
	uint32		offset = 0;
	Size		size = 0;
	PageChild	m;

	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		page_child(members, n, i, &offset, &m);
		size += tag == ST_TAG_BS && JBE_ISSTRING(m.entry) ? b64_decoded_len(m.data, m.len) :
			page_value_size(&m, false);
	}
	return size + (stored ? n + 1 : 0);
}

/*
 * A list or map that may be a tag (the shape st_tag_of recognises: one key
 * naming a tag, a payload of the right JSON type): binary, a set, or an
 * escaped map.
 */
static Size
page_tagged_size(const JsonbContainer *c, bool stored)
{
	if (JsonContainerIsObject(c) && JsonContainerSize(c) == 1)
	{
		uint32		offset = 0;
		PageChild	key;
		PageChild	payload;
		const JsonbContainer *inner;
		StTag		tag;

		page_child(c, 2, 0, &offset, &key);
		page_child(c, 2, 1, &offset, &payload);
		inner = (const JsonbContainer *) payload.data;
		tag = st_tag_by_name(key.data, key.len);
		switch (tag)
		{
			case ST_TAG_B:
				if (JBE_ISSTRING(payload.entry))
					return b64_decoded_len(payload.data, payload.len) + (stored ? 1 : 0);
				break;
			case ST_TAG_M:
				if (JBE_ISCONTAINER(payload.entry) && JsonContainerIsObject(inner))
					return page_container_size(inner, stored);
				break;
			case ST_TAG_SS:
			case ST_TAG_NS:
			case ST_TAG_BS:
				if (JBE_ISCONTAINER(payload.entry) && JsonContainerIsArray(inner) &&
					!JsonContainerIsScalar(inner))
					return page_set_size(inner, tag, stored);
				break;
			case ST_TAG_NONE:
				break;
		}
	}
	return page_container_size(c, stored);
}

/* A list or map: 3, plus per element 1 and the element (and its name). */
static Size
page_container_size(const JsonbContainer *c, bool stored)
{
	int			count = JsonContainerSize(c);
	int			nkeys = JsonContainerIsObject(c) ? count : 0;
	uint32		offset = 0;
	Size		size = 3;
	PageChild	child;

	check_stack_depth();
	for (int i = 0; i < nkeys + count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		page_child(c, nkeys + count, i, &offset, &child);
		if (i < nkeys)
			size += stored ? 1 : child.len;
		else
			size += 1 + page_value_size(&child, stored);
	}
	return size;
}

/*
 * The size of an item as the 1 MB page limit of Query and Scan counts it
 * (see page_number_size); sort_key is the table's sort key attribute, or
 * NULL.  An item that is not an object counts as an empty one.
 */
Size
st_item_page_size(Jsonb *item, const char *sort_key)
{
	const JsonbContainer *root = &item->root;
	int			count = JsonContainerIsObject(root) ? JsonContainerSize(root) : 0;
	uint32		sk_len = sort_key ? strlen(sort_key) : 0;
	int			sk_at = -1;
	uint32		offset = 0;
	Size		size = 0;
	Size		sk_size = 0;
	PageChild	child;

	for (int i = 0; i < 2 * count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		page_child(root, 2 * count, i, &offset, &child);
		if (i < count)
		{
			if (sort_key && child.len == sk_len && memcmp(child.data, sort_key, sk_len) == 0)
				sk_at = count + i;
		}
		else if (i == sk_at)
			sk_size = page_value_size(&child, false);
		else
			size += 1 + page_value_size(&child, true);
	}
	return 2 + size + (1 + (1 + size) / 3072) * (18 + sk_size);
}

/* An item is a JSON object. */
static void
check_is_object(Jsonb *item)
{
	if (JB_ROOT_IS_SCALAR(item) || !JB_ROOT_IS_OBJECT(item))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("item must be a JSON object"),
				 errdetail("ValidationException: An item is a map of attribute names to values.")));
}

/*
 * Measure an item (with the checks in what) and refuse it when it is over
 * singletable.max_item_size.
 */
static void
check_size(Jsonb *item, int what, bool updated)
{
	Size		size = walk_item(item, what | WALK_MEASURE);

	if (size > (Size) st_max_item_size)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("item size of %zu bytes exceeds the limit of %d bytes", size, st_max_item_size),
				 updated ?
				 errdetail("ValidationException: Item size to update has exceeded the maximum allowed size.") :
				 errdetail("ValidationException: Item size has exceeded the maximum allowed size."),
				 errhint("The limit is the setting singletable.max_item_size.")));
}

/*
 * Check an item a write call is about to store: a JSON object whose numbers
 * DynamoDB can store, whose attribute names are 1 to 65535 bytes, nested at
 * most 32 levels, and whose size is within singletable.max_item_size.  The
 * stored jsonb is never smaller than DynamoDB's measure of the same item,
 * so the exact measure is needed only for items whose jsonb exceeds the
 * limit.  The CHECK constraint (item_check) leaves out the size, names and
 * nesting: they are rules of the write call, like DynamoDB's, and a restore
 * or a logical-replication subscriber must accept every item its source
 * accepted, whatever its settings or the version that wrote it.
 */
void
st_validate_item(Jsonb *item)
{
	check_is_object(item);
	if (VARSIZE_ANY_EXHDR(item) <= (Size) st_max_item_size)
		walk_item(item, WALK_NUMBERS | WALK_SHAPE);
	else
		check_size(item, WALK_NUMBERS | WALK_SHAPE, false);
}

/*
 * The size half of st_validate_item, for an item whose shape is checked
 * elsewhere: an update expression's result, an event, a snapshot.
 */
void
st_check_item_size(Jsonb *item)
{
	if (VARSIZE_ANY_EXHDR(item) > (Size) st_max_item_size)
		check_size(item, WALK_NUMBERS, false);
}

/* The same for the item an UpdateItem makes, in DynamoDB's words for it. */
void
st_check_updated_item_size(Jsonb *item)
{
	if (VARSIZE_ANY_EXHDR(item) > (Size) st_max_item_size)
		check_size(item, WALK_NUMBERS, true);
}

/*
 * Only the shape rules of st_validate_item (attribute names, nesting), for
 * the item an update expression makes: its numbers are checked as they are
 * computed, and the table's CHECK constraint checks it as any row.  The
 * item must be an object.
 */
void
st_validate_item_shape(Jsonb *item)
{
	walk_item(item, WALK_SHAPE);
}

/* DynamoDB's type name of a value (S, N, B, BOOL, NULL, L, M, SS ...), for messages. */
const char *
st_value_type_name(const JsonbValue *v)
{
	StTag		tag = st_tag_of(v, NULL);

	if (tag != ST_TAG_NONE)
		return st_tag_type_code(tag);
	switch (v->type)
	{
		case jbvString:
			return "S";
		case jbvNumeric:
			return "N";
		case jbvBool:
			return "BOOL";
		case jbvNull:
			return "NULL";
		case jbvArray:
			return "L";
		case jbvObject:
			return "M";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "L" : "M";
		default:
			return "?";
	}
}

static void
key_type_mismatch(const JsonbValue *v, const char *attr, StKeyType type)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("key attribute \"%s\" must be of type %c", attr, (char) type),
			 errdetail("ValidationException: One or more parameter values were invalid: Type mismatch for key %s expected: %c actual: %s.",
					   attr, (char) type, st_value_type_name(v))));
}

static void
key_too_long(const char *attr, int len, int max_bytes, bool is_partition)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s key attribute \"%s\" is %d bytes, more than the limit of %d bytes",
					is_partition ? "partition" : "sort", attr, len, max_bytes),
			 /* DynamoDB's wording, "of2048" included */
			 is_partition ?
			 errdetail("ValidationException: One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of%d bytes.",
					   max_bytes) :
			 errdetail("ValidationException: One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of %d bytes.",
					   max_bytes)));
}

static void
key_empty(const char *attr, StKeyType type)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("key attribute \"%s\" is empty", attr),
			 errdetail("ValidationException: One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s.",
					   type == ST_KEY_B ? "binary" : "string", attr)));
}

/*
 * The scalar a key value of the given type holds: the string of an S key,
 * the number of an N key, the base64 text of a B key's {"$B": ..} tag.
 * Returns false (leaving *out undefined) when the value has another type.
 */
bool
st_key_scalar(const JsonbValue *v, StKeyType type, JsonbValue *out)
{
	switch (type)
	{
		case ST_KEY_S:
			*out = *v;
			return v->type == jbvString;
		case ST_KEY_N:
			*out = *v;
			return v->type == jbvNumeric;
		case ST_KEY_B:
			return st_tag_of(v, out) == ST_TAG_B;
	}
	return false;
}

/*
 * Convert a JSON value into the Datum of a key column of the given type,
 * validating it as DynamoDB validates key attributes.  A binary value must
 * be canonical base64 unless lenient_b64 (the generated key columns, see
 * the file header), which takes any text pg_b64_decode() takes.  The
 * result is palloc'd in CurrentMemoryContext.
 */
static Datum
key_datum_from_value(JsonbValue *v, const char *attr, StKeyType type,
					 int max_bytes, bool is_partition, bool lenient_b64)
{
	switch (type)
	{
		case ST_KEY_S:
			if (v->type != jbvString)
				key_type_mismatch(v, attr, type);
			if (v->val.string.len == 0)
				key_empty(attr, type);
			if (v->val.string.len > max_bytes)
				key_too_long(attr, v->val.string.len, max_bytes, is_partition);
			return PointerGetDatum(cstring_to_text_with_len(v->val.string.val,
															v->val.string.len));
		case ST_KEY_N:
			if (v->type != jbvNumeric)
				key_type_mismatch(v, attr, type);
			st_validate_number(v->val.numeric, attr);
			return PointerGetDatum(DatumGetNumericCopy(NumericGetDatum(v->val.numeric)));
		case ST_KEY_B:
			{
				bytea	   *result;
				int			declen;
				JsonbValue	b64;

				/* lenient: 0.1 wrote base64 text (see the file header) */
				if (lenient_b64 && v->type == jbvString)
					b64 = *v;
				else if (!st_key_scalar(v, type, &b64))
					key_type_mismatch(v, attr, type);
				if (b64.val.string.len == 0)
					key_empty(attr, type);
				declen = pg_b64_dec_len(b64.val.string.len);
				result = palloc(VARHDRSZ + declen);
				/* the binary side is char * before 18, uint8 * from 18 on */
				if (lenient_b64)
					declen = pg_b64_decode(b64.val.string.val, b64.val.string.len,
										   (void *) VARDATA(result), declen);
				else
					declen = st_b64_decode(b64.val.string.val, b64.val.string.len,
										   VARDATA(result));
				if (declen < 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("binary key attribute \"%s\" is not valid base64", attr),
							 errdetail("ValidationException: One or more parameter values were invalid: Invalid binary value for key %s.", attr)));
				if (declen == 0)
					key_empty(attr, type);
				if (declen > max_bytes)
					key_too_long(attr, declen, max_bytes, is_partition);
				SET_VARSIZE(result, VARHDRSZ + declen);
				return PointerGetDatum(result);
			}
	}
	elog(ERROR, "unrecognized key type %d", (int) type);
	return (Datum) 0;
}

Datum
st_key_datum_from_value(JsonbValue *v, const char *attr, StKeyType type,
						int max_bytes, bool is_partition)
{
	return key_datum_from_value(v, attr, type, max_bytes, is_partition, false);
}

/*
 * st_key_datum_from_value() of a value of a Key parameter (GetItem,
 * DeleteItem, UpdateItem, BatchGetItem): a value of another type than the
 * key's is "The provided key element does not match the schema", as
 * DynamoDB words it for a key (for an item it names the types); so is an
 * empty value ("were invalid", where an item's is "are not valid").
 */
Datum
st_key_param_datum(JsonbValue *v, const char *attr, StKeyType type,
				   int max_bytes, bool is_partition)
{
	JsonbValue	scalar;

	if (!st_key_scalar(v, type, &scalar))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key attribute \"%s\" must be of type %c", attr, (char) type),
				 errdetail("ValidationException: The provided key element does not match the schema.")));
	/* an empty S or B ("" is the only base64 text of no bytes) */
	if (type != ST_KEY_N && scalar.val.string.len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key attribute \"%s\" is empty", attr),
				 errdetail("ValidationException: One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s.",
						   type == ST_KEY_B ? "binary" : "string", attr)));
	return key_datum_from_value(v, attr, type, max_bytes, is_partition, false);
}

/*
 * The key column Datum of an item's key attribute.  A missing attribute is
 * a ValidationException unless missing_ok, which sets *isnull instead.
 */
static Datum
key_datum(Jsonb *item, const char *attr, StKeyType type, int max_bytes,
		  bool is_partition, bool *isnull, bool missing_ok, bool lenient_b64)
{
	JsonbValue	v;

	*isnull = false;
	if (JB_ROOT_IS_SCALAR(item) || !JB_ROOT_IS_OBJECT(item))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("item must be a JSON object"),
				 errdetail("ValidationException: An item is a map of attribute names to values.")));
	if (st_get_attr(item, attr, &v) == NULL)
	{
		if (missing_ok)
		{
			*isnull = true;
			return (Datum) 0;
		}
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("item is missing the key attribute \"%s\"", attr),
				 errdetail("ValidationException: One or more parameter values were invalid: Missing the key %s in the item.", attr)));
	}
	return key_datum_from_value(&v, attr, type, max_bytes, is_partition, lenient_b64);
}

Datum
st_key_datum(Jsonb *item, const char *attr, StKeyType type, int max_bytes,
			 bool is_partition, bool *isnull, bool missing_ok)
{
	return key_datum(item, attr, type, max_bytes, is_partition, isnull, missing_ok, false);
}

/* Fill keys[] from an item's key attributes (validating them). */
void
st_item_key_datums(StTable *t, Jsonb *item, Datum *keys)
{
	bool		isnull;

	keys[0] = st_key_datum(item, t->pk_attr, t->pk_type, ST_MAX_PARTITION_KEY_BYTES,
						   true, &isnull, false);
	if (t->sk_attr)
		keys[1] = st_key_datum(item, t->sk_attr, t->sk_type, ST_MAX_SORT_KEY_BYTES,
							   false, &isnull, false);
}

/*
 * st_item_key_datums() for the item of a BatchWriteItem PutRequest, which
 * DynamoDB checks as a key: a key attribute missing or of another type is
 * "The provided key element does not match the schema".
 */
void
st_batch_item_key_datums(StTable *t, Jsonb *item, Datum *keys)
{
	for (int i = 0; i < (t->sk_attr ? 2 : 1); i++)
	{
		const char *attr = i == 0 ? t->pk_attr : t->sk_attr;
		JsonbValue	v;

		if (JB_ROOT_IS_SCALAR(item) || !JB_ROOT_IS_OBJECT(item) ||
			st_get_attr(item, attr, &v) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("item is missing the key attribute \"%s\"", attr),
					 errdetail("ValidationException: The provided key element does not match the schema.")));
		keys[i] = st_key_param_datum(&v, attr, i == 0 ? t->pk_type : t->sk_type,
									 i == 0 ? ST_MAX_PARTITION_KEY_BYTES : ST_MAX_SORT_KEY_BYTES,
									 i == 0);
	}
}

/*
 * The JSON value of a key column Datum (the inverse of
 * st_key_datum_from_value).  Fills and returns *out.
 */
JsonbValue *
st_key_datum_to_jsonbvalue(Datum d, StKeyType type, JsonbValue *out)
{
	switch (type)
	{
		case ST_KEY_S:
			{
				text	   *t = DatumGetTextPP(d);

				out->type = jbvString;
				out->val.string.len = VARSIZE_ANY_EXHDR(t);
				out->val.string.val = VARDATA_ANY(t);
				break;
			}
		case ST_KEY_N:
			out->type = jbvNumeric;
			out->val.numeric = DatumGetNumeric(d);
			break;
		case ST_KEY_B:
			{
				bytea	   *b = DatumGetByteaPP(d);

				st_make_binary_value(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), out);
				break;
			}
	}
	return out;
}

/*
 * The key of an item as a JSON object of its key attributes, e.g.
 * {"PK": "USER#1", "SK": "PROFILE"}.  The item must hold them.
 */
Jsonb *
st_item_key(StTable *table, Jsonb *item)
{
	JsonbParseState *state = NULL;
	JsonbValue	k;
	JsonbValue	v;
	JsonbValue *res;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < 2; i++)
	{
		const char *attr = (i == 0) ? table->pk_attr : table->sk_attr;

		if (attr == NULL)
			continue;
		if (st_get_attr(item, attr, &v) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("item is missing the key attribute \"%s\"", attr),
					 errdetail("ValidationException: One or more parameter values were invalid: Missing the key %s in the item.", attr)));
		k.type = jbvString;
		k.val.string.val = (char *) attr;
		k.val.string.len = strlen(attr);
		pushJsonbValue(&state, WJB_KEY, &k);
		pushJsonbValue(&state, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

Oid
st_key_type_oid(StKeyType type)
{
	switch (type)
	{
		case ST_KEY_S:
			return TEXTOID;
		case ST_KEY_N:
			return NUMERICOID;
		case ST_KEY_B:
			return BYTEAOID;
	}
	return InvalidOid;
}

/* The btree equality function of a key column type, for scan keys. */
RegProcedure
st_key_eq_proc(StKeyType type)
{
	switch (type)
	{
		case ST_KEY_S:
			return F_TEXTEQ;
		case ST_KEY_N:
			return F_NUMERIC_EQ;
		case ST_KEY_B:
			return F_BYTEAEQ;
	}
	return InvalidOid;
}

/* The >= of a key type (the scan key that starts a range at a key). */
RegProcedure
st_key_ge_proc(StKeyType type)
{
	switch (type)
	{
		case ST_KEY_S:
			return F_TEXT_GE;
		case ST_KEY_N:
			return F_NUMERIC_GE;
		case ST_KEY_B:
			return F_BYTEAGE;
	}
	return InvalidOid;
}

/*
 * The scan keys that find the row with the given key column Datums (as
 * st_item_key_datums computes them) in t's primary key, in skey (room for
 * two).  Returns their number.
 */
int
st_key_scankeys(StTable *t, const Datum *keys, ScanKeyData *skey)
{
	int			nkeys = t->sk_attr ? 2 : 1;

	for (int i = 0; i < nkeys; i++)
	{
		StKeyType	type = (i == 0) ? t->pk_type : t->sk_type;

		ScanKeyEntryInitialize(&skey[i], 0, i + 1, BTEqualStrategyNumber,
							   InvalidOid, st_key_collation(type),
							   st_key_eq_proc(type), keys[i]);
	}
	return nkeys;
}

/* The btree comparison support function of a key type (row scan keys). */
RegProcedure
st_key_cmp_proc(StKeyType type)
{
	switch (type)
	{
		case ST_KEY_S:
			return F_BTTEXTCMP;
		case ST_KEY_N:
			return F_NUMERIC_CMP;
		case ST_KEY_B:
			return F_BYTEACMP;
	}
	return InvalidOid;
}

/* String keys compare in byte order, as DynamoDB's do. */
Oid
st_key_collation(StKeyType type)
{
	return type == ST_KEY_S ? C_COLLATION_OID : InvalidOid;
}

StKeyType
st_parse_key_type(const char *s, const char *what)
{
	if (s != NULL && s[0] != '\0' && s[1] == '\0')
	{
		switch (s[0])
		{
			case 'S':
			case 'N':
			case 'B':
				return (StKeyType) s[0];
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid %s type \"%s\"", what, s ? s : "NULL"),
			 errdetail("ValidationException: A key attribute type must be S, N or B.")));
	return ST_KEY_S;			/* keep compiler quiet */
}

/*
 * item_check(item jsonb) RETURNS boolean: the CHECK constraint of every
 * singletable table.  Raises the specific error instead of returning false.
 * It checks the item's shape only, never its size: singletable.max_item_size
 * is a limit of the write calls (st_validate_item), and a constraint that
 * read a setting would make a restore (COPY) or a replication subscriber
 * refuse rows their source accepted under a raised limit.
 */
Datum
st_sql_item_check(PG_FUNCTION_ARGS)
{
	Jsonb	   *item = PG_GETARG_JSONB_P(0);

	/* not the write path's size and shape rules: see st_validate_item */
	check_is_object(item);
	walk_item(item, WALK_NUMBERS);
	PG_RETURN_BOOL(true);
}

/*
 * Shared body of key_s/key_n/key_b(item jsonb, attr text, is_partition
 * boolean), the generated key columns: lenient base64 (see the file header).
 */
static Datum
sql_key(FunctionCallInfo fcinfo, StKeyType type)
{
	Jsonb	   *item = PG_GETARG_JSONB_P(0);
	char	   *attr = text_to_cstring(PG_GETARG_TEXT_PP(1));
	bool		is_partition = PG_GETARG_BOOL(2);
	bool		isnull;
	Datum		d;

	d = key_datum(item, attr, type,
				  is_partition ? ST_MAX_PARTITION_KEY_BYTES : ST_MAX_SORT_KEY_BYTES,
				  is_partition, &isnull, false, true);
	PG_RETURN_DATUM(d);
}

Datum
st_sql_key_s(PG_FUNCTION_ARGS)
{
	return sql_key(fcinfo, ST_KEY_S);
}

Datum
st_sql_key_n(PG_FUNCTION_ARGS)
{
	return sql_key(fcinfo, ST_KEY_N);
}

Datum
st_sql_key_b(PG_FUNCTION_ARGS)
{
	return sql_key(fcinfo, ST_KEY_B);
}

/* The SQL type of a key column: text COLLATE "C", numeric or bytea. */
const char *
st_key_column_type_sql(StKeyType type)
{
	switch (type)
	{
		case ST_KEY_S:
			return "pg_catalog.text COLLATE pg_catalog.\"C\"";
		case ST_KEY_N:
			return "pg_catalog.numeric";
		case ST_KEY_B:
			return "pg_catalog.bytea";
	}
	return NULL;
}

static const char *
key_function_sql(StKeyType type)
{
	switch (type)
	{
		case ST_KEY_S:
			return "singletable.key_s";
		case ST_KEY_N:
			return "singletable.key_n";
		case ST_KEY_B:
			return "singletable.key_b";
	}
	return NULL;
}

/*
 * The SQL of a generated key column:
 *   name <type> GENERATED ALWAYS AS (singletable.key_X(item, 'attr', is_partition)) STORED
 * Shared with the GSI tables' definitions.
 */
char *
st_key_column_sql(const char *column, const char *attr, StKeyType type, bool is_partition)
{
	return psprintf("%s %s GENERATED ALWAYS AS (%s) STORED",
					quote_identifier(column), st_key_column_type_sql(type),
					st_key_expr_sql("item", attr, type, is_partition));
}

/* The SQL of a key column's value: singletable.key_X(item, 'attr', is_partition) */
char *
st_key_expr_sql(const char *item, const char *attr, StKeyType type, bool is_partition)
{
	return psprintf("%s(%s, %s, %s)", key_function_sql(type), item,
					quote_literal_cstr(attr), is_partition ? "true" : "false");
}
