/*
 * citus.h
 *	  Scale-out on Citus: what the rest of the extension asks about a table
 *	  Citus distributes (citus_layout.c, below the catalog), and the index
 *	  maintenance and table hooks of the distributed commands (citus.c).
 *	  Nothing outside these two files names a Citus catalog or function.
 */
#ifndef SINGLETABLE_CITUS_H
#define SINGLETABLE_CITUS_H

#include "datatype/timestamp.h"
#include "utils/relcache.h"

#include "catalog.h"

/* citus_layout.c */
extern bool st_citus_is_distributed(Oid relid);
extern char *st_citus_insert_source(StTable *t, const char *item, const char *from);
extern bool st_citus_write_needs_old_item(StTable *t);
extern Oid	st_citus_shard_base_table(Relation rel);
extern bool st_citus_size_and_count(Oid relid, int64 *bytes, int64 *count);
extern int	st_citus_begin_sole_write(StTable *t, FunctionCallInfo fcinfo);
extern void st_citus_end_sole_write(int level);

/* citus.c */
extern StTable *st_citus_lock_for_write(StTable *t);
extern void st_citus_write_indexes(StTable *t, Jsonb *old_item, Jsonb *new_item);
extern int64 st_citus_create_index(StTable *t, StIndex *ix, int64 *skipped);
extern void st_citus_distribute_index(StTable *t, StIndex *ix);
extern int64 st_citus_backfill_batch(StTable *t, StIndex *ix, Datum *resume, int batch_size,
									 Datum *last, int64 *violations, bool *exhausted);
struct StTtlPass;
extern int	st_citus_expire_batch(StTable *t, const char *attr, struct StTtlPass *pass, int limit,
								  TimestampTz now);
extern void st_citus_after_create_table(Oid relid);
extern void st_citus_before_drop_table(StTable *t);

#endif							/* SINGLETABLE_CITUS_H */
