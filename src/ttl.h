/*
 * ttl.h
 *	  Time to live: a table's TTL attribute (singletable.tables.ttl_attribute),
 *	  the SQL and execute() calls that set and describe it, the expiry pass
 *	  that deletes expired items in small batches (ttl.c), the background
 *	  launcher and workers that run the pass in every database (ttl_worker.c),
 *	  and the launcher's shared state and commit-time wake-up (ttl_wake.c).
 */
#ifndef SINGLETABLE_TTL_H
#define SINGLETABLE_TTL_H

#include "postgres.h"
#include "nodes/pg_list.h"
#include "storage/itemptr.h"
#include "storage/latch.h"
#include "storage/spin.h"
#include "utils/jsonb.h"

/*
 * The prefix of the transactional logical messages that bracket the
 * deletions of an expiry batch in its transaction.  The payload is the
 * table's OID in decimal before the deletions and "0" after them; the
 * change stream (stream_decode.c) marks the REMOVE records in between as
 * service deletions, as DynamoDB Streams does.
 */
#define ST_TTL_MESSAGE_PREFIX "singletable.ttl"

/*
 * One pass over a table: its heap blocks from first to last, a batch of
 * them at a time.  Blocks added after the pass started are left to the
 * next pass, so a pass ends however fast the table grows.  A distributed
 * table's pass walks its keys in order instead (citus.c).
 */
typedef struct StTtlPass
{
	Oid			relid;
	ItemPointerData next;		/* where the next batch starts */
	BlockNumber nblocks;		/* the pass ends here; InvalidBlockNumber
								 * until the first batch */
	bool		done;
	int64		deleted;		/* items deleted so far */
	/* a distributed table's pass walks its keys instead (citus.c) */
	MemoryContext cxt;			/* holds resume: the caller's at init */
	Datum		resume[2];		/* the last key read, when resumed */
	bool		resumed;
} StTtlPass;

/* ttl.c */
extern void st_ttl_pass_init(StTtlPass *pass, Oid relid);
extern int	st_ttl_expire_batch(StTtlPass *pass, int limit, bool as_owner);
extern List *st_ttl_tables(void);
extern bool st_ttl_read_marker(const char *prefix, const char *message, Size size,
							   Oid *relid);
extern Jsonb *st_ttl_op_update(JsonbContainer *request);
extern Jsonb *st_ttl_op_describe(JsonbContainer *request);

/* ttl_wake.c */

/* Databases a launcher wake-up can name before it probes them all. */
#define ST_TTL_MAX_WAKE 32

/* The launcher's shared state, under its spinlock. */
typedef struct StTtlShared
{
	slock_t		mutex;
	Latch	   *launcher_latch; /* NULL when no launcher runs */
	bool		wake_all;		/* probe every database */
	int			nwake;
	Oid			wake[ST_TTL_MAX_WAKE];	/* databases that enabled TTL */
	Oid			report_db;		/* the last worker's database */
	bool		report_has_tables;	/* it had TTL tables */
} StTtlShared;

extern StTtlShared *st_ttl_shared;	/* NULL unless preloaded */
extern void st_ttl_request_shmem(void);
extern void st_ttl_wake_launcher_at_commit(void);

/* ttl_worker.c */
extern void st_ttl_register_launcher(void);

#endif							/* SINGLETABLE_TTL_H */
