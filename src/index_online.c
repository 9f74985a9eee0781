/*
 * index_online.c
 *	  Online index builds: an index created with create_index(...,
 *	  online => true), or by execute('UpdateTable') with a
 *	  GlobalSecondaryIndexUpdates Create, is CREATING while a dynamic
 *	  background worker copies the table's existing items into it in
 *	  batches, each in a transaction of its own, while writers keep writing;
 *	  then it is ACTIVE.  This file owns the worker and
 *	  resume_index_builds(); index_layout.c reads what describe_table shows
 *	  of a build (singletable.index_builds).  create_index itself (the
 *	  index table, the catalog row, the trigger) is index_catalog.c's; the
 *	  trigger that indexes every write from the first moment is
 *	  index_trigger.c's.
 *
 *	  Why a worker rather than a procedure with COMMITs between batches:
 *	  DynamoDB's UpdateTable returns at once, and so does create_index(...,
 *	  online => true), from SQL and from execute() alike, with one code path.
 *	  The build does not depend on the caller's session staying connected,
 *	  needs no transaction control in the caller (a procedure that commits
 *	  cannot run inside a transaction block, which many drivers open), and
 *	  its progress is there for everyone (singletable.index_progress).
 *
 *	  Protocol.  create_index creates the index table, the catalog row
 *	  (status CREATING) and the maintenance trigger under SHARE ROW
 *	  EXCLUSIVE on the base table, as an offline create_index does: every
 *	  write that commits before it has committed before it, and every later
 *	  write maintains the new index through the trigger.  The worker starts
 *	  by waiting for the creating transaction to end (if it rolled back there
 *	  is nothing to build).  Then each batch, in its own transaction:
 *
 *	    1. locks the base table ROW SHARE (as SELECT ... FOR SHARE does:
 *	       writers go on), the index's row in singletable.indexes FOR NO
 *	       KEY UPDATE (the last batch updates it to ACTIVE), its row in
 *	       singletable.index_builds FOR UPDATE (the resume point), then the
 *	       index table ROW EXCLUSIVE: the order in which drop_index takes
 *	       them (its DELETE of the catalog row cascades to the build row),
 *	       so a drop waits for the whole batch and the next batch finds the
 *	       index gone.  Without the catalog row first, a drop that deleted
 *	       it while the last batch held the build row would wait for that
 *	       batch, and the batch, making the index ACTIVE, for the drop;
 *	    2. walks the base table's primary key in key order from the resume
 *	       point, with a snapshot taken after those locks;
 *	    3. for an item whose version in the snapshot has an entry in the
 *	       index (its index keys are there and valid) that the index table
 *	       does not hold, locks the item's row FOR SHARE, following its
 *	       update chain to the latest version, and inserts the entry of that
 *	       latest version unless the index table holds it by now;
 *	    4. records the resume point and the progress; the batch that finds no
 *	       item after the resume point makes the index ACTIVE.
 *
 *	  Why nothing is lost, stale or resurrected: the trigger of a write
 *	  committed after the creation replaces the entry of the item's old
 *	  version with the new one's if it finds it (an update in place, or a
 *	  delete when the new version has none), inserts the new one's if not,
 *	  and does nothing when the two are equal, so for every item the index
 *	  holds either nothing or the entry of the item's latest committed
 *	  version.
 *	  While the batch holds the lock on that latest version no writer can
 *	  change the item, so inserting its entry when absent leaves the index
 *	  right; a writer that updates or deletes the item waits for the batch to
 *	  commit, and its trigger then finds the backfilled entry and replaces or
 *	  deletes it.  A deleted row cannot be locked (TM_Deleted), so a deleted
 *	  item never comes back.  Items the snapshot does not see, and later
 *	  versions of an item whose snapshot version has no entry or an entry
 *	  already present, were written after the creation: their triggers
 *	  indexed them.  Rows are locked FOR SHARE, not FOR KEY SHARE, so that an
 *	  update that keeps the key waits too.
 *
 *	  Writers wait for one batch at most: a batch waits for a row lock only
 *	  for the first row it locks, while it holds no other; every later row it
 *	  locks only if the lock is free (LockWaitSkip), and at the first that is
 *	  not, it commits what it has, and the next batch starts with that row.
 *
 *	  One builder per index: the worker holds a session advisory lock on
 *	  (pg_class, index table, 21332) while it runs.  If the worker dies, or
 *	  the server restarts, the index stays CREATING; resume_index_builds()
 *	  starts a worker again, which goes on after the last committed batch.
 *	  drop_index of a CREATING index is allowed (DynamoDB lets a backfilling
 *	  index be deleted): the worker finds the index gone and stops.
 *
 *	  A table Citus distributes has no rows in the coordinator's heap and no
 *	  trigger: its writes through the extension's functions maintain its
 *	  indexes, CREATING ones included, in their distributed transaction
 *	  (citus.c).  Its build follows the same protocol with SQL that Citus
 *	  routes instead of steps 2 and 3 (st_citus_backfill_batch), after
 *	  waiting for the writers that held a lock on the table when the
 *	  creating transaction ended (they may not know the index).  Each batch
 *	  is a Citus coordinated transaction, so its row locks on the workers
 *	  last until it commits.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/progress.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/backend_progress.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "catalog.h"
#include "citus.h"
#include "errors.h"
#include "index.h"
#include "keys.h"
#include "settings.h"
#include "singletable.h"
#include "typedjson.h"


PGDLLEXPORT void st_index_build_main(Datum main_arg);

/* field 4 of the advisory lock a build worker holds: "ST" */
#define ST_BUILD_LOCK_TAG 21332

/* What a worker is told, in bgw_extra. */
typedef struct StBuildArgs
{
	Oid			dbid;
	Oid			relid;			/* the base table */
	Oid			index_relid;	/* the index table */
	TransactionId creator;		/* wait for it first, or invalid */
	int			batch_size;		/* singletable.index_build_batch_size */
} StBuildArgs;

/* A build's row in singletable.index_builds. */
typedef struct StBuildState
{
	int64		items_total;
	int64		items_done;
	int64		violations;
	Jsonb	   *resume_after;	/* NULL: from the first item */
} StBuildState;

typedef enum StBatchResult
{
	ST_BATCH_MORE,				/* items may follow the resume point */
	ST_BATCH_DONE,				/* the index is ACTIVE */
	ST_BATCH_GONE				/* the index, or its table, no longer exists */
} StBatchResult;

static void
set_build_lock_tag(LOCKTAG *tag, Oid index_relid)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, RelationRelationId, index_relid,
						 ST_BUILD_LOCK_TAG);
}

/* Does a worker hold the build lock of index_relid? */
static bool
build_running(Oid index_relid)
{
	LOCKTAG		tag;

	set_build_lock_tag(&tag, index_relid);
	if (LockAcquire(&tag, ExclusiveLock, true, true) == LOCKACQUIRE_NOT_AVAIL)
		return true;
	LockRelease(&tag, ExclusiveLock, true);
	return false;
}

/*
 * Start a worker that builds index table index_relid of table relid, after
 * transaction wait_for (if valid) ends, and wait until it runs (holds the
 * build lock, so that index_progress shows it from now on) or has stopped.
 * Raises when no worker slot is free.
 */
void
st_index_online_start(Oid relid, Oid index_relid, TransactionId wait_for)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	StBuildArgs args;
	pid_t		pid;

	memset(&worker, 0, sizeof(worker));
	memset(&args, 0, sizeof(args));
	args.dbid = MyDatabaseId;
	args.relid = relid;
	args.index_relid = index_relid;
	args.creator = wait_for;
	args.batch_size = st_index_build_batch_size;
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "singletable");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "st_index_build_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "singletable index build of %u", index_relid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "singletable index build");
	worker.bgw_main_arg = ObjectIdGetDatum(index_relid);
	memcpy(worker.bgw_extra, &args, sizeof(args));
	worker.bgw_notify_pid = MyProcPid;
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("could not start a background worker to build index table \"%s\"",
						get_rel_name(index_relid)),
				 errdetail("LimitExceededException: Every background worker slot is in use."),
				 errhint("Raise max_worker_processes, or try again when fewer background workers run.")));
	while (WaitForBackgroundWorkerStartup(handle, &pid) != BGWH_STARTED ||
		   !build_running(index_relid))
	{
		CHECK_FOR_INTERRUPTS();
		/* done already, or failed: the server log says why */
		if (GetBackgroundWorkerPid(handle, &pid) == BGWH_STOPPED)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1L,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* The key of an item as a jsonb object of its key attributes. */
static Jsonb *
key_jsonb(StTable *t, Datum pk, Datum sk)
{
	JsonbParseState *st = NULL;
	JsonbValue	v;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	st_push_key(&st, t->pk_attr);
	pushJsonbValue(&st, WJB_VALUE, st_key_datum_to_jsonbvalue(pk, t->pk_type, &v));
	if (t->sk_attr)
	{
		st_push_key(&st, t->sk_attr);
		pushJsonbValue(&st, WJB_VALUE, st_key_datum_to_jsonbvalue(sk, t->sk_type, &v));
	}
	return JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
}

/* The key Datums of a resume point (key_jsonb's), pk then sk. */
static void
resume_datums(StTable *t, Jsonb *resume, Datum *keys)
{
	for (int i = 0; i < (t->sk_attr ? 2 : 1); i++)
	{
		const char *attr = i == 0 ? t->pk_attr : t->sk_attr;
		JsonbValue	v;

		if (st_get_attr(resume, attr, &v) == NULL)
			elog(ERROR, "index build resume point lacks key attribute \"%s\"", attr);
		keys[i] = st_key_datum_from_value(&v, attr, i == 0 ? t->pk_type : t->sk_type,
										  i == 0 ? ST_MAX_PARTITION_KEY_BYTES : ST_MAX_SORT_KEY_BYTES,
										  i == 0);
	}
}

/*
 * Scan keys for "(pk[, sk]) > resume point" on the base table's primary
 * key: a row comparison, so that a batch starts right after the last item
 * of the one before even inside one large partition.  Returns the number of
 * keys in *header (0 or 1); members needs room for two.
 */
static int
resume_scankeys(StTable *t, Jsonb *resume, ScanKey header, ScanKey members)
{
	int			n = t->sk_attr ? 2 : 1;
	Datum		keys[2];

	if (resume == NULL)
		return 0;
	resume_datums(t, resume, keys);
	for (int i = 0; i < n; i++)
	{
		StKeyType	type = i == 0 ? t->pk_type : t->sk_type;

		ScanKeyEntryInitialize(&members[i], SK_ROW_MEMBER, (AttrNumber) (i + 1),
							   BTGreaterStrategyNumber, InvalidOid,
							   st_key_collation(type), st_key_cmp_proc(type), keys[i]);
	}
	members[n - 1].sk_flags |= SK_ROW_END;
	memset(header, 0, sizeof(ScanKeyData));
	header->sk_flags = SK_ROW_HEADER;
	header->sk_attno = 1;
	header->sk_strategy = BTGreaterStrategyNumber;
	header->sk_argument = PointerGetDatum(members);
	return 1;
}

/*
 * Lock the build's row of index_relid and read it into *state; the first
 * batch creates it, with the table's item count estimated as ANALYZE left
 * it (counted when the table was never analyzed, or is distributed).  Returns false when the
 * index is gone.
 */
static bool
lock_build_row(StTable *t, Oid index_relid, StBuildState *state)
{
	Datum		arg = ObjectIdGetDatum(index_relid);
	Oid			argtype = REGCLASSOID;
	bool		isnull;
	HeapTuple	tup;
	float4		reltuples;

	if (SPI_execute_with_args("SELECT items_total, items_done, index_key_violations, resume_after "
							  "FROM singletable.index_builds "
							  "WHERE index_relid OPERATOR(pg_catalog.=) $1 FOR UPDATE",
							  1, &argtype, &arg, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the index build");
	if (SPI_processed > 0)
	{
		HeapTuple	row = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		Datum		d;
		MemoryContext old = MemoryContextSwitchTo(CurTransactionContext);

		state->items_total = DatumGetInt64(SPI_getbinval(row, desc, 1, &isnull));
		state->items_done = DatumGetInt64(SPI_getbinval(row, desc, 2, &isnull));
		state->violations = DatumGetInt64(SPI_getbinval(row, desc, 3, &isnull));
		d = SPI_getbinval(row, desc, 4, &isnull);
		state->resume_after = isnull ? NULL : DatumGetJsonbPCopy(d);
		MemoryContextSwitchTo(old);
		return true;
	}

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(t->relid));
	if (!HeapTupleIsValid(tup))
		return false;
	reltuples = ((Form_pg_class) GETSTRUCT(tup))->reltuples;
	ReleaseSysCache(tup);
	memset(state, 0, sizeof(StBuildState));
	/* a distributed table's shell has no rows: Citus counts the shards' */
	if (reltuples >= 0 && !t->distributed)
		state->items_total = (int64) reltuples;
	else
	{
		if (SPI_execute(psprintf("SELECT pg_catalog.count(*) FROM %s",
								 quote_qualified_identifier(t->schema_name, t->table_name)),
						true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not count the items of table \"%s\"", t->table_name);
		state->items_total = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
														 SPI_tuptable->tupdesc, 1, &isnull));
	}
	{
		Oid			argtypes[2] = {REGCLASSOID, INT8OID};
		Datum		args[2] = {arg, Int64GetDatum(state->items_total)};

		if (SPI_execute_with_args("INSERT INTO singletable.index_builds (index_relid, items_total) "
								  "VALUES ($1, $2)", 2, argtypes, args, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not record the index build");
	}
	return true;
}

/*
 * Lock the index's row in singletable.indexes for the batch, which updates
 * it when it makes the index ACTIVE: see step 1 of the protocol in the
 * header comment.  Returns false when the index is gone or no longer
 * CREATING (a drop committed while we waited).
 */
static bool
lock_catalog_row(Oid index_relid)
{
	Datum		arg = ObjectIdGetDatum(index_relid);
	Oid			argtype = REGCLASSOID;

	if (SPI_execute_with_args("SELECT 1 FROM singletable.indexes "
							  "WHERE index_relid OPERATOR(pg_catalog.=) $1 AND status OPERATOR(pg_catalog.=) 'CREATING' "
							  "FOR NO KEY UPDATE",
							  1, &argtype, &arg, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not lock the index's catalog row");
	return SPI_processed > 0;
}

/* Record a batch's progress; when done, make the index ACTIVE. */
static void
save_build_row(Oid index_relid, StBuildState *state, bool done)
{
	Oid			argtypes[5] = {REGCLASSOID, INT8OID, INT8OID, JSONBOID, BOOLOID};
	Datum		args[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};

	args[0] = ObjectIdGetDatum(index_relid);
	args[1] = Int64GetDatum(state->items_done);
	args[2] = Int64GetDatum(state->violations);
	args[3] = state->resume_after ? JsonbPGetDatum(state->resume_after) : (Datum) 0;
	if (state->resume_after == NULL || done)
		nulls[3] = 'n';
	args[4] = BoolGetDatum(done);
	if (SPI_execute_with_args("UPDATE singletable.index_builds SET items_done = $2, "
							  "index_key_violations = $3, resume_after = $4, updated_at = pg_catalog.now(), "
							  "finished_at = CASE WHEN $5 THEN pg_catalog.now() END "
							  "WHERE index_relid OPERATOR(pg_catalog.=) $1",
							  5, argtypes, args, nulls, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not record the progress of the index build");
	if (done &&
		SPI_execute_with_args("UPDATE singletable.indexes SET status = 'ACTIVE' "
							  "WHERE index_relid OPERATOR(pg_catalog.=) $1",
							  1, argtypes, args, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not make the index ACTIVE");
}

/* What one batch works with. */
typedef struct StBatch
{
	StTable    *table;
	StIndex    *index;
	StIndexLayout layout;
	Relation	base;
	Relation	irel;
	Relation	ibtree;
	Snapshot	snapshot;
	TupleTableSlot *lockslot;
	bool		locked_any;		/* a row is locked: wait for no other */
	int64		violations;
} StBatch;

/*
 * The entry of the item in slot, when the index table does not hold it:
 * false when the item has no entry (counted as a key violation when asked)
 * or its entry is there.
 */
static bool
missing_entry(StBatch *b, TupleTableSlot *slot, bool count_violation, StIndexEntry *entry)
{
	bool		isnull;
	Jsonb	   *item = DatumGetJsonbP(slot_getattr(slot, ST_ATTNUM_ITEM, &isnull));
	Datum		pk = slot_getattr(slot, ST_ATTNUM_PK, &isnull);
	Datum		sk = b->table->sk_attr ? slot_getattr(slot, ST_ATTNUM_SK, &isnull) : (Datum) 0;
	ItemPointerData tid;

	if (!st_index_entry(b->table, b->index, &b->layout, item, pk, sk, false, entry))
	{
		if (count_violation && st_index_key_violation(b->index, item))
			b->violations++;
		return false;
	}
	return !st_index_find_entry(b->irel, b->ibtree, &b->layout, entry, &tid);
}

/*
 * Backfill the item the scan found in slot.  Returns false when its row is
 * locked by a writer and the batch already holds a row lock: the batch
 * ends before this item.
 */
static bool
backfill_item(StBatch *b, TupleTableSlot *slot)
{
	StIndexEntry entry;
	ItemPointerData tid;
	TM_FailureData tmfd;
	TM_Result	res;

	if (!missing_entry(b, slot, true, &entry))
		return true;
	/* lock without keeping the scan's page pinned while waiting */
	tid = slot->tts_tid;
	ExecClearTuple(slot);
	res = table_tuple_lock(b->base, &tid, b->snapshot, b->lockslot,
						   GetCurrentCommandId(true), LockTupleShare,
						   b->locked_any ? LockWaitSkip : LockWaitBlock,
						   TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
	switch (res)
	{
		case TM_Ok:
			break;
		case TM_WouldBlock:
			return false;
		case TM_Deleted:
			return true;		/* deleted since the snapshot: nothing to index */
		default:
			elog(ERROR, "unexpected result %d locking a row of table \"%s\" for an index build",
				 (int) res, RelationGetRelationName(b->base));
	}
	b->locked_any = true;
	/* the latest version, whose entry a writer may have written meanwhile */
	if (missing_entry(b, b->lockslot, false, &entry))
		st_index_insert_entry(b->irel, b->ibtree, &b->layout, &entry);
	ExecClearTuple(b->lockslot);
	return true;
}

/*
 * The items of one batch of a local table's build, after the resume point
 * of state and with its index table locked: see the protocol in the header
 * comment.  Returns the number of items examined and sets the resume point
 * to the last; *violations counts the index key violations found.
 */
static int64
local_batch(StBuildArgs *args, StTable *t, StIndex *ix, StBuildState *state,
			int64 *violations, bool *exhausted)
{
	StBatch		b;
	Relation	pkey;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	ScanKeyData header;
	ScanKeyData members[2];
	int			nkeys;
	int64		examined = 0;
	MemoryContext itemcxt;
	MemoryContext keycxt[2];
	MemoryContext old;
	Datum		key_pk[2] = {0, 0};
	Datum		key_sk[2] = {0, 0};
	int			last = 0;

	memset(&b, 0, sizeof(b));
	b.irel = table_open(args->index_relid, NoLock);
	b.table = t;
	b.index = ix;
	b.base = table_open(t->relid, NoLock);
	st_index_layout(t, ix, &b.layout);
	st_index_check_table(b.base, b.irel, ix, &b.layout);
	b.ibtree = index_open(st_index_table_btree(b.irel), RowExclusiveLock);
	pkey = index_open(t->pkey_index, AccessShareLock);

	b.snapshot = RegisterSnapshot(GetLatestSnapshot());
	nkeys = resume_scankeys(t, state->resume_after, &header, members);
	scan = st_index_beginscan(b.base, pkey, b.snapshot, nkeys, 0);
	index_rescan(scan, &header, nkeys, NULL, 0);
	slot = table_slot_create(b.base, NULL);
	b.lockslot = table_slot_create(b.base, NULL);
	itemcxt = AllocSetContextCreate(CurrentMemoryContext, "singletable index build item",
									ALLOCSET_DEFAULT_SIZES);
	for (int i = 0; i < 2; i++)
		keycxt[i] = AllocSetContextCreate(CurrentMemoryContext, "singletable index build key",
										  ALLOCSET_SMALL_SIZES);

	/*
	 * The key of each item is kept until the item is examined, in the
	 * context the last examined item's key is not in: the resume point is
	 * the last item examined, never the one a writer's lock made the batch
	 * end before.
	 */
	while (examined < args->batch_size)
	{
		int			this = 1 - last;
		bool		isnull;
		bool		go_on;

		CHECK_FOR_INTERRUPTS();
		if (!index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			*exhausted = true;
			break;
		}
		MemoryContextReset(keycxt[this]);
		old = MemoryContextSwitchTo(keycxt[this]);
		key_pk[this] = datumCopy(slot_getattr(slot, ST_ATTNUM_PK, &isnull), false, -1);
		if (t->sk_attr)
			key_sk[this] = datumCopy(slot_getattr(slot, ST_ATTNUM_SK, &isnull), false, -1);
		MemoryContextSwitchTo(itemcxt);
		go_on = backfill_item(&b, slot);
		MemoryContextSwitchTo(old);
		MemoryContextReset(itemcxt);
		if (!go_on)
			break;
		last = this;
		examined++;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	ExecDropSingleTupleTableSlot(b.lockslot);
	UnregisterSnapshot(b.snapshot);
	index_close(pkey, NoLock);
	index_close(b.ibtree, NoLock);
	table_close(b.irel, NoLock);
	table_close(b.base, NoLock);

	*violations += b.violations;
	if (examined > 0)
		state->resume_after = key_jsonb(t, key_pk[last], key_sk[last]);
	MemoryContextDelete(itemcxt);
	MemoryContextDelete(keycxt[0]);
	MemoryContextDelete(keycxt[1]);
	return examined;
}

/*
 * The items of one batch of a distributed table's build, which Citus
 * reads on the shards (st_citus_backfill_batch): as local_batch.
 */
static int64
distributed_batch(StBuildArgs *args, StTable *t, StIndex *ix, StBuildState *state,
				  int64 *violations, bool *exhausted)
{
	Datum		resume[2] = {0, 0};
	Datum		last[2] = {0, 0};
	int64		examined;

	if (state->resume_after)
		resume_datums(t, state->resume_after, resume);
	examined = st_citus_backfill_batch(t, ix, state->resume_after ? resume : NULL, args->batch_size,
									   last, violations, exhausted);
	if (examined > 0)
		state->resume_after = key_jsonb(t, last[0], last[1]);
	return examined;
}

/*
 * One batch of the build of index table index_relid, in the current
 * transaction: see the protocol in the header comment.
 */
static StBatchResult
backfill_batch(StBuildArgs *args, int64 *items_total, int64 *items_done)
{
	StBuildState state;
	StIndex    *ix;
	StTable    *t;
	Relation	irel;
	int64		examined;
	int64		violations = 0;
	bool		exhausted = false;

	t = st_table_lookup_for_index_relid(args->index_relid, &ix);
	if (t == NULL)
		return ST_BATCH_GONE;
	LockRelationOid(t->relid, RowShareLock);
	/* the lock accepted the invalidations of whatever it waited for */
	t = st_table_lookup_for_index_relid(args->index_relid, &ix);
	if (t == NULL || !ix->creating)
		return ST_BATCH_GONE;
	if (!lock_catalog_row(args->index_relid))
		return ST_BATCH_GONE;
	if (!lock_build_row(t, args->index_relid, &state))
		return ST_BATCH_GONE;
	irel = try_table_open(args->index_relid, RowExclusiveLock);
	if (irel == NULL)
		return ST_BATCH_GONE;
	table_close(irel, NoLock);
	examined = t->distributed ?
		distributed_batch(args, t, ix, &state, &violations, &exhausted) :
		local_batch(args, t, ix, &state, &violations, &exhausted);

	state.items_done += examined;
	state.violations += violations;
	save_build_row(args->index_relid, &state, exhausted);
	*items_total = state.items_total;
	*items_done = state.items_done;
	if (exhausted)
		ereport(LOG,
				(errmsg("index \"%s\" of table \"%s\" is ACTIVE: " INT64_FORMAT " items examined, "
						INT64_FORMAT " left out for index key violations",
						ix->name, t->table_name, state.items_done, state.violations)));
	return exhausted ? ST_BATCH_DONE : ST_BATCH_MORE;
}

/* Run one batch in a transaction of its own. */
static StBatchResult
run_batch(StBuildArgs *args)
{
	StBatchResult result;
	int64		total = 0;
	int64		done = 0;
	const int	params[2] = {PROGRESS_CREATEIDX_TUPLES_TOTAL, PROGRESS_CREATEIDX_TUPLES_DONE};
	int64		values[2];

	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	result = backfill_batch(args, &total, &done);
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	values[0] = total;
	values[1] = done;
	pgstat_progress_update_multi_param(2, params, values);
	return result;
}

/*
 * The background worker: connects to the database as the bootstrap
 * superuser, as autovacuum does (the table's owner may be a role that
 * cannot log in; the worker runs no user code), takes the build's lock,
 * waits for the creating transaction, then runs batches until the index is
 * ACTIVE or gone.  An error ends it (the server log says why); the index
 * then stays CREATING until resume_index_builds().  Shows in
 * pg_stat_progress_create_index as a CREATE INDEX CONCURRENTLY of the
 * index table.
 */
void
st_index_build_main(Datum main_arg)
{
	StBuildArgs args;
	LOCKTAG		tag;

	memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof(args));
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(args.dbid, InvalidOid, 0);

	/*
	 * Settings made with ALTER DATABASE or ALTER ROLE apply here too: the
	 * protocol wants its waits unbounded and READ COMMITTED transactions
	 * that may write.
	 */
	SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("lock_timeout", "0", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("statement_timeout", "0", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("default_transaction_isolation", "read committed", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("default_transaction_read_only", "off", PGC_SUSET, PGC_S_OVERRIDE);
	pgstat_report_appname("singletable index build");

	pgstat_progress_start_command(PROGRESS_COMMAND_CREATE_INDEX, args.relid);
	{
		const int	params[3] = {PROGRESS_CREATEIDX_COMMAND, PROGRESS_CREATEIDX_INDEX_OID,
		PROGRESS_CREATEIDX_PHASE};
		int64		values[3] = {PROGRESS_CREATEIDX_COMMAND_CREATE_CONCURRENTLY,
		args.index_relid, PROGRESS_CREATEIDX_PHASE_WAIT_1};

		pgstat_progress_update_multi_param(3, params, values);
	}
	/*
	 * Wait for a worker that builds the index already (it then finds the
	 * index ACTIVE and stops): the one that started us probes the lock too.
	 */
	StartTransactionCommand();
	set_build_lock_tag(&tag, args.index_relid);
	(void) LockAcquire(&tag, ExclusiveLock, true, false);
	if (TransactionIdIsValid(args.creator))
		XactLockTableWait(args.creator, NULL, NULL, XLTW_None);

	/*
	 * A distributed table has no trigger: its writers maintain the indexes
	 * they found in the catalog when their call began.  One that began
	 * before the index was created and wrote after may not know it; wait
	 * for every transaction that holds a write lock on the table now (as
	 * CREATE INDEX CONCURRENTLY waits), so the batches see what it wrote.
	 */
	if (st_citus_is_distributed(args.relid))
	{
		LOCKTAG		reltag;

		SET_LOCKTAG_RELATION(reltag, MyDatabaseId, args.relid);
		WaitForLockers(reltag, ExclusiveLock, false);
	}
	CommitTransactionCommand();

	pgstat_progress_update_param(PROGRESS_CREATEIDX_PHASE, PROGRESS_CREATEIDX_PHASE_BUILD);
	while (run_batch(&args) == ST_BATCH_MORE)
		CHECK_FOR_INTERRUPTS();
	pgstat_progress_end_command();
	proc_exit(0);
}

/*
 * resume_index_builds() RETURNS integer: start a build worker for each
 * CREATING index of a table the caller owns in this database whose build
 * is not running (no worker holds its lock).  Returns how many it started.
 */
static Datum
resume_index_builds_sql(PG_FUNCTION_ARGS)
{
	int			started = 0;
	uint64		n;
	Oid		   *relids;
	Oid		   *index_relids;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT relid, index_relid FROM singletable.indexes "
					"WHERE status OPERATOR(pg_catalog.=) 'CREATING' ORDER BY index_relid",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the indexes being created");
	n = SPI_processed;
	relids = palloc(sizeof(Oid) * (n + 1));
	index_relids = palloc(sizeof(Oid) * (n + 1));
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;

		relids[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		index_relids[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
	}
	SPI_finish();

	for (uint64 i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relids[i])))
			continue;
		if (!st_owns_table(relids[i]))
			continue;
		if (build_running(index_relids[i]))
			continue;
		st_index_online_start(relids[i], index_relids[i], InvalidTransactionId);
		started++;
	}
	PG_RETURN_INT32(started);
}

ST_FUNCTION_HIDING_SQL(st_sql_resume_index_builds, resume_index_builds_sql)
