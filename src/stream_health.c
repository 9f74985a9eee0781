/*
 * stream_health.c
 *	  The health of the change stream's slots: wal_commit_time(), with which
 *	  the view singletable.streams (src/sql/65_streams.sql) tells the commit
 *	  time of the last transaction a slot's consumer has confirmed.  The view
 *	  reads everything else from pg_replication_slots and
 *	  pg_stat_replication.  The output plugin is stream_decode.c's.
 *
 *	  PostgreSQL keeps no time for a slot's confirmed position, and an output
 *	  plugin cannot write anything down while it decodes.  The WAL has the
 *	  time: each transaction's commit record carries its commit timestamp
 *	  (whether or not track_commit_timestamp is on).  The plugin sends the
 *	  last record of each transaction with the LSN of the end of its commit
 *	  record, so a consumer that confirms what it has stored confirms the end
 *	  of a commit record, and the last commit record that ends at or before
 *	  the confirmed position is the last transaction delivered and
 *	  confirmed.  WAL can only be read forwards: wal_commit_time() reads from
 *	  64 kB before the position, then from wider windows up to 16 MB, never
 *	  from before the slot's restart_lsn (the WAL the slot keeps) nor WAL
 *	  already removed, and returns the time of the last commit record it
 *	  found; NULL when there is none in 16 MB.  Commit records of every
 *	  database count: logical decoding reads them all, and a consumer that
 *	  confirmed a position has everything committed before it.
 */
#include "postgres.h"

#include "access/rmgr.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "access/xlog_internal.h"
#include "access/xlogreader.h"
#include "access/xlogutils.h"
#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/pg_lsn.h"
#include "utils/timestamp.h"


PG_FUNCTION_INFO_V1(st_sql_wal_commit_time);

#define ST_COMMIT_WINDOW_FIRST	(64 * 1024)
#define ST_COMMIT_WINDOW_MAX	(16 * 1024 * 1024)

/*
 * The time of the last commit record in the WAL from the first record at
 * or after from, up to the record that ends at upto.
 */
static bool
last_commit_in(XLogRecPtr from, XLogRecPtr upto, TimestampTz *time)
{
	ReadLocalXLogPageNoWaitPrivate private_data;
	XLogReaderState *reader;
	XLogRecPtr	first;
	char	   *errormsg;
	bool		found = false;

	memset(&private_data, 0, sizeof(private_data));
	reader = XLogReaderAllocate(wal_segment_size, NULL,
								XL_ROUTINE(.page_read = read_local_xlog_page_no_wait,
										   .segment_open = wal_segment_open,
										   .segment_close = wal_segment_close),
								&private_data);
	if (reader == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed while allocating a WAL reading processor.")));
	first = XLogFindNextRecord(reader, from);
	if (!XLogRecPtrIsInvalid(first) && first < upto)
	{
		XLogBeginRead(reader, first);
		while (XLogReadRecord(reader, &errormsg) != NULL)
		{
			uint8		info;

			CHECK_FOR_INTERRUPTS();
			if (reader->EndRecPtr > upto)
				break;
			if (XLogRecGetRmid(reader) != RM_XACT_ID)
				continue;
			info = XLogRecGetInfo(reader) & XLOG_XACT_OPMASK;
			if (info == XLOG_XACT_COMMIT || info == XLOG_XACT_COMMIT_PREPARED)
			{
				/* xact_time is the first field of every commit record */
				*time = ((xl_xact_commit *) XLogRecGetData(reader))->xact_time;
				found = true;
			}
		}
	}
	XLogReaderFree(reader);
	return found;
}

/*
 * wal_commit_time(upto pg_lsn, since pg_lsn) RETURNS timestamptz: the
 * commit time of the last transaction whose commit record ends at or before
 * upto, looked for in the WAL after since (see the header comment).  NULL
 * when none is found, and for a role that may not read replication
 * statistics (neither superuser, REPLICATION nor pg_read_all_stats).
 */
Datum
st_sql_wal_commit_time(PG_FUNCTION_ARGS)
{
	XLogRecPtr	upto = PG_GETARG_LSN(0);
	XLogRecPtr	since = PG_GETARG_LSN(1);
	XLogRecPtr	oldest;
	TimestampTz time;

	if (!has_rolreplication(GetUserId()) &&
		!has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS))
		PG_RETURN_NULL();
	XLogSegNoOffsetToRecPtr(XLogGetLastRemovedSegno() + 1, 0, wal_segment_size, oldest);
	if (since < oldest)
		since = oldest;
	if (XLogRecPtrIsInvalid(upto) || upto <= since)
		PG_RETURN_NULL();
	for (uint64 window = ST_COMMIT_WINDOW_FIRST;; window *= 4)
	{
		XLogRecPtr	from = upto - since > window ? upto - window : since;

		if (last_commit_in(from, upto, &time))
			PG_RETURN_TIMESTAMPTZ(time);
		if (from == since || window >= ST_COMMIT_WINDOW_MAX)
			break;
	}
	PG_RETURN_NULL();
}
