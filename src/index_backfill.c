/*
 * index_backfill.c
 *	  Filling a new global secondary index from its populated base table, in
 *	  the transaction of create_index.
 *
 *	  create_index holds SHARE ROW EXCLUSIVE on the base table, so no write
 *	  is in progress: every earlier writer has committed or aborted, every
 *	  later one waits and then finds the maintenance trigger.  The scan uses
 *	  a fresh snapshot taken after the lock, so that it sees the writers the
 *	  lock waited for even when the transaction's own snapshot is older.
 *	  Items whose index key attributes are invalid (wrong type, empty, too
 *	  long) are left out, as DynamoDB's backfill leaves out its "index key
 *	  violations"; the caller reports how many.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "catalog.h"
#include "index.h"
#include "keys.h"

/*
 * Is an item that has no entry in the index left out for an invalid index
 * key (DynamoDB's "index key violation"), rather than for lacking one?
 */
bool
st_index_key_violation(StIndex *index, Jsonb *item)
{
	JsonbValue	v;

	return st_get_attr(item, index->pk_attr, &v) != NULL &&
		(index->sk_attr == NULL || st_get_attr(item, index->sk_attr, &v) != NULL);
}

/*
 * Insert the entries of every item of the base table into the index.
 * Returns the number of entries written; *skipped counts the items left
 * out for invalid index keys.
 */
int64
st_index_backfill(StTable *table, StIndex *index, int64 *skipped)
{
	StIndexLayout layout;
	Relation	base;
	Relation	irel;
	Relation	ibtree;
	TableScanDesc scan;
	HeapTuple	tup;
	Snapshot	snapshot;
	MemoryContext rowcxt;
	MemoryContext old;
	TupleDesc	desc;
	bool		has_sk = table->sk_attr != NULL;
	int64		written = 0;

	*skipped = 0;
	st_index_layout(table, index, &layout);
	base = table_open(table->relid, ShareRowExclusiveLock);
	irel = table_open(index->relid, RowExclusiveLock);
	ibtree = index_open(st_index_table_btree(irel), RowExclusiveLock);
	desc = RelationGetDescr(base);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "singletable backfill",
								   ALLOCSET_DEFAULT_SIZES);

	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(base, snapshot, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		StIndexEntry entry;
		bool		isnull;
		Datum		d;
		Datum		pk;
		Datum		sk = (Datum) 0;
		Jsonb	   *item;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(rowcxt);
		d = heap_getattr(tup, ST_ATTNUM_ITEM, desc, &isnull);
		if (!isnull)
		{
			item = DatumGetJsonbP(d);
			pk = heap_getattr(tup, ST_ATTNUM_PK, desc, &isnull);
			if (has_sk)
				sk = heap_getattr(tup, ST_ATTNUM_SK, desc, &isnull);
			if (st_index_entry(table, index, &layout, item, pk, sk, false, &entry))
			{
				st_index_insert_entry(irel, ibtree, &layout, &entry);
				written++;
			}
			else if (st_index_key_violation(index, item))
				(*skipped)++;
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	MemoryContextDelete(rowcxt);
	index_close(ibtree, NoLock);
	table_close(irel, NoLock);
	table_close(base, NoLock);
	return written;
}
