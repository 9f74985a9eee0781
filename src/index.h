/*
 * index.h
 *	  Global secondary indexes, private to index_*.c (but for the build
 *	  progress describe_table shows and the index key space of query.h):
 *
 *	  index_catalog.c   create_index, drop_index and
 *	                    st_keyspace_for_index() for query.c
 *	  index_layout.c    the layout of an index table, its btree and the
 *	                    progress of its online build (no DDL)
 *	  index_trigger.c   the C trigger functions that maintain index tables
 *	                    on the base table's INSERT/UPDATE/DELETE/TRUNCATE,
 *	                    and the computation of one item's index entry
 *	  index_backfill.c  filling a new index from a populated table
 *	  index_online.c    online builds: the background worker that backfills
 *	                    a CREATING index in batches while writers write
 *	  index_alter.c     index tables following ALTER TABLE of their base
 *	                    table (owner, schema, name, LOGGED/UNLOGGED)
 *
 *	  An index table is
 *	    item   jsonb NOT NULL    -- the projected item
 *	    gsi_pk <key type>        -- the index's partition key
 *	    gsi_sk <key type>        -- the index's sort key (when it has one)
 *	    pk     <key type>        -- the base table's partition key, unless
 *	                                the index key already is that attribute
 *	    sk     <key type>        -- the base table's sort key, likewise
 *	    PRIMARY KEY (every key column, in this order)
 *	  Key columns hold distinct attributes, so the primary key is unique
 *	  per base item and a query's LastEvaluatedKey has distinct names.
 */
#ifndef SINGLETABLE_INDEX_H
#define SINGLETABLE_INDEX_H

#include "access/attnum.h"
#include "storage/itemptr.h"
#include "utils/relcache.h"

#include "catalog.h"
#include "keys.h"
#include "query.h"

#define ST_INDEX_TRIGGER_NAME	"singletable_index_maintenance"
#define ST_INDEX_TRUNCATE_TRIGGER_NAME "singletable_index_truncate"

/* DynamoDB's limits */
#define ST_MAX_INDEXES_PER_TABLE	20	/* global ones */
#define ST_MAX_LOCAL_INDEXES_PER_TABLE	5
#define ST_MAX_INCLUDE_ATTRS		100

/* Where an index table's key column takes its value from. */
typedef enum StIndexColumnSource
{
	ST_IXCOL_INDEX_PK,			/* the item's index partition key attribute */
	ST_IXCOL_INDEX_SK,			/* the item's index sort key attribute */
	ST_IXCOL_BASE_PK,			/* the base row's pk column */
	ST_IXCOL_BASE_SK			/* the base row's sk column */
} StIndexColumnSource;

/* The key columns of an index table; they are attributes 2 .. ncols + 1. */
typedef struct StIndexLayout
{
	int			ncols;
	const char *column[ST_MAX_KEYSPACE_KEYS];	/* gsi_pk, gsi_sk, pk, sk */
	const char *attr[ST_MAX_KEYSPACE_KEYS];
	StKeyType	type[ST_MAX_KEYSPACE_KEYS];
	StIndexColumnSource source[ST_MAX_KEYSPACE_KEYS];
} StIndexLayout;

/* index_layout.c */
extern void st_index_layout(StTable *table, StIndex *index, StIndexLayout *layout);
extern Oid	st_index_table_btree(Relation irel);

/*
 * index_layout.c, for describe_table (catalog.c): the progress of an
 * index's online build, if it had one
 */
typedef struct StBuildProgress
{
	int64		items_total;	/* estimated when the build started */
	int64		items_done;		/* items examined so far */
	int64		violations;		/* items left out for invalid index keys */
	bool		finished;
} StBuildProgress;
extern bool st_index_build_progress(Oid index_relid, StBuildProgress *progress);

/* index_catalog.c */
extern void st_index_check_owner(Oid relid);
/* (and execute_table.c's, for CreateTable's LocalSecondaryIndexes) */
extern void st_index_check_local(const char *table_pk, const char *table_sk,
								 const char *index_name, const char *pk_attr,
								 const char *sk_attr);

/* index_trigger.c */

/*
 * One item's entry in an index: values[0] the projected item, values[1..]
 * the key columns.  st_index_entry() returns false when the item is not in
 * the index (an index key attribute is missing, or, when !strict, invalid);
 * when strict an invalid index key attribute raises ValidationException.
 * base_pk/base_sk are the base row's key column Datums.
 */
typedef struct StIndexEntry
{
	Datum		values[1 + ST_MAX_KEYSPACE_KEYS];
	bool		nulls[1 + ST_MAX_KEYSPACE_KEYS];
} StIndexEntry;

extern bool st_index_entry(StTable *table, StIndex *index, const StIndexLayout *layout,
						   Jsonb *item, Datum base_pk, Datum base_sk, bool strict,
						   StIndexEntry *entry);
extern void st_index_insert_entry(Relation irel, Relation ibtree,
								  const StIndexLayout *layout, StIndexEntry *entry);
extern bool st_index_find_entry(Relation irel, Relation ibtree, const StIndexLayout *layout,
								StIndexEntry *entry, ItemPointer tid);
extern void st_index_check_table(Relation base, Relation irel, StIndex *ix,
							  const StIndexLayout *layout);

/* index_backfill.c */
extern int64 st_index_backfill(StTable *table, StIndex *index, int64 *skipped);
extern bool st_index_key_violation(StIndex *index, Jsonb *item);

/* index_online.c */
extern void st_index_online_start(Oid relid, Oid index_relid, TransactionId wait_for);

/* index_trigger.c: apply one base row change to every GSI of the table */
extern void st_index_maintain_row(Relation base, StTable *table,
								  Jsonb *olditem, Datum old_pk, Datum old_sk,
								  Jsonb *newitem, Datum new_pk, Datum new_sk);

#endif							/* SINGLETABLE_INDEX_H */
