/*
 * key_cursor.h
 *	  Finding many items of a table by primary key with one index scan,
 *	  for the batches (key_cursor.c).
 */
#ifndef SINGLETABLE_KEY_CURSOR_H
#define SINGLETABLE_KEY_CURSOR_H

#include "access/genam.h"
#include "access/skey.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"

#include "catalog.h"

/*
 * The scan of one table's primary key and where it stands.  key_cursor.c
 * says what each seek costs and what a caller writing between seeks must
 * do.
 */
typedef struct StKeyCursor
{
	StTable    *table;
	IndexScanDesc scan;
	FmgrInfo	pk_cmp;			/* the partition key type's btree comparison */
	Oid			pk_collation;
	FmgrInfo	sk_cmp;			/* the sort key type's */
	Oid			sk_collation;
	bool		positioned;		/* the scan reads run_pk from a sort key on */
	Datum		run_pk;			/* the partition key it reads */
	Datum		last_sk;		/* the sort key of the last seek */
	bool		have_entry;		/* the scan's current entry is not consumed */
	bool		exhausted;		/* no entry of run_pk is left after it */
} StKeyCursor;

extern void st_key_cursor_begin(StKeyCursor *c, StTable *t, Relation heap, Relation pkey,
								Snapshot snapshot);
extern bool st_key_cursor_seek(StKeyCursor *c, const Datum *keys, TupleTableSlot *slot);
extern void st_key_cursor_end(StKeyCursor *c);

#endif							/* SINGLETABLE_KEY_CURSOR_H */
