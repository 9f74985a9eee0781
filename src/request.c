/*
 * request.c
 *	  Reading DynamoDB-shaped requests and building their responses: the
 *	  helpers that batch.c, transact.c, execute.c, execute_errors.c and
 *	  ttl.c share (see request.h).
 *
 *	  Every malformed request field raises ValidationException (22023)
 *	  naming the field by its path in the request, before anything is
 *	  written; a table named in a request that does not exist raises
 *	  ResourceNotFoundException (42P01).  The operations themselves live
 *	  with their components; this file reads and writes no items.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "nodes/value.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/varlena.h"

#include "request.h"
#include "singletable.h"

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
 * Resolve a DynamoDB table name to a singletable table.  The name is looked
 * up first as it is written, as an unqualified relation name through
 * search_path (DynamoDB names are case-sensitive and may hold "-" and
 * "."); failing that, as regclass would read it (schema.table, "Quoted").
 * Raises ResourceNotFoundException (42P01) when there is no such table.
 */
StTable *
st_table_by_name(const char *name)
{
	Oid			relid = RelnameGetRelid(name);

	if (!OidIsValid(relid))
	{
		char	   *raw = pstrdup(name);
		List	   *names;

		if (SplitIdentifierString(raw, '.', &names) && names != NIL &&
			list_length(names) <= 3)
		{
			List	   *strs = NIL;
			ListCell   *lc;
			RangeVar   *rv;

			foreach(lc, names)
				strs = lappend(strs, makeString(lfirst(lc)));
			rv = makeRangeVarFromNameList(strs);

			relid = RangeVarGetRelid(rv, NoLock, true);
		}
	}
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s\" does not exist", name),
				 errdetail("ResourceNotFoundException: Requested resource not found: Table: %s not found.", name)));
	return st_table_lookup(relid, false);
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

/* A string field, or NULL when absent and not required. */
char *
st_field_string(JsonbContainer *obj, const char *name, const char *where, bool required)
{
	JsonbValue	v;

	if (!st_field(obj, name, &v))
	{
		if (required)
			st_validation_error(path(where, name), "a value is required");
		return NULL;
	}
	if (v.type != jbvString)
		st_validation_error(path(where, name), "must be a string, not %s", st_plain_type_name(&v));
	return pnstrdup(v.val.string.val, v.val.string.len);
}

static JsonbContainer *
field_container(JsonbContainer *obj, const char *name, const char *where,
				bool required, bool array)
{
	JsonbValue	v;

	if (!st_field(obj, name, &v))
	{
		if (required)
			st_validation_error(path(where, name), "a value is required");
		return NULL;
	}
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

	if (!st_field(obj, name, &v))
	{
		if (required)
			st_validation_error(path(where, name), "a value is required");
		return NULL;
	}
	if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
		st_validation_error(path(where, name), "must be an object, not %s", st_plain_type_name(&v));
	return JsonbValueToJsonb(&v);
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
 * compared by value), for finding duplicates.
 */
char *
st_key_string(StTable *t, Datum *keys)
{
	StringInfoData buf;
	int			nkeys = t->sk_attr ? 2 : 1;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%u", t->relid);
	for (int i = 0; i < nkeys; i++)
	{
		StKeyType	type = i == 0 ? t->pk_type : t->sk_type;
		char	   *s;

		switch (type)
		{
			case ST_KEY_N:
				s = numeric_normalize(DatumGetNumeric(keys[i]));
				break;
			case ST_KEY_B:
				s = DatumGetCString(DirectFunctionCall1(byteaout, keys[i]));
				break;
			default:
				s = TextDatumGetCString(keys[i]);
				break;
		}
		appendStringInfo(&buf, "|%zu:%s", strlen(s), s);
	}
	return buf.data;
}

/*
 * The legacy AttributesToGet parameter: a list of top-level attribute
 * names, or NIL when absent.
 */
List *
st_attributes_to_get(JsonbContainer *obj, const char *where)
{
	JsonbContainer *arr = st_field_array(obj, "AttributesToGet", where, false);
	List	   *result = NIL;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (arr == NULL)
		return NIL;
	it = JsonbIteratorInit(arr);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (v.type != jbvString)
			st_validation_error(path(where, "AttributesToGet"), "must be a list of strings");
		result = lappend(result, pnstrdup(v.val.string.val, v.val.string.len));
	}
	if (result == NIL)
		st_validation_error(path(where, "AttributesToGet"), "must not be empty");
	return result;
}
