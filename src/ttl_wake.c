/*
 * ttl_wake.c
 *	  The time to live launcher's shared state (StTtlShared, see ttl.h) and
 *	  the wake-up a transaction that enables TTL sends it when it commits.
 *	  The launcher and its workers are ttl_worker.c's; ttl.c calls
 *	  st_ttl_wake_launcher_at_commit().  Kept apart from both so that ttl.c
 *	  does not depend on the worker that depends on it.
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"

#include "ttl.h"

StTtlShared *st_ttl_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
ttl_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(StTtlShared)));
}

static void
ttl_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	st_ttl_shared = ShmemInitStruct("singletable ttl", sizeof(StTtlShared), &found);
	if (!found)
	{
		memset(st_ttl_shared, 0, sizeof(StTtlShared));
		SpinLockInit(&st_ttl_shared->mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

/* From _PG_init, with the launcher: reserve and set up the shared state. */
void
st_ttl_request_shmem(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = ttl_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = ttl_shmem_startup;
}

/* ---------------------------------------------------------------------
 * Waking the launcher when a transaction enables TTL
 * ---------------------------------------------------------------------
 */

static bool wake_pending = false;
static bool wake_callback_registered = false;

static void
wake_launcher(Oid dbid)
{
	Latch	   *latch;
	bool		listed = false;

	SpinLockAcquire(&st_ttl_shared->mutex);
	for (int i = 0; i < st_ttl_shared->nwake; i++)
		listed |= st_ttl_shared->wake[i] == dbid;
	if (!listed && st_ttl_shared->nwake < ST_TTL_MAX_WAKE)
		st_ttl_shared->wake[st_ttl_shared->nwake++] = dbid;
	else if (!listed)
		st_ttl_shared->wake_all = true;
	latch = st_ttl_shared->launcher_latch;
	SpinLockRelease(&st_ttl_shared->mutex);
	if (latch)
		SetLatch(latch);
}

static void
wake_xact_callback(XactEvent event, void *arg)
{
	if (!wake_pending)
		return;
	switch (event)
	{
		case XACT_EVENT_COMMIT:
			wake_pending = false;
			wake_launcher(MyDatabaseId);
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* a prepared transaction is found by the next probe */
			wake_pending = false;
			break;
		default:
			break;
	}
}

/*
 * Have the launcher run this database's worker when the current
 * transaction commits.  A no-op unless singletable is preloaded.
 */
void
st_ttl_wake_launcher_at_commit(void)
{
	if (st_ttl_shared == NULL)
		return;
	if (!wake_callback_registered)
	{
		RegisterXactCallback(wake_xact_callback, NULL);
		wake_callback_registered = true;
	}
	wake_pending = true;
}
