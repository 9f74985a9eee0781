/*
 * key_cursor.c
 *	  Finding many items of a table by primary key with one index scan.
 *	  A batch of single-table design usually asks for items of one
 *	  partition, in sort key order (batch_write writes in key order; a
 *	  batch_get of a partition's items lists them so).  Looking each up
 *	  with a scan of its own descends the btree once per key; the cursor
 *	  instead reads the primary key forward from the first of them, as the
 *	  inner side of a merge join is read, so that a run of keys costs one
 *	  descent and a step along the leaf pages per key.
 *
 *	  A seek for a key that is not after the last one sought, or in
 *	  another partition, or more than MAX_SKIPPED entries after where the
 *	  scan stands, starts the scan again at that key: one descent, as a
 *	  lookup by key costs.  So a seek is never dearer than a lookup by more
 *	  than a few comparisons, and keys far apart in a big partition do not
 *	  read the entries between them.  A table without a sort key has one
 *	  item per partition: every seek is a lookup.
 *
 *	  The scan returns index tuples (xs_want_itup): an entry's sort key is
 *	  compared there, and only an entry with the key sought has its heap
 *	  tuple fetched (the first version the snapshot sees, as a lookup
 *	  returns).  The first entry after the key sought is kept for the next
 *	  seek.
 *
 *	  What the scan read of a leaf page is the page as it was then.  Under
 *	  an MVCC snapshot that changes nothing (the rows the snapshot sees
 *	  were there before the scan), provided the caller writes nothing
 *	  between seeks (batch_get).  Under a dirty snapshot (items_direct.c's
 *	  puts) a row inserted by another transaction on a page already read is
 *	  not seen: the caller's write then finds it, as ON CONFLICT does (its
 *	  speculative insertion meets the key, or its update finds the row
 *	  changed), and it seeks the same key again: a seek that is not after the
 *	  last one starts the scan again, so looking again (after a conflict,
 *	  or after waiting for a writer) is always a fresh lookup.  Rows the
 *	  caller writes itself have keys the cursor has passed.
 *
 *	  The key Datums of a seek must stay valid until the next seek.
 */
#include "postgres.h"

#include "access/nbtree.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "miscadmin.h"

#include "key_cursor.h"
#include "keys.h"
#include "singletable.h"

/*
 * Entries a seek steps over before it starts the scan again at its key:
 * a step and a comparison cost a few hundred instructions, a descent of
 * the primary key some thousands.
 */
#define MAX_SKIPPED 16

/* Open the cursor's scan of pkey, the primary key of heap. */
void
st_key_cursor_begin(StKeyCursor *c, StTable *t, Relation heap, Relation pkey, Snapshot snapshot)
{
	memset(c, 0, sizeof(StKeyCursor));
	c->table = t;
	c->scan = st_index_beginscan(heap, pkey, snapshot, t->sk_attr ? 2 : 1, 0);
	c->scan->xs_want_itup = true;
	fmgr_info(st_key_cmp_proc(t->pk_type), &c->pk_cmp);
	c->pk_collation = st_key_collation(t->pk_type);
	if (t->sk_attr)
	{
		fmgr_info(st_key_cmp_proc(t->sk_type), &c->sk_cmp);
		c->sk_collation = st_key_collation(t->sk_type);
	}
}

void
st_key_cursor_end(StKeyCursor *c)
{
	index_endscan(c->scan);
	c->scan = NULL;
}

/* Start the scan at keys: the row with that key, for a hash-only table. */
static void
restart(StKeyCursor *c, const Datum *keys)
{
	StTable    *t = c->table;
	ScanKeyData skey[2];
	int			nkeys = st_key_scankeys(t, keys, skey);

	if (t->sk_attr)
		ScanKeyEntryInitialize(&skey[1], 0, 2, BTGreaterEqualStrategyNumber,
							   InvalidOid, c->sk_collation,
							   st_key_ge_proc(t->sk_type), keys[1]);
	index_rescan(c->scan, skey, nkeys, NULL, 0);
	c->positioned = t->sk_attr != NULL;
	c->run_pk = keys[0];
	c->have_entry = false;
	c->exhausted = false;
}

/* Is keys after the last key sought, in its partition? */
static bool
continues_run(StKeyCursor *c, const Datum *keys)
{
	return c->positioned &&
		DatumGetInt32(FunctionCall2Coll(&c->sk_cmp, c->sk_collation, keys[1], c->last_sk)) > 0 &&
		DatumGetInt32(FunctionCall2Coll(&c->pk_cmp, c->pk_collation, keys[0], c->run_pk)) == 0;
}

/*
 * Find the row with the key column Datums keys (as st_item_key_datums
 * computes them): returns true with the first version of it the scan's
 * snapshot sees in slot, false when there is none.  Under a dirty
 * snapshot the snapshot's xmin, xmax and speculativeToken describe the
 * version returned, as after index_getnext_slot.
 */
bool
st_key_cursor_seek(StKeyCursor *c, const Datum *keys, TupleTableSlot *slot)
{
	IndexScanDesc scan = c->scan;
	int			skipped = 0;

	if (!continues_run(c, keys))
		restart(c, keys);
	c->last_sk = c->table->sk_attr ? keys[1] : (Datum) 0;
	for (;;)
	{
		bool		isnull;
		int32		cmp;

		CHECK_FOR_INTERRUPTS();
		if (!c->have_entry)
		{
			if (c->exhausted || index_getnext_tid(scan, ForwardScanDirection) == NULL)
			{
				c->exhausted = true;
				return false;
			}
			c->have_entry = true;
		}
		/* a hash-only table's scan returns the key's entries only */
		cmp = 0;
		if (c->table->sk_attr)
			cmp = DatumGetInt32(FunctionCall2Coll(&c->sk_cmp, c->sk_collation,
												  index_getattr(scan->xs_itup, 2, scan->xs_itupdesc, &isnull),
												  keys[1]));
		if (cmp > 0)
			return false;		/* the entry is kept for a later key */
		c->have_entry = false;
		if (cmp < 0)
		{
			if (++skipped > MAX_SKIPPED)
			{
				restart(c, keys);
				skipped = 0;
			}
			continue;
		}
		/*
		 * The first version of this entry's chain the snapshot sees, as a
		 * lookup returns (index_getnext_tid and index_rescan clear
		 * xs_heap_continue, so a fetch always starts at its entry).
		 */
		if (index_fetch_heap(scan, slot))
			return true;
	}
}
