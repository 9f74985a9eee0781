/*
 * request.h
 *	  Reading DynamoDB-shaped requests (fields checked by name and type,
 *	  tables looked up by name, ValidationException naming the field) and
 *	  the small builders of DynamoDB-shaped responses, and calls of the
 *	  components' SQL functions with named arguments (request.c).
 */
#ifndef SINGLETABLE_REQUEST_H
#define SINGLETABLE_REQUEST_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "catalog.h"
#include "singletable.h"

extern StTable *st_table_by_name(const char *name);
extern StTable *st_table_by_name_for_table_op(const char *name);
extern StTable *st_table_by_name_if_exists(const char *name);
extern void st_check_fields(JsonbContainer *obj, const char *const *allowed,
							const char *where);
extern bool st_field(JsonbContainer *obj, const char *name, JsonbValue *out);
extern char *st_field_string(JsonbContainer *obj, const char *name,
							 const char *where, bool required);
extern JsonbContainer *st_field_object(JsonbContainer *obj, const char *name,
									   const char *where, bool required);
extern JsonbContainer *st_field_array(JsonbContainer *obj, const char *name,
									  const char *where, bool required);
extern JsonbContainer *st_member_object(JsonbContainer *obj, const char *name);
extern JsonbContainer *st_member_array(JsonbContainer *obj, const char *name);
extern Jsonb *st_field_jsonb(JsonbContainer *obj, const char *name,
							 const char *where, bool required);
extern Jsonb *st_plain_item(Jsonb *item, bool typed);
extern Jsonb *st_out_item(Jsonb *item, bool typed);
extern void st_push_item(JsonbParseState **state, JsonbIteratorToken tok, Jsonb *item);
extern char *st_key_string(StTable *t, Datum *keys);
extern List *st_string_list(JsonbContainer *arr, const char *where);
extern List *st_attributes_to_get(JsonbContainer *obj, const char *where);
extern int	st_field_int(JsonbContainer *obj, const char *name, int min, int max);

/*
 * Walking a request array or object, each element or member with its path
 * for errors (KeySchema[0], RequestItems.app ...).  The next functions
 * return NULL at the end.
 */
typedef struct StWalk
{
	JsonbIterator *it;
	const char *where;			/* the array's or object's path */
	int			n;				/* elements returned so far */
	JsonbValue	value;			/* the member st_walk_next_member returned */
} StWalk;

extern void st_walk_init(StWalk *w, JsonbContainer *container, const char *where);
extern JsonbContainer *st_walk_next_object(StWalk *w, const char *must_be,
										   const char *const *fields,
										   char **elem_where);
extern JsonbValue *st_walk_next_member(StWalk *w, const char *must_be,
									   const char *const *fields,
									   char **name, char **member_where);
pg_noreturn extern void st_null_request_error(const char *where);

/*
 * Raise ValidationException about the request field "where" (a path such
 * as RequestItems.app.Keys[2]); fmt is a string literal, the rest of the
 * sentence "invalid request field \"where\": ...".  A macro so that each
 * message is one whole format string, as translators need it.
 */
#define st_validation_error(where, fmt, ...) \
	do { \
		const char *st_where_ = (where); \
		ereport(ERROR, \
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE), \
				 errmsg("invalid request field \"%s\": " fmt, st_where_, ##__VA_ARGS__), \
				 errdetail("ValidationException: 1 validation error detected: %s: " fmt ".", \
						   st_where_, ##__VA_ARGS__))); \
	} while (0)

/*
 * DynamoDB's constraint list: every request-shape violation (a member that
 * must not be null, a length, a pattern, an enum, a range) is collected
 * while the request is walked and raised once, as DynamoDB reports them:
 * "2 validation errors detected: Value null at 'tableName' failed to
 * satisfy constraint: Member must not be null; ...".  At most
 * ST_MAX_VIOLATIONS are listed, as DynamoDB lists them (request.c).
 */
#define ST_MAX_VIOLATIONS 10

typedef struct StViolations
{
	int			n;				/* violations listed so far */
	StringInfoData list;		/* "a; b; c" */
	char	   *first_path;		/* the first violation's member path */
	char	   *first;			/* and its constraint */
} StViolations;

extern void st_violations_init(StViolations *v);
extern void st_violation(StViolations *v, const char *path,
						 const JsonbValue *value, const char *constraint);
extern void st_violations_raise(StViolations *v);
extern char *st_member_path(const char *prefix, const char *field);
extern bool st_check_required(StViolations *v, JsonbContainer *obj,
							  const char *field, const char *prefix,
							  JsonbValue *out);
#define ST_NAME_PATTERN_CONSTRAINT \
	"Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"

extern bool st_name_pattern(const char *s, int len);
extern bool st_is_dynamodb_name(const char *s, int len);
extern void st_check_name(StViolations *v, JsonbContainer *obj,
						  const char *field, const char *prefix, bool required);
extern void st_check_enum(StViolations *v, JsonbContainer *obj,
						  const char *field, const char *prefix,
						  bool required, const char *set);
extern void st_check_length(StViolations *v, JsonbContainer *obj,
							const char *field, const char *prefix,
							int min, int max);
extern void st_check_range(StViolations *v, JsonbContainer *obj,
						   const char *field, const char *prefix,
						   bool required, int64 min, int64 max);

/*
 * A call of one of the extension's SQL functions being built: "SELECT
 * singletable.f(" plus $n arguments, positional or named (request.c).
 */
typedef struct StSqlArgs
{
	StringInfoData sql;
	int			n;
	Oid			types[16];
	Datum		values[16];
	char		nulls[16];
} StSqlArgs;

extern void st_sql_args_init(StSqlArgs *a, const char *call);
extern void st_sql_arg(StSqlArgs *a, const char *name, Oid type, Datum value);
extern Jsonb *st_sql_run_jsonb(StSqlArgs *a, bool read_only);

#endif							/* SINGLETABLE_REQUEST_H */
