/*
 * singletable.h
 *	  Shared definitions of the singletable extension: the catalog facts of a
 *	  singletable table (StTable), key handling, settings, and the entry
 *	  points each component offers the others.  Component headers (expr.h,
 *	  ...) hold what only one component and its callers need.
 *
 *	  Physical layout of a singletable table (see catalog.c):
 *
 *	    item jsonb NOT NULL CHECK (singletable.item_check(item))
 *	    pk   text COLLATE "C" | numeric | bytea  GENERATED ALWAYS AS (key of item)
 *	    sk   (same, absent for a hash-only table) GENERATED ALWAYS AS (...)
 *	    PRIMARY KEY (pk, sk)          -- btree; key queries are range scans on it
 *	    REPLICA IDENTITY FULL         -- so the change stream has old images
 *
 *	  The key columns are generated from the item, so no DML can make them
 *	  disagree with it; the generation functions validate the key attributes.
 */
#ifndef SINGLETABLE_H
#define SINGLETABLE_H

#include "postgres.h"
#include "access/attnum.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "errors.h"
#include "settings.h"

/*
 * A function that does not return: PostgreSQL 18 marks it with the prefix
 * pg_noreturn, earlier versions with the suffix pg_attribute_noreturn(),
 * which 18 removed.  The prefix works on every version with this.
 */
#ifndef pg_noreturn
#define pg_noreturn __attribute__((noreturn))
#endif

#define ST_MAX_PARTITION_KEY_BYTES	2048
#define ST_MAX_SORT_KEY_BYTES		1024
#define ST_MAX_NUMBER_DIGITS		38
/* query/scan "limit": DynamoDB's Limit is an integer of at least 1 */
#define ST_MAX_LIMIT				PG_INT32_MAX
/* DynamoDB's limit on a scan's TotalSegments */
#define ST_MAX_TOTAL_SEGMENTS		1000000
#define ST_MAX_ATTR_NAME_BYTES		65535	/* any attribute name in an item */
#define ST_MAX_NESTING_LEVELS		32	/* a top-level attribute is level 1 */

/* Column numbers of a singletable table (1-based attribute numbers). */
#define ST_ATTNUM_ITEM	1
#define ST_ATTNUM_PK	2
#define ST_ATTNUM_SK	3

/* DynamoDB's scalar key types. */
typedef enum StKeyType
{
	ST_KEY_S = 'S',				/* string: text COLLATE "C" (byte order) */
	ST_KEY_N = 'N',				/* number: numeric */
	ST_KEY_B = 'B'				/* binary: base64 text in the item, bytea column */
} StKeyType;

/* One global secondary index (issue: GSIs).  Filled by the catalog. */
typedef struct StIndex
{
	char	   *name;			/* index name, e.g. GSI1 */
	Oid			relid;			/* the index's own table */
	char	   *pk_attr;
	StKeyType	pk_type;
	char	   *sk_attr;		/* NULL when the index has no sort key */
	StKeyType	sk_type;
	char	   *projection;		/* ALL, KEYS_ONLY or INCLUDE */
	List	   *include;		/* list of char * for INCLUDE */
	TransactionId xmin;			/* of its catalog row: who created it */
	bool		creating;		/* CREATING: an online build is backfilling it */
	bool		row_updated;	/* its row is an UPDATE's (e.g. made ACTIVE) */
} StIndex;

/*
 * Catalog facts of one singletable table, cached per backend by
 * st_table_lookup() and invalidated by relcache invalidation of the table.
 * Allocated in CacheMemoryContext: treat as read-only and do not keep a
 * pointer across anything that may process invalidations.
 */
typedef struct StTable
{
	Oid			relid;
	char	   *schema_name;
	char	   *table_name;
	char	   *pk_attr;		/* partition key attribute name, e.g. PK */
	StKeyType	pk_type;
	char	   *sk_attr;		/* sort key attribute, NULL for hash-only */
	StKeyType	sk_type;
	Oid			pkey_index;		/* btree index on (pk[, sk]) */
	bool		row_security;	/* relrowsecurity: policies may apply */
	char	   *stream_view;	/* KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES */
	List	   *indexes;		/* StIndex *, in name order */
} StTable;

/*
 * What a query or scan reads: a base table or a GSI's own table.  Both keep
 * the (projected) item in column 1 and have a btree whose columns, in order,
 * are key_attnums: for a base table (pk[, sk]); for an index table the index
 * keys then the base table's keys, which makes every btree entry unique so
 * pagination over equal index keys neither loses nor repeats an item.
 * LastEvaluatedKey carries key_attrs[0..nkeys-1] taken from the item.
 */
#define ST_MAX_KEYSPACE_KEYS 4
typedef struct StKeySpace
{
	StTable    *table;			/* the base table */
	StIndex    *index;			/* NULL when reading the base table */
	Oid			relid;			/* heap to read */
	Oid			btree;			/* btree over key_attnums, in order */
	const char *pk_attr;		/* partition key the key condition must name */
	StKeyType	pk_type;
	const char *sk_attr;		/* sort key, NULL when none */
	StKeyType	sk_type;
	int			nkeys;			/* number of btree key columns */
	const char *key_attrs[ST_MAX_KEYSPACE_KEYS];
	StKeyType	key_types[ST_MAX_KEYSPACE_KEYS];
	AttrNumber	key_attnums[ST_MAX_KEYSPACE_KEYS];
} StKeySpace;

/*
 * query.c: the base table's keyspace; index_catalog.c: an index's keyspace,
 * false when the table has no index of that name (both locked on return)
 */
extern void st_keyspace_for_table(StTable *table, StKeySpace *ks);
extern bool st_keyspace_for_index(Oid relid, const char *index_name, StKeySpace *ks);

/* catalog.c */
extern bool st_owns_table(Oid relid);
extern StTable *st_table_lookup(Oid relid, bool missing_ok);
extern StTable *st_table_lookup_for_index_relid(Oid index_relid, StIndex **index);
extern StIndex *st_table_find_index(StTable *table, const char *index_name);
extern void st_table_invalidate(Oid relid);
extern const char *st_key_column_type_sql(StKeyType type);
extern char *st_key_column_sql(const char *column, const char *attr, StKeyType type, bool is_partition);
/* st_parse_qualified_name: a table name as SQL writes one */
typedef enum StNameStatus
{
	ST_NAME_OK,
	ST_NAME_INVALID,			/* not a name, or an empty part */
	ST_NAME_TOO_LONG			/* a part over NAMEDATALEN - 1 bytes */
} StNameStatus;
extern StNameStatus st_parse_qualified_name(const char **p, char stop, List **parts);
pg_noreturn extern void st_table_name_too_long(const char *name);

/* index_layout.c: the progress of an index's online build, if it had one */
typedef struct StBuildProgress
{
	int64		items_total;	/* estimated when the build started */
	int64		items_done;		/* items examined so far */
	int64		violations;		/* items left out for invalid index keys */
	bool		finished;
} StBuildProgress;
extern bool st_index_build_progress(Oid index_relid, StBuildProgress *progress);

/* index_trigger.c: apply one base row change to every GSI of the table */
extern void st_index_maintain_row(Relation base, StTable *table,
								  Jsonb *olditem, Datum old_pk, Datum old_sk,
								  Jsonb *newitem, Datum new_pk, Datum new_sk);

/* keys.c: key attributes and item validation */
extern void st_validate_item(Jsonb *item);
extern Datum st_sql_item_check(PG_FUNCTION_ARGS);	/* the CHECK constraint */
extern void st_check_item_size(Jsonb *item);
extern void st_validate_item_shape(Jsonb *item);
extern Datum st_key_datum(Jsonb *item, const char *attr, StKeyType type,
						  int max_bytes, bool is_partition, bool *isnull, bool missing_ok);
extern Datum st_key_datum_from_value(JsonbValue *v, const char *attr, StKeyType type,
									 int max_bytes, bool is_partition);
extern void st_item_key_datums(StTable *t, Jsonb *item, Datum *keys);
extern Jsonb *st_item_key(StTable *table, Jsonb *item);
extern Oid	st_key_type_oid(StKeyType type);
extern Oid	st_key_collation(StKeyType type);
extern RegProcedure st_key_eq_proc(StKeyType type);
extern RegProcedure st_key_cmp_proc(StKeyType type);
extern StKeyType st_parse_key_type(const char *s, const char *what);
/* Look up a top-level attribute of an item into *result; NULL when absent. */
extern JsonbValue *st_get_attr(Jsonb *item, const char *name, JsonbValue *result);
extern Size st_item_size(Jsonb *item);
extern const char *st_value_type_name(const JsonbValue *v);
extern void st_validate_number(Numeric num, const char *attr);
extern JsonbValue *st_key_datum_to_jsonbvalue(Datum d, StKeyType type, JsonbValue *out);
/* canonical base64 only; dst holds pg_b64_dec_len(len); -1 when not canonical */
extern int	st_b64_decode(const char *src, int len, char *dst);
pg_noreturn extern void st_nesting_too_deep(const char *attr);

/*
 * plans.c: kept SPI plans per table.  A component names its statements by
 * its builder function and a kind number; st_item_plan() serves the item
 * statements every writer shares.
 */
#define ST_PLAN_MAX_ARGS 8
typedef char *(*StPlanBuilder) (StTable *table, int kind, Oid *argtypes, int *nargs);

typedef enum StItemStatement
{
	ST_STMT_UPSERT,				/* INSERT (item) .. ON CONFLICT DO UPDATE; $1 item */
	ST_STMT_UPSERT_MANY,		/* the same over unnest($1 jsonb[]) */
	ST_STMT_INSERT_IF_ABSENT,	/* INSERT .. ON CONFLICT DO NOTHING; $1 item */
	ST_STMT_LOCK,				/* SELECT item .. FOR UPDATE; $1[, $2] key */
	ST_STMT_UPDATE,				/* UPDATE .. SET item = $n; key, then item */
	ST_STMT_DELETE,				/* DELETE .. RETURNING item; key */
	ST_STMT_DELETE_QUIET,		/* DELETE without RETURNING; key */
	ST_STMT_SELECT				/* SELECT item; key */
} StItemStatement;

extern SPIPlanPtr st_table_plan(StTable *table, StPlanBuilder build, int kind);
extern SPIPlanPtr st_item_plan(StTable *table, StItemStatement stmt);

/* typedjson.c: DynamoDB typed JSON ({"S":..}, {"N":..}, {"M":..} ...) */
extern Jsonb *st_to_typed_item(Jsonb *item);
extern const char *st_plain_type_name(const JsonbValue *v);
extern Jsonb *st_from_typed_item(Jsonb *typed);
extern void st_append_typed_item_text(StringInfo out, Jsonb *item);
/* whole items into a JsonbParseState (next value, or the root: returned) */
extern JsonbValue *st_push_typed_item(JsonbParseState **state, Jsonb *item);
extern JsonbValue *st_push_plain_item(JsonbParseState **state, Jsonb *typed);
/*
 * Single attribute values.  Containers may be jbvBinary or built in memory;
 * results are scalars or jbvBinary.  path names the value in errors (":v",
 * "a.b[2]"; NULL for none).
 */
extern JsonbValue *st_plain_value_to_typed(JsonbValue *plain);
extern JsonbValue *st_typed_value_to_plain(JsonbValue *typed, const char *path);
extern void st_push_typed_value(JsonbParseState **state, JsonbValue *plain);
extern void st_push_plain_value(JsonbParseState **state, JsonbIteratorToken seq,
								JsonbValue *typed, const char *path);

#endif							/* SINGLETABLE_H */
