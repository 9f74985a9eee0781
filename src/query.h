/*
 * query.h
 *	  Queries and scans (query.c): their limits and what one reads, a base
 *	  table's or an index's key space.
 */
#ifndef SINGLETABLE_QUERY_H
#define SINGLETABLE_QUERY_H

#include "access/attnum.h"
#include "nodes/pg_list.h"

#include "catalog.h"
#include "keys.h"

/* query/scan "limit": DynamoDB's Limit is an integer of at least 1 */
#define ST_MAX_LIMIT				PG_INT32_MAX
/* DynamoDB's limit on a scan's TotalSegments */
#define ST_MAX_TOTAL_SEGMENTS		1000000

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

/*
 * query.c: set by execute() for ReturnConsumedCapacity: the next query and
 * scan pages measure what they read, DynamoDB's size of the items (or
 * index entries) in st_last_page_bytes, and the 4 KB blocks of the items
 * a local index read fetched from the table, each rounded up, in
 * st_last_page_fetched_blocks
 */
extern bool st_measure_page;
extern Size st_last_page_bytes;
extern Size st_last_page_fetched_blocks;

/*
 * query.c: set by execute() for Select ALL_ATTRIBUTES; the next query or
 * scan of a local secondary index then returns the table's whole items.
 * Cleared when that query or scan starts.
 */
extern bool st_read_all_attributes;

/*
 * query.c: set by execute() for legacy KeyConditions: the attributes whose
 * operator is not a key's (NULL, IN ...), passed to query() as equalities.
 * The next query refuses them when it reaches them in the key schema
 * ("Attempted conditional constraint is not an indexable operation"), after
 * the checks DynamoDB makes first.  Cleared when that query starts.
 */
extern List *st_key_not_indexable;
/* query.c: a parallel scan's Segment and TotalSegments, as DynamoDB checks them */
extern void st_check_scan_segments(bool has_segment, int32 segment, bool has_total, int32 total);

#endif							/* SINGLETABLE_QUERY_H */
