/*
 * request.c
 *	  Reading DynamoDB-shaped requests and building their responses: the
 *	  helpers that batch.c, transact.c, the execute*.c files and ttl.c
 *	  share (see request.h), and the calls execute()'s operations make to
 *	  the components' SQL functions with named arguments.
 *
 *	  Every malformed request field raises ValidationException (22023)
 *	  naming the field by its path in the request, before anything is
 *	  written; a table named in a request that does not exist raises
 *	  ResourceNotFoundException (42P01).  The operations themselves live
 *	  with their components; this file reads and writes no items.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "catalog.h"
#include "item_types.h"
#include "keys.h"
#include "request.h"
#include "typedjson.h"

/* ---------------------------------------------------------------------
 * Request helpers
 * ---------------------------------------------------------------------
 */

/*
 * Raise the error for a SQL NULL given as the whole request "where" (the
 * argument of batch_get, transact_write...): ValidationException, with
 * SQLSTATE 22004 null_value_not_allowed as for every NULL argument.
 */
void
st_null_request_error(const char *where)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("invalid request field \"%s\": a value is required", where),
			 errdetail("ValidationException: 1 validation error detected: %s: a value is required.", where)));
	pg_unreachable();
}

/*
 * The singletable table a request names (as table_by_name finds it: by its
 * DynamoDB name first, then as SQL writes a relation name,
 * st_table_relid_by_name), or NULL: no error, so a request's constraints
 * can tell a name that DynamoDB would refuse from a table made from SQL
 * under such a name.
 */
StTable *
st_table_by_name_if_exists(const char *name)
{
	Oid			relid = st_table_relid_by_name(name);

	return OidIsValid(relid) ? st_table_lookup(relid, true) : NULL;
}

/*
 * The singletable table a request names.  Raises ResourceNotFoundException
 * (42P01) when there is no such table, with DynamoDB's message: "Requested
 * resource not found" for the item, query, batch and transaction
 * operations, naming the table for the table operations (table_op).
 */
static StTable *
table_by_name(const char *name, bool table_op)
{
	Oid			relid = st_table_relid_by_name(name);

	if (!OidIsValid(relid) && table_op)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s\" does not exist", name),
				 errdetail("ResourceNotFoundException: Requested resource not found: Table: %s not found.", name)));
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s\" does not exist", name),
				 errdetail("ResourceNotFoundException: Requested resource not found.")));
	return st_table_lookup(relid, false);
}

/* A table named in an item, query, batch or transaction request. */
StTable *
st_table_by_name(const char *name)
{
	return table_by_name(name, false);
}

/* A table named in a table operation (DescribeTable, DeleteTable ...). */
StTable *
st_table_by_name_for_table_op(const char *name)
{
	return table_by_name(name, true);
}

/* Look up a field of a JSON object; false when absent or JSON null. */
bool
st_field(JsonbContainer *obj, const char *name, JsonbValue *out)
{
	if (obj == NULL)
		return false;
	if (getKeyJsonValueFromContainer(obj, name, strlen(name), out) == NULL)
		return false;
	return out->type != jbvNull;
}

static char *
path(const char *where, const char *name)
{
	return where && where[0] ? psprintf("%s.%s", where, name) : pstrdup(name);
}

/*
 * Look up a field of a request object (st_field): false when it is absent,
 * which is a ValidationException when it is required.
 */
static bool
field_present(JsonbContainer *obj, const char *name, const char *where,
			  bool required, JsonbValue *v)
{
	if (st_field(obj, name, v))
		return true;
	if (required)
		st_validation_error(path(where, name), "a value is required");
	return false;
}

/* A string field, or NULL when absent and not required. */
char *
st_field_string(JsonbContainer *obj, const char *name, const char *where, bool required)
{
	JsonbValue	v;

	if (!field_present(obj, name, where, required, &v))
		return NULL;
	if (v.type != jbvString)
		st_validation_error(path(where, name), "must be a string, not %s", st_plain_type_name(&v));
	return pnstrdup(v.val.string.val, v.val.string.len);
}

static JsonbContainer *
field_container(JsonbContainer *obj, const char *name, const char *where,
				bool required, bool array)
{
	JsonbValue	v;

	if (!field_present(obj, name, where, required, &v))
		return NULL;
	if (array && (v.type != jbvBinary || !JsonContainerIsArray(v.val.binary.data)))
		st_validation_error(path(where, name), "must be an array, not %s", st_plain_type_name(&v));
	if (!array && (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data)))
		st_validation_error(path(where, name), "must be an object, not %s", st_plain_type_name(&v));
	return v.val.binary.data;
}

JsonbContainer *
st_field_object(JsonbContainer *obj, const char *name, const char *where, bool required)
{
	return field_container(obj, name, where, required, false);
}

JsonbContainer *
st_field_array(JsonbContainer *obj, const char *name, const char *where, bool required)
{
	return field_container(obj, name, where, required, true);
}

/* An object field as a Jsonb of its own, or NULL when absent. */
Jsonb *
st_field_jsonb(JsonbContainer *obj, const char *name, const char *where, bool required)
{
	JsonbValue	v;

	if (!field_present(obj, name, where, required, &v))
		return NULL;
	if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
		st_validation_error(path(where, name), "must be an object, not %s", st_plain_type_name(&v));
	return JsonbValueToJsonb(&v);
}

/*
 * A member of a request object that is an object (st_member_object) or an
 * array (st_member_array), or NULL when absent or of another type: for
 * walks that leave the type errors to the operation.
 */
static JsonbContainer *
member_container(JsonbContainer *obj, const char *name, bool array)
{
	JsonbValue	v;

	if (!st_field(obj, name, &v) || v.type != jbvBinary ||
		(array ? !JsonContainerIsArray(v.val.binary.data) : !JsonContainerIsObject(v.val.binary.data)))
		return NULL;
	return v.val.binary.data;
}

JsonbContainer *
st_member_object(JsonbContainer *obj, const char *name)
{
	return member_container(obj, name, false);
}

JsonbContainer *
st_member_array(JsonbContainer *obj, const char *name)
{
	return member_container(obj, name, true);
}

/*
 * Reject any field of obj not in allowed (NULL-terminated): DynamoDB
 * rejects unknown parameters, and a misspelt one silently ignored would
 * change what a request means.
 */
void
st_check_fields(JsonbContainer *obj, const char *const *allowed, const char *where)
{
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		bool		ok = false;

		if (tok != WJB_KEY)
			continue;
		for (const char *const *a = allowed; *a; a++)
		{
			if (strlen(*a) == v.val.string.len &&
				memcmp(*a, v.val.string.val, v.val.string.len) == 0)
			{
				ok = true;
				break;
			}
		}
		if (!ok)
			st_validation_error(path(where, pnstrdup(v.val.string.val, v.val.string.len)),
								"unrecognized parameter");
	}
}

/* An item or key of a request in plain JSON (typed requests converted). */
Jsonb *
st_plain_item(Jsonb *item, bool typed)
{
	return typed ? st_from_typed_item(item) : item;
}

/* An item of a response, typed when the request was. */
Jsonb *
st_out_item(Jsonb *item, bool typed)
{
	return typed ? st_to_typed_item(item) : item;
}

/* Push a whole Jsonb as a value (WJB_VALUE) or array element (WJB_ELEM). */
void
st_push_item(JsonbParseState **state, JsonbIteratorToken tok, Jsonb *item)
{
	JsonbValue	v;

	v.type = jbvBinary;
	v.val.binary.data = &item->root;
	v.val.binary.len = VARSIZE_ANY_EXHDR(item);
	pushJsonbValue(state, tok, &v);
}

/*
 * A canonical string of a table and key, equal for equal keys (numbers
 * compared by value), for finding duplicates and for the order batch_write
 * and transact_write write in: "<relid>|<length>:<key>[|<length>:<sort key>]"
 * with lengths in bytes, string keys as they are, number keys normalised,
 * binary keys as byteaout gives them.  Built by hand rather than with
 * appendStringInfo: batch calls make one per item.
 */
char *
st_key_string(StTable *t, Datum *keys)
{
	int			nkeys = t->sk_attr ? 2 : 1;
	const char *s[2];
	Size		len[2];
	Size		total = 10 + 1;	/* the OID's digits and the final NUL */
	char	   *buf;
	char	   *p;

	for (int i = 0; i < nkeys; i++)
	{
		switch (i == 0 ? t->pk_type : t->sk_type)
		{
			case ST_KEY_N:
				s[i] = numeric_normalize(DatumGetNumeric(keys[i]));
				len[i] = strlen(s[i]);
				break;
			case ST_KEY_B:
				s[i] = DatumGetCString(DirectFunctionCall1(byteaout, keys[i]));
				len[i] = strlen(s[i]);
				break;
			default:
				{
					text	   *txt = DatumGetTextPP(keys[i]);

					s[i] = VARDATA_ANY(txt);
					len[i] = VARSIZE_ANY_EXHDR(txt);
				}
				break;
		}
		total += 1 + 20 + 1 + len[i];	/* '|', the length's digits, ':' */
	}
	buf = palloc(total);
	p = buf + pg_ultoa_n(t->relid, buf);
	for (int i = 0; i < nkeys; i++)
	{
		*p++ = '|';
		p += pg_ulltoa_n(len[i], p);
		*p++ = ':';
		memcpy(p, s[i], len[i]);
		p += len[i];
	}
	*p = '\0';
	return buf;
}

/* The strings of a request array (at where) as a List of char *. */
List *
st_string_list(JsonbContainer *arr, const char *where)
{
	List	   *result = NIL;
	JsonbIterator *it = JsonbIteratorInit(arr);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok != WJB_ELEM)
			continue;
		if (v.type != jbvString)
			st_validation_error(where, "must be a list of strings");
		result = lappend(result, pnstrdup(v.val.string.val, v.val.string.len));
	}
	return result;
}

static int
cmp_cstrings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* A name listed twice is DynamoDB's ValidationException (sorted: n log n). */
static void
check_no_duplicate_names(List *names, const char *where)
{
	int			n = list_length(names);
	char	  **sorted = palloc(sizeof(char *) * n);
	ListCell   *lc;
	int			i = 0;

	foreach(lc, names)
		sorted[i++] = lfirst(lc);
	qsort(sorted, n, sizeof(char *), cmp_cstrings);
	for (i = 1; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (strcmp(sorted[i - 1], sorted[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid request field \"%s\": attribute \"%s\" is listed twice", where, sorted[i]),
					 errdetail("ValidationException: One or more parameter values were invalid: Duplicate value in attribute name: %s.",
							   sorted[i])));
	}
	pfree(sorted);
}

/*
 * The legacy AttributesToGet parameter: a list of top-level attribute
 * names, or NIL when absent; a name listed twice is an error.
 */
List *
st_attributes_to_get(JsonbContainer *obj, const char *where)
{
	JsonbContainer *arr = st_field_array(obj, "AttributesToGet", where, false);
	List	   *result;

	if (arr == NULL)
		return NIL;
	result = st_string_list(arr, path(where, "AttributesToGet"));
	if (result == NIL)
		st_validation_error(path(where, "AttributesToGet"), "must not be empty");
	check_no_duplicate_names(result, path(where, "AttributesToGet"));
	return result;
}

void
st_walk_init(StWalk *w, JsonbContainer *container, const char *where)
{
	w->it = JsonbIteratorInit(container);
	w->where = where;
	w->n = 0;
}

/*
 * A value that must be an object: else ValidationException with the
 * message must_be ("must be an object with ..."); fields, when not NULL,
 * are the fields it may hold (st_check_fields).
 */
static void
check_object(JsonbValue *v, const char *must_be, const char *const *fields,
			 const char *where)
{
	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		st_validation_error(where, "%s", must_be);
	if (fields)
		st_check_fields(v->val.binary.data, fields, where);
}

/* The next token "want" (an element or a key) into v, or false at the end. */
static bool
walk_next(StWalk *w, JsonbIteratorToken want, JsonbValue *v)
{
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&w->it, v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (tok == want)
			return true;
	}
	return false;
}

/* The next element of an array, which must be an object (check_object). */
JsonbContainer *
st_walk_next_object(StWalk *w, const char *must_be, const char *const *fields,
					char **elem_where)
{
	JsonbValue	v;

	if (!walk_next(w, WJB_ELEM, &v))
		return NULL;
	*elem_where = psprintf("%s[%d]", w->where, w->n++);
	check_object(&v, must_be, fields, *elem_where);
	return v.val.binary.data;
}

/*
 * The next member of an object: its name, path and value.  With must_be,
 * the value must be an object (check_object); without, it may be anything.
 */
JsonbValue *
st_walk_next_member(StWalk *w, const char *must_be, const char *const *fields,
					char **name, char **member_where)
{
	JsonbValue	k;

	if (!walk_next(w, WJB_KEY, &k))
		return NULL;
	*name = pnstrdup(k.val.string.val, k.val.string.len);
	*member_where = psprintf("%s.%s", w->where, *name);
	(void) JsonbIteratorNext(&w->it, &w->value, true);
	w->n++;
	if (must_be)
		check_object(&w->value, must_be, fields, *member_where);
	return &w->value;
}

/* A field holding an integer in min .. max (min >= 0), or -1 when absent. */
int
st_field_int(JsonbContainer *r, const char *name, int min, int max)
{
	JsonbValue	v;
	Numeric		n;

	if (!st_field(r, name, &v))
		return -1;
	if (v.type != jbvNumeric)
		st_validation_error(name, "must be a number");
	n = v.val.numeric;
	if (numeric_is_nan(n) || numeric_is_inf(n) ||
		!DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(n),
										  DirectFunctionCall1(numeric_floor, NumericGetDatum(n)))) ||
		DatumGetBool(DirectFunctionCall2(numeric_lt, NumericGetDatum(n),
										 NumericGetDatum(int64_to_numeric(min)))) ||
		DatumGetBool(DirectFunctionCall2(numeric_gt, NumericGetDatum(n),
										 NumericGetDatum(int64_to_numeric(max)))))
		st_validation_error(name, "must be an integer between %d and %d", min, max);
	return DatumGetInt32(DirectFunctionCall1(numeric_int4, NumericGetDatum(n)));
}

/* ---------------------------------------------------------------------
 * DynamoDB's constraint list (request.h, StViolations)
 * ---------------------------------------------------------------------
 */

void
st_violations_init(StViolations *v)
{
	v->n = 0;
	initStringInfo(&v->list);
	v->first_path = NULL;
	v->first = NULL;
}

/* How DynamoDB shows a value in a constraint violation: 'abc', '-1', '[]' */
static char *
violation_value(const JsonbValue *value)
{
	switch (value->type)
	{
		case jbvString:
			return psprintf("'%s'", pnstrdup(value->val.string.val, value->val.string.len));
		case jbvNumeric:
			return psprintf("'%s'", DatumGetCString(DirectFunctionCall1(numeric_out,
																		 NumericGetDatum(value->val.numeric))));
		case jbvBool:
			return value->val.boolean ? "'true'" : "'false'";
		case jbvBinary:
			return psprintf("'%s'", JsonbToCString(NULL, value->val.binary.data,
												   value->val.binary.len));
		default:
			return "null";
	}
}

/*
 * Add one violation: the value found at path (NULL when absent) and the
 * constraint it fails ("Member must not be null").
 */
void
st_violation(StViolations *v, const char *path, const JsonbValue *value,
			 const char *constraint)
{
	if (v->n >= ST_MAX_VIOLATIONS)
		return;
	if (v->n == 0)
	{
		/* for the primary message, which starts in lower case */
		v->first_path = pstrdup(path);
		v->first = pstrdup(constraint);
		v->first[0] = pg_ascii_tolower((unsigned char) v->first[0]);
	}
	appendStringInfo(&v->list, "%sValue %s at '%s' failed to satisfy constraint: %s",
					 v->n > 0 ? "; " : "", value ? violation_value(value) : "null",
					 path, constraint);
	v->n++;
}

/* Raise ValidationException listing the violations, if there are any. */
void
st_violations_raise(StViolations *v)
{
	if (v->n == 0)
		return;
	if (v->n == 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"%s\": %s", v->first_path, v->first),
				 errdetail("ValidationException: 1 validation error detected: %s.", v->list.data)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid request: %d validation errors detected", v->n),
			 errdetail("ValidationException: %d validation errors detected: %s.", v->n, v->list.data)));
}

/*
 * DynamoDB's path of a request member in a violation: the member name with
 * its first letter in lower case, after prefix ("keySchema.1.member").
 */
char *
st_member_path(const char *prefix, const char *field)
{
	char	   *name = pstrdup(field);

	name[0] = pg_ascii_tolower((unsigned char) name[0]);
	return prefix && prefix[0] ? psprintf("%s.%s", prefix, name) : name;
}

/*
 * A member that must be present (not JSON null): false, with the
 * violation, when it is absent; its value into *out (when not NULL).
 */
bool
st_check_required(StViolations *v, JsonbContainer *obj, const char *field,
				  const char *prefix, JsonbValue *out)
{
	JsonbValue	tmp;

	if (st_field(obj, field, out ? out : &tmp))
		return true;
	st_violation(v, st_member_path(prefix, field), NULL, "Member must not be null");
	return false;
}

/* The length of a string (in characters), array or object; -1 otherwise. */
static int
value_length(const JsonbValue *value)
{
	if (value->type == jbvString)
		return pg_mbstrlen_with_len(value->val.string.val, value->val.string.len);
	if (value->type == jbvBinary)
		return JsonContainerSize(value->val.binary.data);
	return -1;
}

/* Length constraints of one value at path (max < 0: none). */
static void
length_violations(StViolations *v, const char *path, const JsonbValue *value,
				  int min, int max)
{
	int			len = value_length(value);

	if (len < 0)
		return;
	if (len < min)
		st_violation(v, path, value,
					 psprintf("Member must have length greater than or equal to %d", min));
	if (max >= 0 && len > max)
		st_violation(v, path, value,
					 psprintf("Member must have length less than or equal to %d", max));
}

/* Whether a string matches DynamoDB's pattern for names, [a-zA-Z0-9_.-]+ */
bool
st_name_pattern(const char *s, int len)
{
	if (len == 0)
		return false;
	for (int i = 0; i < len; i++)
	{
		char		c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* Whether a string is a valid DynamoDB table or index name */
bool
st_is_dynamodb_name(const char *s, int len)
{
	return len >= 3 && len <= 255 && st_name_pattern(s, len);
}

/* A table or index name: [a-zA-Z0-9_.-]+ of 3 to 255 characters. */
void
st_check_name(StViolations *v, JsonbContainer *obj, const char *field,
			  const char *prefix, bool required)
{
	JsonbValue	value;
	char	   *path;

	if (required ? !st_check_required(v, obj, field, prefix, &value) : !st_field(obj, field, &value))
		return;
	if (value.type != jbvString)
		return;					/* the operation reports the type */
	path = st_member_path(prefix, field);
	if (!st_name_pattern(value.val.string.val, value.val.string.len))
		st_violation(v, path, &value, ST_NAME_PATTERN_CONSTRAINT);
	length_violations(v, path, &value, 3, 255);
}

/* A string member that must be one of set ("[INDEXES, TOTAL, NONE]"). */
void
st_check_enum(StViolations *v, JsonbContainer *obj, const char *field,
			  const char *prefix, bool required, const char *set)
{
	JsonbValue	value;
	const char *p = set + 1;
	int			len;

	if (required ? !st_check_required(v, obj, field, prefix, &value) : !st_field(obj, field, &value))
		return;
	if (value.type != jbvString)
		return;
	len = value.val.string.len;
	while (*p)
	{
		int			n = strcspn(p, ",]");

		if (n == len && len > 0 && memcmp(p, value.val.string.val, len) == 0)
			return;
		p += n;
		while (*p == ',' || *p == ' ' || *p == ']')
			p++;
	}
	st_violation(v, st_member_path(prefix, field), &value,
				 psprintf("Member must satisfy enum value set: %s", set));
}

/* A string, list or map member of min to max (< 0: any) elements. */
void
st_check_length(StViolations *v, JsonbContainer *obj, const char *field,
				const char *prefix, int min, int max)
{
	JsonbValue	value;

	if (st_field(obj, field, &value))
		length_violations(v, st_member_path(prefix, field), &value, min, max);
}

/* A number member in min .. max. */
void
st_check_range(StViolations *v, JsonbContainer *obj, const char *field,
			   const char *prefix, bool required, int64 min, int64 max)
{
	JsonbValue	value;
	Datum		n;

	if (required ? !st_check_required(v, obj, field, prefix, &value) : !st_field(obj, field, &value))
		return;
	if (value.type != jbvNumeric || numeric_is_nan(value.val.numeric))
		return;
	n = NumericGetDatum(value.val.numeric);
	if (DatumGetBool(DirectFunctionCall2(numeric_lt, n, NumericGetDatum(int64_to_numeric(min)))))
		st_violation(v, st_member_path(prefix, field), &value,
					 psprintf("Member must have value greater than or equal to " INT64_FORMAT, min));
	else if (DatumGetBool(DirectFunctionCall2(numeric_gt, n, NumericGetDatum(int64_to_numeric(max)))))
		st_violation(v, st_member_path(prefix, field), &value,
					 psprintf("Member must have value less than or equal to " INT64_FORMAT, max));
}

/* ---------------------------------------------------------------------
 * Calling a component's SQL function with named arguments (execute's
 * Query, Scan and table operations), so it behaves as when called from SQL
 * ---------------------------------------------------------------------
 */

void
st_sql_args_init(StSqlArgs *a, const char *call)
{
	initStringInfo(&a->sql);
	appendStringInfoString(&a->sql, call);
	a->n = 0;
	memset(a->nulls, ' ', sizeof(a->nulls));
}

/* Add an argument to the call being built: positional when name is NULL. */
void
st_sql_arg(StSqlArgs *a, const char *name, Oid type, Datum value)
{
	a->n++;
	a->types[a->n - 1] = type;
	a->values[a->n - 1] = value;
	if (name)
		appendStringInfo(&a->sql, ", %s => $%d", name, a->n);
	else
		appendStringInfo(&a->sql, "$%d", a->n);
}

/* Run a one-row, one-column jsonb query; the result is copied out. */
Jsonb *
st_sql_run_jsonb(StSqlArgs *a, bool read_only)
{
	MemoryContext outer = CurrentMemoryContext;
	Jsonb	   *result = NULL;
	int			rc;

	appendStringInfoChar(&a->sql, ')');
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args(a->sql.data, a->n, a->types, a->values, a->nulls, read_only, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "unexpected SPI result %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull && TupleDescAttr(SPI_tuptable->tupdesc, 0)->atttypid == JSONBOID)
		{
			MemoryContext old = MemoryContextSwitchTo(outer);

			result = DatumGetJsonbPCopy(d);
			MemoryContextSwitchTo(old);
		}
	}
	SPI_finish();
	return result;
}
