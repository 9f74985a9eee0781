/*
 * citus.h
 *	  Scale-out on Citus (citus.c): what the rest of the extension asks
 *	  about a table Citus distributes, and the few statements that differ
 *	  for one.  Nothing outside citus.c names a Citus catalog or function.
 */
#ifndef SINGLETABLE_CITUS_H
#define SINGLETABLE_CITUS_H

#include "utils/relcache.h"

#include "singletable.h"

/* singletable.create_distributed: create_table distributes the new table */
extern bool st_create_distributed;

extern void st_citus_define_settings(void);
extern bool st_citus_is_distributed(Oid relid);
extern char *st_citus_insert_source(StTable *t, const char *item, const char *from);
extern bool st_citus_write_needs_old_item(StTable *t);
extern void st_citus_write_indexes(StTable *t, Jsonb *old_item, Jsonb *new_item);
extern void st_citus_after_create_table(Oid relid);
extern void st_citus_before_drop_table(StTable *t);
extern void st_citus_check_supported(StTable *t, const char *what);
extern Oid	st_citus_shard_base_table(Relation rel);

#endif							/* SINGLETABLE_CITUS_H */
