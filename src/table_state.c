/*
 * table_state.c
 *	  The per-table state of a backend, shared by the components that keep
 *	  something per table: one hash keyed by relation OID, one relcache
 *	  invalidation callback, a slot per component.  See table_state.h for
 *	  what each slot holds and the rules that keep a caller's pointers valid
 *	  across invalidation.
 *
 *	  As ri_triggers.c does with its constraint cache, the callback only
 *	  marks entries invalid; each owner rebuilds its slot at its next use.
 *	  A PostgreSQL backend has room for only a few relcache callbacks,
 *	  shared by every loaded library, so there is exactly one.
 */
#include "postgres.h"

#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"

#include "table_state.h"

typedef struct StTableState
{
	Oid			relid;			/* hash key */
	uint64		invalidations;	/* how often invalidated: see the header */
	StStateSlot slots[ST_STATE_KINDS];
} StTableState;

static HTAB *table_states = NULL;

/* slots that depend on another relation (st_table_state_depend) */
static int	n_dependent_slots = 0;

static void
invalidate_entry(StTableState *entry)
{
	entry->invalidations++;
	for (int k = 0; k < ST_STATE_KINDS; k++)
		entry->slots[k].valid = false;
}

static void
table_state_invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	StTableState *entry;

	if (OidIsValid(relid))
	{
		entry = hash_search(table_states, &relid, HASH_FIND, NULL);
		if (entry != NULL)
			invalidate_entry(entry);
		if (n_dependent_slots == 0)
			return;
	}

	/* all relations, or the slots that depend on relid */
	hash_seq_init(&status, table_states);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (!OidIsValid(relid))
		{
			invalidate_entry(entry);
			continue;
		}
		for (int k = 0; k < ST_STATE_KINDS; k++)
			if (entry->slots[k].depends_on == relid)
				entry->slots[k].valid = false;
	}
}

static StTableState *
table_state_entry(Oid relid, bool create)
{
	StTableState *entry;
	bool		found;

	if (table_states == NULL)
	{
		HASHCTL		ctl;
		MemoryContext cxt;

		if (!create)
			return NULL;
		cxt = AllocSetContextCreate(CacheMemoryContext, "singletable table states",
									ALLOCSET_DEFAULT_SIZES);
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(StTableState);
		ctl.hcxt = cxt;
		table_states = hash_create("singletable table states", 64, &ctl,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(table_state_invalidate, (Datum) 0);
	}
	entry = hash_search(table_states, &relid, create ? HASH_ENTER : HASH_FIND, &found);
	if (create && !found)
	{
		entry->invalidations = 0;
		memset(entry->slots, 0, sizeof(entry->slots));
	}
	return entry;
}

/*
 * The kind slot of relid's state, created empty.  When it was invalidated
 * since its owner last set valid, the owner's reset function (NULL when it
 * needs none) runs on it first; the owner then rebuilds value and sets
 * valid.  The owner passes its reset function rather than this file naming
 * it, so that the dependency runs one way: components -> table_state.
 */
StStateSlot *
st_table_state_slot(Oid relid, StStateKind kind, StStateReset reset)
{
	StStateSlot *slot = &table_state_entry(relid, true)->slots[kind];

	if (!slot->valid && slot->value != (Datum) 0 && reset != NULL)
		reset(slot);
	return slot;
}

/*
 * How often relid's state has been invalidated: a loader compares it before
 * and after reading to detect an invalidation during the read.  Creates the
 * entry, so that the count starts before the read.
 */
uint64
st_table_state_invalidations(Oid relid)
{
	return table_state_entry(relid, true)->invalidations;
}

/* Have slot invalidated by invalidation of relid as well as of its own relation. */
void
st_table_state_depend(StStateSlot *slot, Oid relid)
{
	if (OidIsValid(slot->depends_on))
		n_dependent_slots--;
	slot->depends_on = relid;
	if (OidIsValid(relid))
		n_dependent_slots++;
}

static bool
entry_is_empty(StTableState *entry)
{
	for (int k = 0; k < ST_STATE_KINDS; k++)
		if (entry->slots[k].value != (Datum) 0)
			return false;
	return true;
}

/* Drop relid's state when no slot holds anything. */
void
st_table_state_forget(Oid relid)
{
	StTableState *entry = table_state_entry(relid, false);

	if (entry != NULL && entry_is_empty(entry))
		hash_search(table_states, &relid, HASH_REMOVE, NULL);
}

/*
 * Empty the kind slot of every relation, release(slot) freeing what it
 * holds, and drop the entries left empty.  Only for an owner that knows no
 * caller holds any of its slots (the decoder, between sessions).
 */
void
st_table_state_clear(StStateKind kind, StStateReset release)
{
	HASH_SEQ_STATUS status;
	StTableState *entry;

	if (table_states == NULL)
		return;
	hash_seq_init(&status, table_states);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		StStateSlot *slot = &entry->slots[kind];

		if (slot->value != (Datum) 0)
			release(slot);
		Assert(slot->value == (Datum) 0);
		st_table_state_depend(slot, InvalidOid);
		slot->valid = false;
		/* dynahash allows removing the entry just returned by the scan */
		if (entry_is_empty(entry))
			hash_search(table_states, &entry->relid, HASH_REMOVE, NULL);
	}
}
