/*
 * ttl_worker.c
 *	  The background processes that expire items, when singletable is in
 *	  shared_preload_libraries: one launcher per cluster and, started by it,
 *	  one short-lived worker per database at a time.  The expiry pass itself
 *	  is ttl.c's.
 *
 *	  The launcher connects to no database.  It keeps the set of databases
 *	  known to have TTL tables and, every singletable.ttl_interval, starts a
 *	  worker for each in turn and waits for it to finish.  A worker connects
 *	  to its database, reports whether it has TTL tables, runs one pass over
 *	  each (as the table's owner, one batch per transaction) and exits, so
 *	  no process stays connected to a database between passes (DROP DATABASE
 *	  waits up to five seconds for a pass in progress rather than failing at
 *	  once).
 *
 *	  Finding the databases: at start, and every ST_TTL_PROBE_SECS after,
 *	  the launcher starts a worker in every database that accepts
 *	  connections (templates excepted); a database without TTL tables drops
 *	  out of the set after its worker reports none.  In between, a
 *	  transaction that enables TTL wakes the launcher when it commits
 *	  (st_ttl_wake_launcher_at_commit), which then runs that database's
 *	  worker at once.  So enabling TTL takes effect within moments, and TTL
 *	  tables that arrive another way (a restore, a catalog row written by
 *	  hand) within the probe interval.
 *
 *	  Shared state (StTtlShared in ttl.h, kept by ttl_wake.c, under its
 *	  spinlock): the launcher's latch, the databases to wake for, and the
 *	  report of the worker that ran last (only one runs at a time).
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "settings.h"
#include "ttl.h"

PGDLLEXPORT void st_ttl_launcher_main(Datum main_arg);
PGDLLEXPORT void st_ttl_worker_main(Datum main_arg);

/* How often the launcher looks for TTL tables in every database. */
#define ST_TTL_PROBE_SECS 300

/* Fill the fields the launcher and the workers share. */
static void
init_worker(BackgroundWorker *bgw, const char *function, const char *name)
{
	memset(bgw, 0, sizeof(*bgw));
	bgw->bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	bgw->bgw_start_time = BgWorkerStart_RecoveryFinished;
	snprintf(bgw->bgw_library_name, BGW_MAXLEN, "singletable");
	snprintf(bgw->bgw_function_name, BGW_MAXLEN, "%s", function);
	snprintf(bgw->bgw_name, BGW_MAXLEN, "%s", name);
	snprintf(bgw->bgw_type, BGW_MAXLEN, "%s", name);
}

/*
 * From _PG_init while shared_preload_libraries are loaded: the shared
 * state and the launcher, restarted 10 seconds after it fails.
 */
void
st_ttl_register_launcher(void)
{
	BackgroundWorker bgw;

	st_ttl_request_shmem();
	init_worker(&bgw, "st_ttl_launcher_main", "singletable ttl launcher");
	bgw.bgw_restart_time = 10;
	RegisterBackgroundWorker(&bgw);
}

/* ---------------------------------------------------------------------
 * The launcher
 * ---------------------------------------------------------------------
 */

/* The databases a worker may connect to: not templates, connections allowed. */
static List *
connectable_databases(void)
{
	MemoryContext outer = CurrentMemoryContext;
	List	   *result = NIL;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while (HeapTupleIsValid(tup = heap_getnext(scan, ForwardScanDirection)))
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);
		MemoryContext old;

		if (!db->datallowconn || db->datistemplate || database_is_invalid_form(db))
			continue;
		old = MemoryContextSwitchTo(outer);
		result = lappend_oid(result, db->oid);
		MemoryContextSwitchTo(old);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	MemoryContextSwitchTo(outer);
	return result;
}

/*
 * Run a worker in a database and wait for it to finish: does the database
 * have TTL tables?  When no worker can be started (max_worker_processes
 * reached) the answer is "maybe": true, so the database is tried again.
 */
static bool
run_worker(Oid dbid)
{
	BackgroundWorker bgw;
	BackgroundWorkerHandle *handle;
	pid_t		pid;
	bool		has_tables;

	SpinLockAcquire(&st_ttl_shared->mutex);
	st_ttl_shared->report_db = InvalidOid;
	st_ttl_shared->report_has_tables = false;
	SpinLockRelease(&st_ttl_shared->mutex);

	init_worker(&bgw, "st_ttl_worker_main", "singletable ttl worker");
	bgw.bgw_restart_time = BGW_NEVER_RESTART;
	bgw.bgw_main_arg = ObjectIdGetDatum(dbid);
	bgw.bgw_notify_pid = MyProcPid;
	if (!RegisterDynamicBackgroundWorker(&bgw, &handle))
	{
		ereport(LOG,
				(errmsg("singletable ttl launcher could not start a worker"),
				 errhint("Raise max_worker_processes.")));
		return true;
	}
	if (WaitForBackgroundWorkerStartup(handle, &pid) == BGWH_STARTED)
		(void) WaitForBackgroundWorkerShutdown(handle);
	pfree(handle);

	SpinLockAcquire(&st_ttl_shared->mutex);
	has_tables = st_ttl_shared->report_db == dbid && st_ttl_shared->report_has_tables;
	SpinLockRelease(&st_ttl_shared->mutex);
	return has_tables;
}

static void
launcher_detach(int code, Datum arg)
{
	SpinLockAcquire(&st_ttl_shared->mutex);
	st_ttl_shared->launcher_latch = NULL;
	SpinLockRelease(&st_ttl_shared->mutex);
}

void
st_ttl_launcher_main(Datum main_arg)
{
	MemoryContext cycle_cxt;
	List	   *known = NIL;	/* databases with TTL tables, in TopMemoryContext */
	TimestampTz next_run = 0;
	TimestampTz next_probe = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	SpinLockAcquire(&st_ttl_shared->mutex);
	st_ttl_shared->launcher_latch = MyLatch;
	SpinLockRelease(&st_ttl_shared->mutex);
	before_shmem_exit(launcher_detach, (Datum) 0);

	cycle_cxt = AllocSetContextCreate(TopMemoryContext, "singletable ttl launcher",
									  ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		TimestampTz now;
		List	   *woken = NIL;
		Oid			wake[ST_TTL_MAX_WAKE];
		int			nwake;
		bool		probe;
		bool		regular;
		long		sleep_ms;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		MemoryContextReset(cycle_cxt);
		MemoryContextSwitchTo(cycle_cxt);

		now = GetCurrentTimestamp();
		SpinLockAcquire(&st_ttl_shared->mutex);
		probe = st_ttl_shared->wake_all || now >= next_probe;
		st_ttl_shared->wake_all = false;
		nwake = st_ttl_shared->nwake;
		memcpy(wake, st_ttl_shared->wake, sizeof(Oid) * nwake);
		st_ttl_shared->nwake = 0;
		SpinLockRelease(&st_ttl_shared->mutex);
		for (int i = 0; i < nwake; i++)
			woken = lappend_oid(woken, wake[i]);
		regular = now >= next_run;

		if (probe || regular || woken != NIL)
		{
			List	   *dbs = connectable_databases();
			List	   *still = NIL;
			ListCell   *lc;

			if (probe)
				next_probe = TimestampTzPlusMilliseconds(now, ST_TTL_PROBE_SECS * 1000);
			if (regular)
				next_run = TimestampTzPlusMilliseconds(now, (int64) st_ttl_interval * 1000);
			foreach(lc, dbs)
			{
				Oid			dbid = lfirst_oid(lc);
				bool		is_known = list_member_oid(known, dbid);

				CHECK_FOR_INTERRUPTS();
				if (probe || list_member_oid(woken, dbid) || (regular && is_known))
				{
					if (run_worker(dbid))
						still = lappend_oid(still, dbid);
				}
				else if (is_known)
					still = lappend_oid(still, dbid);
			}
			MemoryContextSwitchTo(TopMemoryContext);
			list_free(known);
			known = list_copy(still);
			MemoryContextSwitchTo(cycle_cxt);
			continue;			/* wake-ups may have come in meanwhile */
		}

		now = GetCurrentTimestamp();
		sleep_ms = Max(1, TimestampDifferenceMilliseconds(now, Min(next_run, next_probe)));
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 sleep_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* ---------------------------------------------------------------------
 * A worker: one pass over each TTL table of its database
 * ---------------------------------------------------------------------
 */

/*
 * One batch of a pass in a transaction of its own.  An error (a user's
 * trigger failing, say) is logged and ends this table's pass; the next
 * table and the next pass go on.
 */
static void
expire_batch_in_transaction(StTtlPass *pass)
{
	MemoryContext cxt = CurrentMemoryContext;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	PG_TRY();
	{
		(void) st_ttl_expire_batch(pass, st_ttl_batch_size, true);
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		HOLD_INTERRUPTS();
		MemoryContextSwitchTo(cxt);
		EmitErrorReport();
		FlushErrorState();
		AbortOutOfAnyTransaction();
		RESUME_INTERRUPTS();
		pass->done = true;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
}

/*
 * Run the pass over one table, resting between batches so the pass is
 * busy at most singletable.ttl_busy_percent of the time: the writers keep
 * the rest of the machine, as DynamoDB's TTL leaves throughput to them.
 */
static void
expire_table(Oid relid)
{
	StTtlPass	pass;
	int64		rest_us = 0;	/* rest owed for the work done */

	st_ttl_pass_init(&pass, relid);
	while (!pass.done)
	{
		TimestampTz start = GetCurrentTimestamp();

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		expire_batch_in_transaction(&pass);
		rest_us += (GetCurrentTimestamp() - start) * (100 - st_ttl_busy_percent) /
			st_ttl_busy_percent;
		if (!pass.done && rest_us >= 1000)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 rest_us / 1000, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			rest_us %= 1000;
		}
	}
	if (pass.deleted > 0)
		elog(DEBUG1, "singletable ttl worker expired " INT64_FORMAT " items of table %u",
			 pass.deleted, relid);
}

void
st_ttl_worker_main(Datum main_arg)
{
	Oid			dbid = DatumGetObjectId(main_arg);
	MemoryContext cxt;
	List	   *tables;
	ListCell   *lc;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(dbid, InvalidOid, 0);

	cxt = AllocSetContextCreate(TopMemoryContext, "singletable ttl worker",
								ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	MemoryContextSwitchTo(cxt);
	tables = st_ttl_tables();
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(cxt);

	SpinLockAcquire(&st_ttl_shared->mutex);
	st_ttl_shared->report_db = dbid;
	st_ttl_shared->report_has_tables = tables != NIL;
	SpinLockRelease(&st_ttl_shared->mutex);

	foreach(lc, tables)
	{
		pgstat_report_activity(STATE_RUNNING, "expiring items");
		expire_table(lfirst_oid(lc));
	}
	pgstat_report_activity(STATE_IDLE, NULL);
	proc_exit(0);
}
