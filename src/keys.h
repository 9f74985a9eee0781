/*
 * keys.h
 *	  Key attributes and item validation (keys.c): DynamoDB's key types and
 *	  limits, the key Datums of an item, the shape and size rules of items.
 */
#ifndef SINGLETABLE_KEYS_H
#define SINGLETABLE_KEYS_H

#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "singletable.h"

#define ST_MAX_PARTITION_KEY_BYTES	2048
#define ST_MAX_SORT_KEY_BYTES		1024
#define ST_MAX_NUMBER_DIGITS		38
#define ST_MAX_ATTR_NAME_BYTES		65535	/* any attribute name in an item */
#define ST_MAX_NESTING_LEVELS		32	/* a top-level attribute is level 1 */

/* DynamoDB's scalar key types. */
typedef enum StKeyType
{
	ST_KEY_S = 'S',				/* string: text COLLATE "C" (byte order) */
	ST_KEY_N = 'N',				/* number: numeric */
	ST_KEY_B = 'B'				/* binary: {"$B": base64} in the item, bytea column */
} StKeyType;

struct StTable;					/* catalog.h */
struct ScanKeyData;				/* access/skey.h */

extern void st_validate_item(Jsonb *item);
extern void st_check_item_size(Jsonb *item);
extern void st_check_updated_item_size(Jsonb *item);
extern void st_validate_item_shape(Jsonb *item);
extern Datum st_key_datum(Jsonb *item, const char *attr, StKeyType type,
						  int max_bytes, bool is_partition, bool *isnull, bool missing_ok);
extern Datum st_key_datum_from_value(JsonbValue *v, const char *attr, StKeyType type,
									 int max_bytes, bool is_partition);
extern Datum st_key_param_datum(JsonbValue *v, const char *attr, StKeyType type,
								int max_bytes, bool is_partition);
extern bool st_key_scalar(const JsonbValue *v, StKeyType type, JsonbValue *out);
extern void st_item_key_datums(struct StTable *t, Jsonb *item, Datum *keys);
extern void st_batch_item_key_datums(struct StTable *t, Jsonb *item, Datum *keys);
extern Jsonb *st_item_key(struct StTable *table, Jsonb *item);
extern Oid	st_key_type_oid(StKeyType type);
extern Oid	st_key_collation(StKeyType type);
extern RegProcedure st_key_eq_proc(StKeyType type);
extern RegProcedure st_key_ge_proc(StKeyType type);
extern int	st_key_scankeys(struct StTable *t, const Datum *keys, struct ScanKeyData *skey);
extern RegProcedure st_key_cmp_proc(StKeyType type);
extern StKeyType st_parse_key_type(const char *s, const char *what);
/* Look up a top-level attribute of an item into *result; NULL when absent. */
extern JsonbValue *st_get_attr(Jsonb *item, const char *name, JsonbValue *result);
extern Size st_item_size(Jsonb *item);
extern Size st_item_page_size(Jsonb *item, const char *sort_key);
extern const char *st_value_type_name(const JsonbValue *v);
extern JsonbValue *st_key_datum_to_jsonbvalue(Datum d, StKeyType type, JsonbValue *out);
pg_noreturn extern void st_nesting_too_deep(const char *attr);

/* the SQL of key columns and their values (generated columns, CHECKs) */
extern const char *st_key_column_type_sql(StKeyType type);
extern char *st_key_column_sql(const char *column, const char *attr, StKeyType type, bool is_partition);
extern char *st_key_expr_sql(const char *item, const char *attr, StKeyType type, bool is_partition);

/* the CHECK constraint of a singletable table (item_check) */
extern Datum st_sql_item_check(PG_FUNCTION_ARGS);

#endif							/* SINGLETABLE_KEYS_H */
