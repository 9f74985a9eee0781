/*
 * stream_apply.c
 *	  apply_changes(): keeps a projection (a read model) in step with the
 *	  change stream, exactly once.
 *
 *	  The records of a slot of the singletable plugin are peeked (not
 *	  consumed), handed one by one to the caller's handler function, and the
 *	  SequenceNumber of the last one applied is written to
 *	  singletable.stream_checkpoints in the caller's transaction, together
 *	  with whatever the handler wrote.  Records at or below the checkpoint
 *	  are skipped, so after a crash or a rollback the next call starts right
 *	  after the last committed record: none twice, none skipped.
 *
 *	  Advancing a slot is not transactional, so a call only ever advances the
 *	  slot to a checkpoint that is already committed (the one it starts
 *	  from); the records of the current call are confirmed by the next call.
 *
 *	  The output plugin is stream_decode.c's.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/pg_lsn.h"
#include "utils/regproc.h"
#include "utils/syscache.h"


PG_FUNCTION_INFO_V1(st_sql_apply_changes);

/* Rows fetched from the decoding cursor at a time. */
#define APPLY_FETCH_ROWS 256

/* A handler must be a plain function of one jsonb argument. */
static void
check_handler(Oid handler)
{
	HeapTuple	tup;
	Form_pg_proc proc;
	AclResult	aclresult;

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(handler));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("function with OID %u does not exist", handler)));
	proc = (Form_pg_proc) GETSTRUCT(tup);
	if (proc->prokind != PROKIND_FUNCTION || proc->proretset ||
		proc->pronargs != 1 || proc->proargtypes.values[0] != JSONBOID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("handler %s must be a function taking one jsonb argument",
						format_procedure(handler)),
				 errdetail("The handler is called once per stream record, with the record as jsonb."),
				 errhint("Declare it as, for example, CREATE FUNCTION my_handler(record jsonb) RETURNS void.")));
	ReleaseSysCache(tup);

#if PG_VERSION_NUM >= 160000
	aclresult = object_aclcheck(ProcedureRelationId, handler, GetUserId(), ACL_EXECUTE);
#else
	aclresult = pg_proc_aclcheck(handler, GetUserId(), ACL_EXECUTE);
#endif
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_FUNCTION, get_func_name(handler));
}

/*
 * Compare two SequenceNumbers.  They are decimal strings without leading
 * sign; a longer one is larger, equal lengths compare as text.
 */
static int
seqcmp(const char *a, const char *b)
{
	size_t		la = strlen(a);
	size_t		lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/*
 * apply_changes(slot name, handler regprocedure, max_changes integer,
 *               options text[]) RETURNS bigint
 *
 * Errors: the slot does not exist, is not a logical slot of the singletable
 * plugin in this database (42704, 55000); the handler is not a function of
 * one jsonb (22023); whatever the handler raises, which rolls back the
 * handler's writes and the checkpoint alike.
 */
Datum
st_sql_apply_changes(PG_FUNCTION_ARGS)
{
	Name		slot;
	Oid			handler;
	Datum		max_changes;
	bool		max_null;
	ArrayType  *options;
	MemoryContext fn_cxt = CurrentMemoryContext;
	MemoryContext row_cxt;
	FmgrInfo	flinfo;
	LOCAL_FCINFO(fcinfo_h, 1);
	char	   *checkpoint_seq;
	XLogRecPtr	checkpoint_lsn;
	bool		checkpoint_committed;
	char	   *last_seq = NULL;
	char		last_seq_buf[64];
	XLogRecPtr	last_lsn = InvalidXLogRecPtr;
	int64		applied = 0;
	Portal		portal;
	SPIPlanPtr	plan;
	Datum		args[4];
	Oid			argtypes[4];
	int			ret;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("slot and handler must not be null")));
	slot = PG_GETARG_NAME(0);
	handler = PG_GETARG_OID(1);
	max_null = PG_ARGISNULL(2);
	max_changes = max_null ? (Datum) 0 : PG_GETARG_DATUM(2);
	if (!max_null && DatumGetInt32(max_changes) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_changes must be positive"),
				 errhint("Pass NULL to apply every pending record.")));
	options = PG_ARGISNULL(3) ? construct_empty_array(TEXTOID) : PG_GETARG_ARRAYTYPE_P(3);
	if (ARR_NDIM(options) > 1 || ArrayGetNItems(ARR_NDIM(options), ARR_DIMS(options)) % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options must be a one-dimensional array of name, value pairs"),
				 errhint("For example '{tables,app,format,typed}'.")));

	/*
	 * Reading a slot needs what pg_logical_slot_peek_changes() needs; say so
	 * before anything else, rather than through the row-level security of
	 * the checkpoints.  The records of every singletable table reach the
	 * handler whatever the caller's privileges on the tables: a replication
	 * role reads all the database's changes anyway.
	 */
	if (!superuser() && !has_rolreplication(GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be superuser or replication role to use apply_changes"),
				 errdetail("apply_changes reads a logical replication slot.")));
	check_handler(handler);
	fmgr_info(handler, &flinfo);

	row_cxt = AllocSetContextCreate(fn_cxt, "singletable apply_changes row",
									ALLOCSET_DEFAULT_SIZES);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* The slot must be ours: a logical slot of this plugin in this database. */
	args[0] = NameGetDatum(slot);
	argtypes[0] = NAMEOID;
	ret = SPI_execute_with_args("SELECT s.plugin::pg_catalog.text, s.slot_type, d.oid IS NOT NULL "
								"FROM pg_catalog.pg_replication_slots s "
								"LEFT JOIN pg_catalog.pg_database d "
								"ON d.datname OPERATOR(pg_catalog.=) s.database "
								"AND d.oid OPERATOR(pg_catalog.=) $2 "
								"WHERE s.slot_name OPERATOR(pg_catalog.=) $1",
								2, (Oid[]) {NAMEOID, OIDOID},
								(Datum[]) {args[0], ObjectIdGetDatum(MyDatabaseId)},
								NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_replication_slots");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("replication slot \"%s\" does not exist", NameStr(*slot)),
				 errhint("Create it with pg_create_logical_replication_slot('%s', 'singletable').",
						 NameStr(*slot))));
	else
	{
		bool		isnull;
		char	   *plugin = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *type = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
		bool		here = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
													  SPI_tuptable->tupdesc, 3, &isnull));

		if (type == NULL || strcmp(type, "logical") != 0 || plugin == NULL ||
			strcmp(plugin, "singletable") != 0 || !here)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("replication slot \"%s\" is not a logical slot of the singletable plugin in this database",
							NameStr(*slot)),
					 errhint("Create one with pg_create_logical_replication_slot('name', 'singletable').")));
	}

	/*
	 * Take the slot's checkpoint row, creating it if need be, and lock it:
	 * a second apply_changes on the same slot waits here for the first to
	 * commit and then starts from its checkpoint.
	 */
	if (SPI_execute_with_args("INSERT INTO singletable.stream_checkpoints "
							  "(slot_name, sequence_number, lsn) VALUES ($1, '', '0/0'::pg_catalog.pg_lsn) "
							  "ON CONFLICT (slot_name) DO NOTHING",
							  1, argtypes, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not create the checkpoint of slot \"%s\"", NameStr(*slot));
	if (SPI_execute_with_args("SELECT sequence_number, lsn, xmin FROM singletable.stream_checkpoints "
							  "WHERE slot_name OPERATOR(pg_catalog.=) $1 FOR UPDATE",
							  1, argtypes, args, NULL, false, 0) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not lock the checkpoint of slot \"%s\"", NameStr(*slot));
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		MemoryContext old = MemoryContextSwitchTo(fn_cxt);

		checkpoint_seq = SPI_getvalue(tup, desc, 1);
		MemoryContextSwitchTo(old);
		checkpoint_lsn = DatumGetLSN(SPI_getbinval(tup, desc, 2, &isnull));
		checkpoint_committed =
			!TransactionIdIsCurrentTransactionId(DatumGetTransactionId(SPI_getbinval(tup, desc, 3, &isnull)));
	}

	/* Confirm what earlier, committed calls applied, so WAL can be recycled. */
	if (checkpoint_committed && checkpoint_lsn != InvalidXLogRecPtr)
	{
		Datum		aargs[2] = {args[0], LSNGetDatum(checkpoint_lsn)};

		if (SPI_execute_with_args("SELECT pg_catalog.pg_replication_slot_advance(s.slot_name, $2) "
								  "FROM pg_catalog.pg_replication_slots s "
								  "WHERE s.slot_name OPERATOR(pg_catalog.=) $1 "
								  "AND s.confirmed_flush_lsn OPERATOR(pg_catalog.<) $2",
								  2, (Oid[]) {NAMEOID, PG_LSNOID}, aargs, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not advance slot \"%s\"", NameStr(*slot));
	}

	/* Peek the pending records; the checkpoint decides which are new. */
	argtypes[1] = INT4OID;
	argtypes[2] = TEXTARRAYOID;
	args[1] = max_changes;
	args[2] = PointerGetDatum(options);
	plan = SPI_prepare("SELECT c.lsn, c.record, "
					   "(c.record OPERATOR(pg_catalog.->) 'dynamodb') OPERATOR(pg_catalog.->>) 'SequenceNumber' "
					   "FROM (SELECT lsn, data::pg_catalog.jsonb AS record "
					   "      FROM pg_catalog.pg_logical_slot_peek_changes($1, NULL, $2, VARIADIC $3)) c",
					   3, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, args, max_null ? " n " : "   ", false);

	for (;;)
	{
		SPI_cursor_fetch(portal, true, APPLY_FETCH_ROWS);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			XLogRecPtr	lsn = DatumGetLSN(SPI_getbinval(tup, desc, 1, &isnull));
			Datum		record = SPI_getbinval(tup, desc, 2, &isnull);
			MemoryContext old = MemoryContextSwitchTo(row_cxt);
			char	   *seq = SPI_getvalue(tup, desc, 3);

			if (lsn > last_lsn)
				last_lsn = lsn;
			/* transaction markers and what the checkpoint covers are skipped */
			if (seq != NULL && seqcmp(seq, checkpoint_seq) > 0)
			{
				if (strlen(seq) >= sizeof(last_seq_buf))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("invalid SequenceNumber \"%s\" in slot \"%s\"", seq, NameStr(*slot))));
				/* the handler's result, void or not, is of no interest */
				InitFunctionCallInfoData(*fcinfo_h, &flinfo, 1, InvalidOid, NULL, NULL);
				fcinfo_h->args[0].value = record;
				fcinfo_h->args[0].isnull = false;
				(void) FunctionCallInvoke(fcinfo_h);
				strlcpy(last_seq_buf, seq, sizeof(last_seq_buf));
				last_seq = last_seq_buf;
				applied++;
			}
			MemoryContextSwitchTo(old);
			MemoryContextReset(row_cxt);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);

	if (last_seq != NULL || last_lsn > checkpoint_lsn)
	{
		Datum		uargs[3] = {args[0],
			CStringGetTextDatum(last_seq ? last_seq : checkpoint_seq),
		LSNGetDatum(Max(last_lsn, checkpoint_lsn))};

		if (SPI_execute_with_args("UPDATE singletable.stream_checkpoints "
								  "SET sequence_number = $2, lsn = $3, applied_at = pg_catalog.now() "
								  "WHERE slot_name OPERATOR(pg_catalog.=) $1",
								  3, (Oid[]) {NAMEOID, TEXTOID, PG_LSNOID}, uargs, NULL, false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "could not update the checkpoint of slot \"%s\"", NameStr(*slot));
	}

	SPI_finish();
	MemoryContextDelete(row_cxt);
	PG_RETURN_INT64(applied);
}
