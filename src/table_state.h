/*
 * table_state.h
 *	  Per-table state of a backend: one hash keyed by relation OID, in a
 *	  child of CacheMemoryContext, with one relcache invalidation callback,
 *	  where each component that keeps something per table has a slot:
 *
 *	    ST_STATE_TABLE	catalog.c: the table's catalog facts (StTable)
 *	    ST_STATE_PLANS	plans.c: its kept SPI plans
 *	    ST_STATE_DIRECT	items_direct.c: may the direct path write it, and
 *				what it keeps for the writes (range tables, IndexInfos)
 *	    ST_STATE_EVENTS	eventstore.c: its events-by-type setting
 *	    ST_STATE_STREAM	stream_decode.c: the decoder's view of the relation
 *
 *	  Each component keeps its own data type behind its slot; none keeps a
 *	  hash or an invalidation callback of its own.
 *
 *	  Relcache invalidation of a relation (DDL on it, and every change the
 *	  extension makes to its catalog rows: st_table_invalidate) clears the
 *	  valid flag of every slot of its entry, and of every slot that depends
 *	  on it (st_table_state_depend); invalidation of all relations clears
 *	  them all.  The decoder keys its slot by relation OID too: under the
 *	  historic snapshot a relation keeps its OID (a new relfilenode after
 *	  TRUNCATE or VACUUM FULL changes nothing here), and the reorder buffer
 *	  replays the decoded transactions' invalidations through the same
 *	  callback.  It does not use the other slots of an entry, which hold the
 *	  catalog as it is now rather than as of the change being decoded.
 *
 *	  Rules, since invalidation can arrive whenever a lock is taken or SPI
 *	  runs, that is while a caller is using a slot's data:
 *	  - The callback only clears flags and counts; it never frees or calls
 *	    a component.
 *	  - A slot's owner finds it invalid at its next st_table_state_slot()
 *	    call, which first runs the owner's reset function on it (outside the
 *	    callback).  A reset must not free what a caller up the stack may
 *	    still hold: catalog.c retires an old StTable's context to the top
 *	    transaction's, plans.c only marks each plan stale and frees it at its
 *	    own next use, eventstore.c keeps its EsTable and frees only the
 *	    strings, stream_decode.c keeps its entry and resets its strings.
 *	    items_direct.c retires its state's context as catalog.c does.
 *	  - A loader that may see invalidations while it reads (a lock waited
 *	    for, SPI) compares st_table_state_invalidations() before and after
 *	    and loads again when it changed, so that a catalog read with an
 *	    older snapshot is never cached as valid.
 *	  - An entry is removed only by st_table_state_forget() and
 *	    st_table_state_clear(), and only when every slot is empty (value
 *	    0).  So a slot pointer stays valid while the slot holds a value; an
 *	    owner whose slot is empty while it calls out (catalog.c loading a
 *	    table) looks the slot up again afterwards.
 */
#ifndef ST_TABLE_STATE_H
#define ST_TABLE_STATE_H

typedef enum StStateKind
{
	ST_STATE_TABLE,
	ST_STATE_PLANS,
	ST_STATE_DIRECT,
	ST_STATE_EVENTS,
	ST_STATE_STREAM,
	ST_STATE_KINDS
} StStateKind;

typedef struct StStateSlot
{
	bool		valid;			/* false after invalidation, until rebuilt */
	Datum		value;			/* the owner's state, or 0 for none */
	Oid			depends_on;		/* invalidated with this relation too */
} StStateSlot;

/*
 * A component's reset function: forget what slot->value holds, keeping the
 * rules above.  It may set slot->value to 0 after freeing it.
 */
typedef void (*StStateReset) (StStateSlot *slot);

extern StStateSlot *st_table_state_slot(Oid relid, StStateKind kind,
										StStateReset reset);
extern uint64 st_table_state_invalidations(Oid relid);
extern void st_table_state_depend(StStateSlot *slot, Oid relid);
extern void st_table_state_forget(Oid relid);
extern void st_table_state_clear(StStateKind kind, StStateReset release);

#endif							/* ST_TABLE_STATE_H */
