/*
 * ttl.c
 *	  Time to live, as DynamoDB has it: one attribute per table holds each
 *	  item's expiry time in epoch seconds, and items whose time has passed
 *	  are deleted.  Owns update_time_to_live, describe_time_to_live,
 *	  is_expired, expire_items, execute()'s UpdateTimeToLive and
 *	  DescribeTimeToLive, and the expiry pass, which expire_items runs in the
 *	  caller's transaction and the background workers (ttl_worker.c) run one
 *	  batch per transaction.  The TTL attribute is the ttl_attribute column
 *	  of singletable.tables, NULL when TTL is disabled.
 *
 *	  An item is expired (is_expired) when its TTL attribute is a top-level
 *	  Number, less than the current time in epoch seconds and not more than
 *	  five years in the past; an item without the attribute, with a string,
 *	  a set or a time further back is never expired, as in DynamoDB.  Reads
 *	  return an expired item until a pass deletes it.
 *
 *	  The pass reads the table in physical order, ST_TTL_BATCH_BLOCKS heap
 *	  blocks per batch through a TID range scan, so writers pay nothing for
 *	  TTL (no index on the attribute) and a batch is short whatever the
 *	  size of the table.  A batch
 *	    1. finds up to limit expired items of its blocks (SELECT ctid, with
 *	       the caller's rights and row-level security),
 *	    2. locks each one, skipping those another transaction holds a lock
 *	       on (SKIP LOCKED: a busy item waits for the next pass, and a writer
 *	       waits for the pass at most as long as one batch's transaction),
 *	    3. deletes the locked ones through SQL (DELETE ... WHERE ctid =
 *	       ANY(...), with the caller's DELETE privilege and row-level
 *	       security), so GSI and users' triggers fire and the change stream
 *	       sees ordinary deletes; logical messages before and after them
 *	       (ST_TTL_MESSAGE_PREFIX) mark them as TTL deletions.
 *	  Step 2 locks the rows through the table access method because a SQL
 *	  FOR UPDATE needs UPDATE privilege, which deleting does not.  Items the
 *	  delete then leaves (row-level security may let the caller see an item
 *	  but not delete it) stay locked until the caller's transaction ends.
 *
 *	  A table Citus distributes has no rows in the coordinator's heap: its
 *	  pass walks the keys through SQL that Citus routes, and deletes item by
 *	  item on the shards, with the markers on each item's worker
 *	  (st_citus_expire_batch).
 */
#include "postgres.h"

#include <ctype.h>

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "common/int.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "replication/message.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "errors.h"
#include "plans.h"
#include "request.h"
#include "citus.h"
#include "item_types.h"
#include "settings.h"
#include "ttl.h"
#include "typedjson.h"

PG_FUNCTION_INFO_V1(st_sql_is_expired);

/* Heap blocks one batch reads at most (2 MB with 8 kB blocks). */
#define ST_TTL_BATCH_BLOCKS 256

/* Items that expired longer ago than this are left alone: five years. */
#define ST_TTL_MAX_AGE_SECS ((int64) 5 * 36525 * SECS_PER_DAY / 100)

/* Microseconds from the Unix epoch to PostgreSQL's. */
#define ST_UNIX_TO_PG_EPOCH_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

/* ---------------------------------------------------------------------
 * Which items are expired
 * ---------------------------------------------------------------------
 */

/* The expiry times that count as expired at one moment. */
typedef struct TtlWindow
{
	bool		valid;			/* false: the moment is not finite */
	Numeric		now;			/* the moment in epoch seconds */
	Numeric		oldest;			/* five years before it */
} TtlWindow;

static void
ttl_window(TimestampTz at, TtlWindow *w)
{
	int64		us;

	w->valid = false;
	if (TIMESTAMP_NOT_FINITE(at) || pg_add_s64_overflow(at, ST_UNIX_TO_PG_EPOCH_USECS, &us))
		return;
	w->now = int64_div_fast_to_numeric(us, 6);
	w->oldest = int64_div_fast_to_numeric(us - ST_TTL_MAX_AGE_SECS * USECS_PER_SEC, 6);
	w->valid = true;
}

static int
numeric_compare(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a),
											 NumericGetDatum(b)));
}

/* Is item expired in window w, by its attribute attr (attrlen bytes)? */
static bool
item_expired(Jsonb *item, const char *attr, int attrlen, TtlWindow *w)
{
	JsonbValue	v;

	if (!w->valid || !JB_ROOT_IS_OBJECT(item) ||
		getKeyJsonValueFromContainer(&item->root, attr, attrlen, &v) == NULL ||
		v.type != jbvNumeric)
		return false;
	return numeric_compare(v.val.numeric, w->now) < 0 &&
		numeric_compare(v.val.numeric, w->oldest) >= 0;
}

/*
 * is_expired(item jsonb, attribute text, at timestamptz) RETURNS boolean:
 * is the item expired at "at" by its attribute, by DynamoDB's rules (file
 * header).  The window of the first "at" seen is kept for the query, since
 * a pass calls this once per row with the same moment.
 */
Datum
st_sql_is_expired(PG_FUNCTION_ARGS)
{
	Jsonb	   *item = PG_GETARG_JSONB_P(0);
	text	   *attr = PG_GETARG_TEXT_PP(1);
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(2);
	typedef struct
	{
		TimestampTz at;
		TtlWindow	w;
	}			WindowCache;
	WindowCache *cache = fcinfo->flinfo->fn_extra;
	TtlWindow	w;

	if (cache == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		cache = palloc(sizeof(WindowCache));
		cache->at = at;
		ttl_window(at, &cache->w);
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = cache;
	}
	if (cache->at == at)
		w = cache->w;
	else
		ttl_window(at, &w);
	PG_RETURN_BOOL(item_expired(item, VARDATA_ANY(attr), VARSIZE_ANY_EXHDR(attr), &w));
}

/* ---------------------------------------------------------------------
 * The setting: update_time_to_live, describe_time_to_live
 * ---------------------------------------------------------------------
 */

/*
 * The TTL attribute of a table, or NULL when TTL is disabled, allocated in
 * the caller's memory context.  for_update locks the catalog row, for a
 * caller about to change it.
 */
static char *
ttl_attribute(Oid relid, bool for_update)
{
	MemoryContext outer = CurrentMemoryContext;
	Oid			argtype = OIDOID;
	Datum		arg = ObjectIdGetDatum(relid);
	char	   *result = NULL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(for_update ?
							  "SELECT ttl_attribute FROM singletable.tables "
							  "WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass FOR UPDATE" :
							  "SELECT ttl_attribute FROM singletable.tables "
							  "WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
							  1, &argtype, &arg, NULL, !for_update, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the time to live of table %u", relid);
	if (SPI_processed > 0)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			result = MemoryContextStrdup(outer, TextDatumGetCString(d));
	}
	SPI_finish();
	return result;
}

/* DynamoDB's request field of an argument, for the DETAIL of errors. */
#define SPEC_FIELD(name) "timeToLiveSpecification." name

static void
null_argument(const char *what, const char *field)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s must not be null", what),
			 errdetail("ValidationException: 1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null.",
					   field)));
}

static void
check_attribute_name(const char *attr)
{
	if (attr[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time to live attribute name must not be empty"),
				 errdetail("ValidationException: 1 validation error detected: Value '' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1.",
						   SPEC_FIELD("attributeName"))));
	if (strlen(attr) > 255)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("time to live attribute name is longer than 255 bytes"),
				 errdetail("ValidationException: 1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to 255.",
						   SPEC_FIELD("attributeName"))));
}

/*
 * Responses are built bare for the SQL functions, or for execute() as the
 * one member of an object, named wrap_key: {"<wrap_key>": {...}}.
 */
static void
begin_response(JsonbParseState **state, const char *wrap_key)
{
	if (wrap_key)
	{
		pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
		st_push_key(state, wrap_key);
	}
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
}

static Jsonb *
end_response(JsonbParseState **state, const char *wrap_key)
{
	JsonbValue *res = pushJsonbValue(state, WJB_END_OBJECT, NULL);

	if (wrap_key)
		res = pushJsonbValue(state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

/*
 * Enable or disable TTL on a table, by DynamoDB's rules: one attribute per
 * table; enabling an enabled table, disabling a disabled one, or naming
 * another attribute than the enabled one is a ValidationException.
 * Requires ownership of the table (it is DDL).  Unlike DynamoDB, the change
 * is immediate, and there is no limit of one change per hour.  Returns the
 * TimeToLiveSpecification (see begin_response for wrap_key).
 */
static Jsonb *
update_time_to_live(Oid relid, const char *attr, bool enabled, const char *wrap_key)
{
	StTable    *t = st_table_lookup(relid, false);
	char	   *current;
	JsonbParseState *state = NULL;
	JsonbValue	v;
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2];
	char		nulls[2] = {' ', ' '};

	check_attribute_name(attr);
	if (!st_owns_table(relid))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, t->table_name);

	/* the row lock orders concurrent changes: the second sees the first's */
	current = ttl_attribute(relid, true);
	if (current != NULL && strcmp(current, attr) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time to live of table \"%s\" is enabled on attribute \"%s\"",
						t->table_name, current),
				 errdetail("ValidationException: TimeToLive is active on a different AttributeName: current AttributeName is %s.",
						   current),
				 errhint("Disable time to live on \"%s\" first.", current)));
	if (current != NULL && enabled)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time to live of table \"%s\" is already enabled", t->table_name),
				 errdetail("ValidationException: TimeToLive is already enabled.")));
	if (current == NULL && !enabled)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time to live of table \"%s\" is already disabled", t->table_name),
				 errdetail("ValidationException: TimeToLive is already disabled.")));

	args[0] = ObjectIdGetDatum(relid);
	args[1] = enabled ? CStringGetTextDatum(attr) : (Datum) 0;
	nulls[1] = enabled ? ' ' : 'n';
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("UPDATE singletable.tables SET ttl_attribute = $2 "
							  "WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
							  2, argtypes, args, nulls, false, 0) != SPI_OK_UPDATE ||
		SPI_processed != 1)
		elog(ERROR, "could not record the time to live of table %s", t->table_name);
	SPI_finish();
	st_table_invalidate(relid);
	if (enabled)
		st_ttl_wake_launcher_at_commit();

	/* DynamoDB's TimeToLiveSpecification */
	begin_response(&state, wrap_key);
	st_push_key(&state, "Enabled");
	v.type = jbvBool;
	v.val.boolean = enabled;
	pushJsonbValue(&state, WJB_VALUE, &v);
	st_push_key(&state, "AttributeName");
	st_push_string(&state, WJB_VALUE, attr);
	return end_response(&state, wrap_key);
}

/* DynamoDB's TimeToLiveDescription: {"TimeToLiveStatus"[, "AttributeName"]} */
static Jsonb *
describe_time_to_live(Oid relid, const char *wrap_key)
{
	JsonbParseState *state = NULL;
	char	   *attr;

	(void) st_table_lookup(relid, false);
	attr = ttl_attribute(relid, false);
	begin_response(&state, wrap_key);
	st_push_key(&state, "TimeToLiveStatus");
	st_push_string(&state, WJB_VALUE, attr ? "ENABLED" : "DISABLED");
	if (attr)
	{
		st_push_key(&state, "AttributeName");
		st_push_string(&state, WJB_VALUE, attr);
	}
	return end_response(&state, wrap_key);
}

/*
 * update_time_to_live(tbl regclass, attribute text, enabled boolean)
 *   RETURNS jsonb: the TimeToLiveSpecification
 */
static Datum
update_time_to_live_sql(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		null_argument("table", "tableName");
	if (PG_ARGISNULL(1))
		null_argument("time to live attribute", SPEC_FIELD("attributeName"));
	if (PG_ARGISNULL(2))
		null_argument("enabled", SPEC_FIELD("enabled"));
	PG_RETURN_JSONB_P(update_time_to_live(PG_GETARG_OID(0),
										  text_to_cstring(PG_GETARG_TEXT_PP(1)),
										  PG_GETARG_BOOL(2), NULL));
}

ST_FUNCTION_HIDING_SQL(st_sql_update_time_to_live, update_time_to_live_sql)

/* describe_time_to_live(tbl regclass) RETURNS jsonb: the TimeToLiveDescription */
static Datum
describe_time_to_live_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(describe_time_to_live(PG_GETARG_OID(0), NULL));
}

ST_FUNCTION_HIDING_SQL(st_sql_describe_time_to_live, describe_time_to_live_sql)

/* ---------------------------------------------------------------------
 * execute(): UpdateTimeToLive, DescribeTimeToLive
 * ---------------------------------------------------------------------
 */

static const char *const update_fields[] = {"TableName", "TimeToLiveSpecification", NULL};
static const char *const spec_fields[] = {"Enabled", "AttributeName", NULL};
static const char *const describe_fields[] = {"TableName", NULL};

Jsonb *
st_ttl_op_update(JsonbContainer *r)
{
	JsonbContainer *spec;
	JsonbValue	v;
	char	   *name;
	char	   *attr;

	st_check_fields(r, update_fields, "");
	name = st_field_string(r, "TableName", "", true);
	spec = st_field_object(r, "TimeToLiveSpecification", "", true);
	st_check_fields(spec, spec_fields, "TimeToLiveSpecification");
	if (!st_field(spec, "Enabled", &v))
		st_validation_error("TimeToLiveSpecification.Enabled", "a value is required");
	if (v.type != jbvBool)
		st_validation_error("TimeToLiveSpecification.Enabled", "must be a boolean, not %s",
							st_plain_type_name(&v));
	attr = st_field_string(spec, "AttributeName", "TimeToLiveSpecification", true);
	return update_time_to_live(st_table_by_name(name)->relid, attr, v.val.boolean,
							   "TimeToLiveSpecification");
}

Jsonb *
st_ttl_op_describe(JsonbContainer *r)
{
	st_check_fields(r, describe_fields, "");
	/* a table operation: the message names the missing table */
	return describe_time_to_live(st_table_by_name_for_table_op(st_field_string(r, "TableName", "", true))->relid,
								 "TimeToLiveDescription");
}

/* ---------------------------------------------------------------------
 * The expiry pass
 * ---------------------------------------------------------------------
 */

typedef enum TtlStatement
{
	TTL_FIND,					/* $1 from, $2 to (tids), $3 attribute, $4 now, $5 limit */
	TTL_DELETE					/* $1 tid[], $2 attribute, $3 now */
} TtlStatement;

static char *
build_ttl_statement(StTable *t, int kind, Oid *argtypes, int *nargs)
{
	char	   *rel = quote_qualified_identifier(t->schema_name, t->table_name);

	switch ((TtlStatement) kind)
	{
		case TTL_FIND:
			argtypes[0] = TIDOID;
			argtypes[1] = TIDOID;
			argtypes[2] = TEXTOID;
			argtypes[3] = TIMESTAMPTZOID;
			argtypes[4] = INT8OID;
			*nargs = 5;
			return psprintf("SELECT ctid FROM ONLY %s WHERE ctid OPERATOR(pg_catalog.>=) $1 "
							"AND ctid OPERATOR(pg_catalog.<) $2 AND singletable.is_expired(item, $3, $4) "
							"LIMIT $5", rel);
		case TTL_DELETE:
			argtypes[0] = TIDARRAYOID;
			argtypes[1] = TEXTOID;
			argtypes[2] = TIMESTAMPTZOID;
			*nargs = 3;
			return psprintf("DELETE FROM ONLY %s WHERE ctid OPERATOR(pg_catalog.=) ANY ($1) "
							"AND singletable.is_expired(item, $2, $3)", rel);
	}
	elog(ERROR, "unrecognized time to live statement %d", kind);
	return NULL;
}

/* Write the logical message that starts (relid) or ends (InvalidOid) TTL deletions. */
static void
log_marker(Oid relid)
{
	char		buf[16];

	if (!XLogLogicalInfoActive())
		return;
	snprintf(buf, sizeof(buf), "%u", relid);
#if PG_VERSION_NUM >= 170000
	(void) LogLogicalMessage(ST_TTL_MESSAGE_PREFIX, buf, strlen(buf), true, false);
#else
	(void) LogLogicalMessage(ST_TTL_MESSAGE_PREFIX, buf, strlen(buf), true);
#endif
}

/*
 * Read a logical message: true when it is a TTL marker, with *relid the
 * table whose deletions follow, InvalidOid when they have ended.
 */
bool
st_ttl_read_marker(const char *prefix, const char *message, Size size, Oid *relid)
{
	char		buf[16];
	char	   *end;
	unsigned long v;

	if (strcmp(prefix, ST_TTL_MESSAGE_PREFIX) != 0 || size == 0 || size >= sizeof(buf) ||
		!isdigit((unsigned char) message[0]))
		return false;
	memcpy(buf, message, size);
	buf[size] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (*end != '\0' || errno != 0 || v > PG_UINT32_MAX)
		return false;
	*relid = (Oid) v;
	return true;
}

void
st_ttl_pass_init(StTtlPass *pass, Oid relid)
{
	pass->relid = relid;
	ItemPointerSet(&pass->next, 0, 0);
	pass->nblocks = InvalidBlockNumber;
	pass->done = false;
	pass->deleted = 0;
	pass->cxt = CurrentMemoryContext;
	pass->resumed = false;
}

/*
 * One batch of a pass over table t, with the current user's rights: see the
 * file header.  Returns the number of items deleted.
 */
static int
expire_batch(StTable *t, const char *attr, StTtlPass *pass, int limit)
{
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	BlockNumber start;
	BlockNumber end;
	ItemPointerData to;
	ItemPointerData last;
	Datum		args[5];
	uint64		nfound;
	ItemPointerData *found;
	Datum	   *locked;
	int			nlocked = 0;
	int			ndeleted = 0;

	if (t->distributed)
	{
		ndeleted = st_citus_expire_batch(t, attr, pass, limit, now);
		pass->deleted += ndeleted;
		return ndeleted;
	}
	if (pass->nblocks == InvalidBlockNumber)
	{
		Relation	rel = table_open(t->relid, AccessShareLock);

		pass->nblocks = RelationGetNumberOfBlocks(rel);
		table_close(rel, NoLock);
	}
	start = ItemPointerGetBlockNumberNoCheck(&pass->next);
	if (start >= pass->nblocks)
	{
		pass->done = true;
		return 0;
	}
	end = pass->nblocks - start > ST_TTL_BATCH_BLOCKS ? start + ST_TTL_BATCH_BLOCKS : pass->nblocks;
	ItemPointerSet(&to, end, 0);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = PointerGetDatum(&pass->next);
	args[1] = PointerGetDatum(&to);
	args[2] = CStringGetTextDatum(attr);
	args[3] = TimestampTzGetDatum(now);
	args[4] = Int64GetDatum(limit);
	if (SPI_execute_plan(st_table_plan(t, build_ttl_statement, TTL_FIND), args, NULL,
						 false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not find the expired items of table %s", t->table_name);
	nfound = SPI_processed;
	found = palloc(sizeof(ItemPointerData) * Max(nfound, 1));
	ItemPointerSet(&last, 0, 0);
	for (uint64 i = 0; i < nfound; i++)
	{
		bool		isnull;

		found[i] = *(ItemPointer) DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[i],
																SPI_tuptable->tupdesc, 1, &isnull));
		if (ItemPointerCompare(&found[i], &last) > 0)
			last = found[i];
	}

	/*
	 * A full batch stopped early: the next one starts after the last item it
	 * found.  The scan reads the blocks in order, so nothing before that is
	 * left unread (were it to read them out of order, what it skipped would
	 * wait for the next pass).  Sorting instead would make every batch read
	 * all its blocks.
	 */
	if (nfound == (uint64) limit)
		ItemPointerSet(&pass->next, ItemPointerGetBlockNumber(&last),
					   ItemPointerGetOffsetNumber(&last) + 1);
	else
	{
		ItemPointerSet(&pass->next, end, 0);
		pass->done = end >= pass->nblocks;
	}

	locked = palloc(sizeof(Datum) * Max(nfound, 1));
	if (nfound > 0)
	{
		Relation	rel = table_open(t->relid, RowShareLock);
		TupleTableSlot *slot = table_slot_create(rel, NULL);
		CommandId	cid = GetCurrentCommandId(true);

		for (uint64 i = 0; i < nfound; i++)
		{
			TM_FailureData tmfd;

			CHECK_FOR_INTERRUPTS();
			if (table_tuple_lock(rel, &found[i], GetActiveSnapshot(), slot, cid,
								 LockTupleExclusive, LockWaitSkip, 0, &tmfd) == TM_Ok)
				locked[nlocked++] = PointerGetDatum(&found[i]);
		}
		ExecDropSingleTupleTableSlot(slot);
		table_close(rel, NoLock);
	}

	if (nlocked > 0)
	{
		args[0] = PointerGetDatum(construct_array(locked, nlocked, TIDOID,
												  sizeof(ItemPointerData), false,
												  TYPALIGN_SHORT));
		args[1] = CStringGetTextDatum(attr);
		args[2] = TimestampTzGetDatum(now);
		log_marker(t->relid);
		if (SPI_execute_plan(st_table_plan(t, build_ttl_statement, TTL_DELETE), args, NULL,
							 false, 0) != SPI_OK_DELETE)
			elog(ERROR, "could not delete the expired items of table %s", t->table_name);
		ndeleted = (int) SPI_processed;
		log_marker(InvalidOid);
	}
	SPI_finish();
	pass->deleted += ndeleted;
	return ndeleted;
}

/*
 * The next batch of a pass, deleting at most limit items: with the current
 * user's rights, or as_owner with the table owner's (the background
 * workers), skipping the table until the next pass when another
 * transaction holds a lock that conflicts with deleting.  The pass is done
 * when the table or its TTL setting is gone.  Call inside a transaction
 * with an active snapshot; returns the number of items deleted.
 */
int
st_ttl_expire_batch(StTtlPass *pass, int limit, bool as_owner)
{
	StTable    *t;
	char	   *attr;
	Oid			save_userid = InvalidOid;
	int			save_sec_context = 0;
	int			save_nestlevel = 0;
	int			n;

	if (as_owner && !ConditionalLockRelationOid(pass->relid, RowExclusiveLock))
	{
		pass->done = true;
		return 0;
	}
	t = st_table_lookup(pass->relid, true);
	attr = t ? ttl_attribute(pass->relid, false) : NULL;
	if (attr == NULL)
	{
		pass->done = true;
		return 0;
	}
	if (as_owner)
	{
		HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(pass->relid));
		Oid			owner;

		if (!HeapTupleIsValid(tup))
		{
			pass->done = true;
			return 0;
		}
		owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
		ReleaseSysCache(tup);

		/*
		 * As REFRESH MATERIALIZED VIEW runs a view's query: the owner's
		 * triggers cannot change the session, and settings they make end
		 * with the batch.
		 */
		GetUserIdAndSecContext(&save_userid, &save_sec_context);
		SetUserIdAndSecContext(owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
							   SECURITY_RESTRICTED_OPERATION);
		save_nestlevel = NewGUCNestLevel();
	}
	n = expire_batch(t, attr, pass, limit);
	if (as_owner)
	{
		AtEOXact_GUC(false, save_nestlevel);
		SetUserIdAndSecContext(save_userid, save_sec_context);
	}
	return n;
}

/*
 * The tables of the current database that have TTL enabled, as a List of
 * OIDs allocated in the caller's memory context; NIL when the extension is
 * not installed, or not updated to a version with TTL.
 */
List *
st_ttl_tables(void)
{
	MemoryContext outer = CurrentMemoryContext;
	Oid			nsp = get_namespace_oid("singletable", true);
	Oid			tables = OidIsValid(nsp) ? get_relname_relid("tables", nsp) : InvalidOid;
	List	   *result = NIL;

	if (!OidIsValid(get_extension_oid("singletable", true)) || !OidIsValid(tables) ||
		get_attnum(tables, "ttl_attribute") == InvalidAttrNumber)
		return NIL;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT relid::pg_catalog.oid FROM singletable.tables "
					"WHERE ttl_attribute IS NOT NULL ORDER BY 1", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the tables with time to live");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
														   SPI_tuptable->tupdesc, 1, &isnull));
		MemoryContext old = MemoryContextSwitchTo(outer);

		result = lappend_oid(result, relid);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return result;
}

/*
 * expire_items(tbl regclass, max_items integer) RETURNS bigint
 *
 * One pass over the table in the caller's transaction, deleting at most
 * max_items expired items (NULL: all of them), in batches of
 * singletable.ttl_batch_size.  Needs DELETE (and SELECT) privilege on the
 * table.  Returns the number of items deleted.
 */
static Datum
expire_items_sql(PG_FUNCTION_ARGS)
{
	Oid			relid;
	int64		max_items = PG_INT64_MAX;
	StTable    *t;
	AclResult	aclresult;
	StTtlPass	pass;

	if (PG_ARGISNULL(0))
		null_argument("table", "tableName");
	relid = PG_GETARG_OID(0);
	if (!PG_ARGISNULL(1))
	{
		max_items = PG_GETARG_INT32(1);
		if (max_items < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_items must be at least 1"),
					 errhint("Pass NULL to expire every expired item.")));
	}
	/* it locks rows itself, before its DELETE would say so */
	PreventCommandIfReadOnly("expire_items()");
	PreventCommandDuringRecovery("expire_items()");
	t = st_table_lookup(relid, false);
	if (ttl_attribute(relid, false) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("time to live is not enabled on table \"%s\"", t->table_name),
				 errhint("Enable it with singletable.update_time_to_live().")));
	aclresult = pg_class_aclcheck(relid, GetUserId(), ACL_DELETE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_TABLE, t->table_name);

	st_ttl_pass_init(&pass, relid);
	while (!pass.done && pass.deleted < max_items)
	{
		CHECK_FOR_INTERRUPTS();
		(void) st_ttl_expire_batch(&pass, (int) Min(st_ttl_batch_size, max_items - pass.deleted),
								   false);
	}
	PG_RETURN_INT64(pass.deleted);
}

ST_FUNCTION_HIDING_SQL(st_sql_expire_items, expire_items_sql)
