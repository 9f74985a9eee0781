/*
 * catalog.h
 *	  The catalog of singletable tables (catalog.c): the facts of a table and
 *	  its indexes (StTable, StIndex), cached per backend, and the names and
 *	  key columns create_table writes.
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
#ifndef SINGLETABLE_CATALOG_H
#define SINGLETABLE_CATALOG_H

#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "nodes/pg_list.h"

#include "keys.h"
#include "singletable.h"

/* Column numbers of a singletable table (1-based attribute numbers). */
#define ST_ATTNUM_ITEM	1
#define ST_ATTNUM_PK	2
#define ST_ATTNUM_SK	3

/* One secondary index, global or local.  Filled by the catalog. */
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
	bool		local;			/* a local secondary index (LSI) */
} StIndex;

/*
 * Column numbers of singletable.tables and singletable.indexes
 * (00_catalog.sql), for the C code that reads their rows (catalog.c, the
 * change stream's decoder).  In both, the partition key is followed by its
 * type, the sort key and its type (st_catalog_row_key_schema relies on it).
 */
#define Anum_tables_relid				1
#define Anum_tables_partition_key		2
#define Anum_tables_partition_key_type	3
#define Anum_tables_sort_key			4
#define Anum_tables_sort_key_type		5
#define Anum_tables_stream_view			6
#define Anum_tables_stream_specified	9
#define Anum_tables_name				10
#define Anum_tables_throughput			11

#define Anum_indexes_relid				1
#define Anum_indexes_index_name			2
#define Anum_indexes_index_relid		3
#define Anum_indexes_partition_key		4
#define Anum_indexes_partition_key_type 5
#define Anum_indexes_sort_key			6
#define Anum_indexes_sort_key_type		7
#define Anum_indexes_projection			8
#define Anum_indexes_include			9
#define Anum_indexes_status				10
#define Anum_indexes_local				11

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
	char	   *table_name;		/* the relation's name */
	char	   *name;			/* DynamoDB name (TableName): see catalog.c */
	char	   *pk_attr;		/* partition key attribute name, e.g. PK */
	StKeyType	pk_type;
	char	   *sk_attr;		/* sort key attribute, NULL for hash-only */
	StKeyType	sk_type;
	Oid			pkey_index;		/* btree index on (pk[, sk]) */
	bool		row_security;	/* relrowsecurity: policies may apply */
	char	   *stream_view;	/* KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES */
	bool		stream_specified;	/* described with a StreamSpecification */
	List	   *indexes;		/* StIndex *, in name order */
	bool		distributed;	/* Citus keeps its rows elsewhere (citus.c) */
} StTable;

/* catalog.c */
extern bool st_owns_table(Oid relid);
extern StTable *st_table_lookup(Oid relid, bool missing_ok);
extern StTable *st_table_arg(FunctionCallInfo fcinfo, int n);
extern StTable *st_table_lookup_for_index_relid(Oid index_relid, StIndex **index);
extern StIndex *st_table_find_index(StTable *table, const char *index_name);
extern void st_table_invalidate(Oid relid);
struct StStateSlot;				/* table_state.h */
extern void st_table_reset_state(struct StStateSlot *slot);
extern void st_key_schema_args(Datum *args, char *nulls, const char *pk_attr, StKeyType pk_type,
							   const char *sk_attr, StKeyType sk_type);
/* st_parse_qualified_name: a table name as SQL writes one */
typedef enum StNameStatus
{
	ST_NAME_OK,
	ST_NAME_INVALID,			/* not a name, or an empty part */
	ST_NAME_TOO_LONG			/* a part over NAMEDATALEN - 1 bytes */
} StNameStatus;
extern StNameStatus st_parse_qualified_name(const char **p, char stop, List **parts);
extern StNameStatus st_parse_table_name(const char **p, List **parts);

/* DynamoDB names of tables (catalog.c): at most this many bytes */
#define ST_MAX_NAME_LEN 255
extern char *st_mapped_relname(const char *name);
extern Oid	st_table_relid_by_name(const char *name);
extern bool st_table_name_in_schema(const char *name, Oid nspid);
pg_noreturn extern void st_table_name_too_long(const char *name);

/* a catalog row's key schema (st_catalog_row_key_schema) */
typedef struct StKeySchema
{
	char	   *pk_attr;
	StKeyType	pk_type;
	char	   *sk_attr;		/* NULL without a sort key */
	StKeyType	sk_type;
} StKeySchema;

extern void st_catalog_row_key_schema(HeapTuple tup, TupleDesc desc, AttrNumber first,
									  StKeySchema *ks);

#endif							/* SINGLETABLE_CATALOG_H */
