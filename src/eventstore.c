/*
 * eventstore.c
 *	  The event store: append_events, read_stream, stream_version,
 *	  save_snapshot, load_stream and events_by_type, over an ordinary
 *	  singletable table with string partition and sort keys, in the seed's
 *	  layout (attribute names are the table's own key attributes):
 *
 *	    PK = <stream>  SK = VERSION              {"version": N}
 *	    PK = <stream>  SK = EVENT#0000000001     one event per version
 *	    PK = <stream>  SK = SNAPSHOT#0000000042  {"version": 42, "state": ...}
 *
 *	  Appends serialize on the stream's VERSION item alone, in the caller's
 *	  transaction.  The common case, an existing stream at the expected
 *	  version, is one UPDATE that checks and bumps the version (under READ
 *	  COMMITTED it re-checks the newest version after waiting for a
 *	  concurrent append), then one INSERT of all the events.  Everything
 *	  else takes the general path: lock the item with SELECT ... FOR
 *	  UPDATE, check, look for a retried append's eventIds, explain a
 *	  conflict.  A new stream has no VERSION item to lock: it is created with
 *	  INSERT ... ON CONFLICT DO NOTHING, and when that inserts nothing
 *	  another transaction created the stream first, so the append locks and
 *	  checks again.  The loser of a race therefore always gets the version
 *	  conflict (ST003), never a unique violation.
 *
 *	  All SQL runs through SPI plans prepared once per table and kept by
 *	  plans.c (as items.c does), dropped on relcache invalidation of the
 *	  table, so privileges, row-level security, the table's CHECK
 *	  constraint, generated key columns and GSI triggers apply exactly as
 *	  for plain DML.  The events themselves go in through the direct write
 *	  path of a plain INSERT (st_insert_items_direct, items_direct.c) where
 *	  it applies, which keeps all of that without an executor start-up.
 *	  Item writes of other kinds are items.c's; GSIs themselves are
 *	  index_*.c's.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "args.h"
#include "catalog.h"
#include "citus.h"
#include "errors.h"
#include "items.h"
#include "keys.h"
#include "plans.h"
#include "settings.h"
#include "table_state.h"
#include "typedjson.h"

/* Versions are zero-padded to 10 digits in sort keys. */
#define ES_VERSION_DIGITS	10
#define ES_MAX_VERSION		INT64CONST(9999999999)
#define ES_VERSION_SK		"VERSION"
#define ES_EVENT_PREFIX		"EVENT#"
#define ES_SNAPSHOT_PREFIX	"SNAPSHOT#"

/* Attempts of an append that keeps losing the race to create its stream */
#define ES_MAX_APPEND_RETRIES 100

/* Rows fetched per cursor round trip when reading a stream */
#define ES_FETCH_BATCH 1000

typedef enum EsPlanKind
{
	ES_LOCK_VERSION,			/* SELECT item .. VERSION FOR UPDATE */
	ES_READ_VERSION,			/* SELECT item .. VERSION */
	ES_INSERT_VERSION,			/* INSERT VERSION item ON CONFLICT DO NOTHING */
	ES_UPDATE_VERSION,			/* UPDATE .. SET item = item || $2 */
	ES_BUMP_VERSION,			/* UPDATE version + $2 if it is $3 (or any) */
	ES_INSERT_EVENTS,			/* INSERT .. SELECT unnest($1::jsonb[]) */
	ES_FIND_IDS,				/* events after a version holding given ids */
	ES_READ_FORWARD,			/* events in [from, to], ascending, LIMIT */
	ES_READ_BACKWARD,			/* events in [from, to], descending, LIMIT */
	ES_LATEST_SNAPSHOT			/* newest SNAPSHOT# item */
} EsPlanKind;

/*
 * Per-table state: the events-by-type setting (plans live in plans.c), in
 * the table's ST_STATE_EVENTS slot (table_state.h).
 */
typedef struct EsTable
{
	bool		config_loaded;	/* by_type fields are current */
	bool		by_type;
	char	   *type_pk;		/* in CacheMemoryContext, when by_type */
	char	   *type_sk;
} EsTable;

/* One event of an append_events call, as parsed from its JSON. */
typedef struct EsEvent
{
	char	   *id;				/* eventId (given or generated) */
	int			id_len;
	bool		id_given;
	JsonbValue	type;			/* jbvString */
	JsonbValue	data;			/* eventData, {} when absent */
	JsonbValue	metadata;		/* {} when absent */
} EsEvent;

/* An eventId found in the stream, with its version. */
typedef struct EsStoredId
{
	char	   *id;
	int64		version;
} EsStoredId;

/*
 * After invalidation of the table: forget its setting.  The EsTable itself
 * stays, since a caller may hold it.
 */
static void
st_events_reset_state(StStateSlot *slot)
{
	EsTable    *entry = (EsTable *) DatumGetPointer(slot->value);

	if (entry->type_pk)
		pfree(entry->type_pk);
	if (entry->type_sk)
		pfree(entry->type_sk);
	entry->type_pk = entry->type_sk = NULL;
	entry->by_type = false;
	entry->config_loaded = false;
}

/*
 * A table's event-store state, reset when invalidated (table_state.c runs
 * st_events_reset_state) rather than in the callback, which may run while
 * it is in use.
 */
static EsTable *
es_table_state(StTable *t)
{
	StStateSlot *slot = st_table_state_slot(t->relid, ST_STATE_EVENTS,
												  st_events_reset_state);

	if (slot->value == (Datum) 0)
		slot->value = PointerGetDatum(MemoryContextAllocZero(CacheMemoryContext,
															 sizeof(EsTable)));
	slot->valid = true;
	return (EsTable *) DatumGetPointer(slot->value);
}

/*
 * The SQL of the event store's statements (plans.c keeps their plans).
 * Operators and functions are schema-qualified so that the caller's
 * search_path cannot redirect them.
 */
static char *
es_build_statement(StTable *t, int kind, Oid *argtypes, int *nargs_out)
{
	char	   *rel;
	char	   *sql = NULL;
	int			nargs = 0;
	const char *events_range = "pk OPERATOR(pg_catalog.=) $1 "
		"AND sk OPERATOR(pg_catalog.>=) $2 AND sk OPERATOR(pg_catalog.<=) $3";

	rel = quote_qualified_identifier(t->schema_name, t->table_name);
	argtypes[0] = TEXTOID;
	switch ((EsPlanKind) kind)
	{
		case ES_LOCK_VERSION:
		case ES_READ_VERSION:
			sql = psprintf("SELECT item FROM %s WHERE pk OPERATOR(pg_catalog.=) $1 "
						   "AND sk OPERATOR(pg_catalog.=) '" ES_VERSION_SK "'%s",
						   rel, kind == ES_LOCK_VERSION ? " FOR UPDATE" : "");
			nargs = 1;
			break;
		case ES_INSERT_VERSION:
			sql = psprintf("INSERT INTO %s %s ON CONFLICT (pk, sk) DO NOTHING",
						   rel, st_citus_insert_source(t, "$1", NULL));
			argtypes[0] = JSONBOID;
			nargs = 1;
			break;
		case ES_UPDATE_VERSION:
			sql = psprintf("UPDATE %s SET item = item OPERATOR(pg_catalog.||) $2 "
						   "WHERE pk OPERATOR(pg_catalog.=) $1 "
						   "AND sk OPERATOR(pg_catalog.=) '" ES_VERSION_SK "'", rel);
			argtypes[1] = JSONBOID;
			nargs = 2;
			break;
		case ES_BUMP_VERSION:

			/*
			 * Only a well-formed version (plain digits, at most 10) is cast
			 * and compared, inside a CASE so that the planner cannot cast
			 * first; any other leaves the row alone for the general path,
			 * which explains what is wrong with it.  The SET list is computed
			 * only for the row that passed.
			 */
			sql = psprintf("UPDATE %s SET item = item OPERATOR(pg_catalog.||) "
						   "pg_catalog.jsonb_build_object('version', "
						   "((item OPERATOR(pg_catalog.->>) 'version')::pg_catalog.int8) "
						   "OPERATOR(pg_catalog.+) $2) "
						   "WHERE pk OPERATOR(pg_catalog.=) $1 "
						   "AND sk OPERATOR(pg_catalog.=) '" ES_VERSION_SK "' "
						   "AND CASE WHEN (item OPERATOR(pg_catalog.->) 'version')::pg_catalog.text "
						   "OPERATOR(pg_catalog.~) '^[0-9]{1,%d}$' "
						   "THEN $3 IS NULL OR ((item OPERATOR(pg_catalog.->>) 'version')::pg_catalog.int8) "
						   "OPERATOR(pg_catalog.=) $3 ELSE false END "
						   "RETURNING (item OPERATOR(pg_catalog.->>) 'version')::pg_catalog.int8",
						   rel, ES_VERSION_DIGITS);
			argtypes[1] = INT8OID;
			argtypes[2] = INT8OID;
			nargs = 3;
			break;
		case ES_INSERT_EVENTS:
			sql = psprintf("INSERT INTO %s %s", rel,
						   st_citus_insert_source(t, "i", "pg_catalog.unnest($1) AS i"));
			argtypes[0] = JSONBARRAYOID;
			nargs = 1;
			break;
		case ES_FIND_IDS:
			sql = psprintf("SELECT sk, item OPERATOR(pg_catalog.->>) 'eventId' FROM %s "
						   "WHERE %s AND (item OPERATOR(pg_catalog.->>) 'eventId') "
						   "OPERATOR(pg_catalog.=) ANY ($4)", rel, events_range);
			argtypes[1] = TEXTOID;
			argtypes[2] = TEXTOID;
			argtypes[3] = TEXTARRAYOID;
			nargs = 4;
			break;
		case ES_READ_FORWARD:
		case ES_READ_BACKWARD:
			sql = psprintf("SELECT item FROM %s WHERE %s ORDER BY sk%s LIMIT $4",
						   rel, events_range, kind == ES_READ_BACKWARD ? " DESC" : "");
			argtypes[1] = TEXTOID;
			argtypes[2] = TEXTOID;
			argtypes[3] = INT8OID;
			nargs = 4;
			break;
		case ES_LATEST_SNAPSHOT:
			sql = psprintf("SELECT item FROM %s WHERE pk OPERATOR(pg_catalog.=) $1 "
						   "AND sk OPERATOR(pg_catalog.>) '" ES_SNAPSHOT_PREFIX "' "
						   "AND sk OPERATOR(pg_catalog.<=) '" ES_SNAPSHOT_PREFIX "9999999999' "
						   "ORDER BY sk DESC LIMIT 1", rel);
			nargs = 1;
			break;
	}
	*nargs_out = nargs;
	return sql;
}

/* The kept plan of one of the event store's statements.  Inside SPI_connect. */
static SPIPlanPtr
es_plan(StTable *t, EsPlanKind kind)
{
	return st_table_plan(t, es_build_statement, (int) kind);
}

/*
 * Load the events-by-type setting of a table, once per invalidation.  Must
 * be called inside SPI_connect.
 */
static EsTable *
es_config(StTable *t)
{
	EsTable    *entry = es_table_state(t);
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	int			rc;

	if (entry->config_loaded)
		return entry;
	args[0] = ObjectIdGetDatum(t->relid);
	rc = SPI_execute_with_args("SELECT partition_key, sort_key "
							   "FROM singletable.event_type_indexes "
							   "WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
							   1, argtypes, args, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read the events-by-type setting");
	/* SPI may have processed invalidations: look the entry up again */
	entry = es_table_state(t);
	if (SPI_processed > 0)
	{
		char	   *pk = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *sk = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		entry->type_pk = MemoryContextStrdup(CacheMemoryContext, pk);
		entry->type_sk = MemoryContextStrdup(CacheMemoryContext, sk);
		entry->by_type = true;
	}
	entry->config_loaded = true;
	return entry;
}

/* The names of the attributes the event store writes itself. */
static const char *const event_attrs[] = {
	"eventId", "aggregateId", "eventType", "eventData", "eventVersion",
	"timestamp", "metadata", "version", "state"
};

static bool
is_event_attr(const char *name)
{
	for (int i = 0; i < lengthof(event_attrs); i++)
		if (strcmp(name, event_attrs[i]) == 0)
			return true;
	return false;
}

/*
 * The table argument: a singletable table with string partition and sort
 * keys whose names do not collide with the event attributes.
 */
static StTable *
es_table_arg(FunctionCallInfo fcinfo)
{
	StTable    *t;

	t = st_table_arg(fcinfo, 0);
	if (t->pk_type != ST_KEY_S || t->sk_attr == NULL || t->sk_type != ST_KEY_S)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("table \"%s\" cannot hold event streams", t->table_name),
				 errdetail("ValidationException: An event store needs a partition key and a sort key, both of type S."),
				 errhint("Create the table with singletable.create_table(name), which uses PK and SK of type S.")));
	if (is_event_attr(t->pk_attr) || is_event_attr(t->sk_attr))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("table \"%s\" cannot hold event streams", t->table_name),
				 errdetail("ValidationException: Its key attribute \"%s\" is also an event attribute.",
						   is_event_attr(t->pk_attr) ? t->pk_attr : t->sk_attr)));
	return t;
}

/* The stream argument, validated as a partition key value. */
static char *
es_stream_arg(FunctionCallInfo fcinfo, StTable *t, int argno)
{
	text	   *arg;
	JsonbValue	v;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("stream must not be null"),
				 errdetail("ValidationException: The stream is the partition key of its items.")));
	arg = PG_GETARG_TEXT_PP(argno);
	v.type = jbvString;
	v.val.string.val = VARDATA_ANY(arg);
	v.val.string.len = VARSIZE_ANY_EXHDR(arg);
	/* raises the key's ValidationException when empty or too long */
	(void) st_key_datum_from_value(&v, t->pk_attr, ST_KEY_S,
								   ST_MAX_PARTITION_KEY_BYTES, true);
	return text_to_cstring(arg);
}

/* Write value (not negative) as n decimal digits, zero-padded, at p. */
static void
put_digits(char *p, int64 value, int n)
{
	while (n-- > 0)
	{
		p[n] = '0' + value % 10;
		value /= 10;
	}
}

/* prefix followed by version zero-padded to ES_VERSION_DIGITS */
static char *
version_sk(const char *prefix, int64 version)
{
	int			len = strlen(prefix);
	char	   *sk;

	if (version < 0 || version > ES_MAX_VERSION)
		return psprintf("%s%010lld", prefix, (long long) version);
	sk = palloc(len + ES_VERSION_DIGITS + 1);
	memcpy(sk, prefix, len);
	put_digits(sk + len, version, ES_VERSION_DIGITS);
	sk[len + ES_VERSION_DIGITS] = '\0';
	return sk;
}

/* The version of an EVENT# or SNAPSHOT# sort key. */
static int64
sk_version(const char *sk)
{
	const char *p = strchr(sk, '#');

	return p ? strtoll(p + 1, NULL, 10) : 0;
}

/* A stored attribute value as JSON text for a message, cut to 64 bytes. */
static char *
value_text(JsonbValue *v)
{
	Jsonb	   *j = JsonbValueToJsonb(v);
	char	   *s = JsonbToCString(NULL, &j->root, VARSIZE(j));
	int			len = strlen(s);

	if (len > 64)
		s = psprintf("%.*s...", pg_mbcliplen(s, len, 61), s);
	return s;
}

/*
 * The "version" attribute of a stream's VERSION or SNAPSHOT# item: a number
 * the event store wrote, an integer from 0 to ES_MAX_VERSION.  Anything
 * else was written by hand, and nothing built on it can be right: raise
 * data_corrupted (XX001) naming the item and the value.
 */
static int64
item_version(StTable *t, Jsonb *item, const char *stream)
{
	JsonbValue	v;
	JsonbValue	sk;
	bool		found = st_get_attr(item, "version", &v) != NULL;
	const char *which = ES_VERSION_SK;
	int			which_len = strlen(ES_VERSION_SK);

	if (found && v.type == jbvNumeric)
	{
		Numeric		n = v.val.numeric;

		if (!numeric_is_nan(n) && !numeric_is_inf(n) &&
			DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(n),
											 DirectFunctionCall1(numeric_floor, NumericGetDatum(n)))) &&
			DatumGetBool(DirectFunctionCall2(numeric_ge, NumericGetDatum(n),
											 NumericGetDatum(int64_to_numeric(0)))) &&
			DatumGetBool(DirectFunctionCall2(numeric_le, NumericGetDatum(n),
											 NumericGetDatum(int64_to_numeric(ES_MAX_VERSION)))))
			return DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(n)));
	}
	if (st_get_attr(item, t->sk_attr, &sk) != NULL && sk.type == jbvString)
	{
		which = sk.val.string.val;
		which_len = sk.val.string.len;
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("item \"%.*s\" of stream \"%s\" holds no valid version",
					which_len, which, stream),
			 found ?
			 errdetail("InternalServerError: Its \"version\" attribute is %s, not an integer from 0 to " INT64_FORMAT "; the item was changed outside the event store.",
					   value_text(&v), ES_MAX_VERSION) :
			 errdetail("InternalServerError: It has no \"version\" attribute; the item was changed outside the event store."),
			 strncmp(which, ES_SNAPSHOT_PREFIX, strlen(ES_SNAPSHOT_PREFIX)) == 0 ?
			 errhint("Set \"version\" back to the version in the item's sort key, or delete the snapshot.") :
			 errhint("Set \"version\" back to the number of the stream's newest event.")));
	pg_unreachable();
}

/*
 * The stream's version item read by key (locked FOR UPDATE when lock), or
 * NULL.  *version is 0 when there is none.
 */
static Jsonb *
read_version(StTable *t, Datum stream_datum, const char *stream, bool lock,
			 bool read_only, int64 *version, MemoryContext outer)
{
	Datum		args[1] = {stream_datum};
	int			rc;
	Jsonb	   *item;

	rc = SPI_execute_plan(es_plan(t, lock ? ES_LOCK_VERSION : ES_READ_VERSION),
						  args, NULL, read_only, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read the version of stream \"%s\"", stream);
	item = st_spi_first_jsonb(outer);
	*version = item ? item_version(t, item, stream) : 0;
	return item;
}

/* A jbvString JsonbValue of a C string. */
static JsonbValue *
string_value(JsonbValue *v, const char *s, int len)
{
	v->type = jbvString;
	v->val.string.val = (char *) s;
	v->val.string.len = len < 0 ? strlen(s) : len;
	return v;
}

static JsonbValue *
number_value(JsonbValue *v, int64 n)
{
	v->type = jbvNumeric;
	v->val.numeric = int64_to_numeric(n);
	return v;
}

static void
push_attr(JsonbParseState **state, const char *name, JsonbValue *value)
{
	st_push_key(state, name);
	pushJsonbValue(state, WJB_VALUE, value);
}

static JsonbValue *
empty_object(JsonbValue *v)
{
	JsonbParseState *state = NULL;
	JsonbValue *res;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	*v = *res;
	return v;
}

/* Server time as ISO 8601 UTC with milliseconds: 2026-11-24T22:56:09.123Z */
static char *
iso_timestamp(TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;
	char	   *s;

	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	if (tm.tm_year >= 0 && tm.tm_year <= 9999)
	{
		/* what the format below prints, without its cost on every event */
		s = palloc(25);
		memcpy(s, "0000-00-00T00:00:00.000Z", 25);
		put_digits(s, tm.tm_year, 4);
		put_digits(s + 5, tm.tm_mon, 2);
		put_digits(s + 8, tm.tm_mday, 2);
		put_digits(s + 11, tm.tm_hour, 2);
		put_digits(s + 14, tm.tm_min, 2);
		put_digits(s + 17, tm.tm_sec, 2);
		put_digits(s + 20, fsec / 1000, 3);
		return s;
	}
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
					tm.tm_year, tm.tm_mon, tm.tm_mday,
					tm.tm_hour, tm.tm_min, tm.tm_sec, (int) (fsec / 1000));
}

/*
 * Random bytes for eventIds, drawn from pg_strong_random ES_RANDOM_BATCH
 * bytes at a time: one call of it costs far more than the 16 bytes of a
 * UUID (OpenSSL checks its generator's state on every call).  Each byte is
 * handed out once.  The batch belongs to the process that drew it, so a
 * process forked after a draw never repeats its parent's bytes.
 */
#define ES_RANDOM_BATCH 1024

static uint8 es_random[ES_RANDOM_BATCH];
static int	es_random_next = ES_RANDOM_BATCH;
static int	es_random_pid = 0;

static void
random_bytes(uint8 *b, int len)
{
	Assert(len <= ES_RANDOM_BATCH);
	if (es_random_pid != MyProcPid || es_random_next + len > ES_RANDOM_BATCH)
	{
		es_random_pid = 0;
		if (!pg_strong_random(es_random, ES_RANDOM_BATCH))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random event id")));
		es_random_pid = MyProcPid;
		es_random_next = 0;
	}
	memcpy(b, es_random + es_random_next, len);
	es_random_next += len;
}

/* A random (version 4) UUID in its text form. */
static char *
random_uuid(void)
{
	uint8		b[16];
	char	   *s = palloc(37);
	char	   *p = s;
	static const char hex[] = "0123456789abcdef";

	random_bytes(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (int i = 0; i < 16; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[b[i] >> 4];
		*p++ = hex[b[i] & 0x0f];
	}
	*p = '\0';
	return s;
}

/*
 * Event i (from 0) is malformed: msg and detail are string literals, the
 * rest of "event N ..." and of the DETAIL, so that each message is one
 * whole format string.
 */
#define bad_event(i, msg, detail) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE), \
			 errmsg("event %d " msg, (i) + 1), \
			 errdetail("ValidationException: " detail), \
			 errhint("An event is {\"eventType\": ..., \"eventData\": ..., \"eventId\": ..., \"metadata\": ...}; eventId and metadata are optional.")))

static int
cmp_cstring_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * Parse the events argument: a JSON array of event objects.  Generates the
 * missing eventIds; raises a ValidationException for anything else and
 * ST004 for an eventId given twice.  *nids counts the eventIds given.
 */
static EsEvent *
parse_events(Jsonb *events, int *nevents, int *nids)
{
	int			n;
	EsEvent    *result;
	char	  **ids;
	int			given = 0;

	if (events == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("events must not be null"),
				 errdetail("ValidationException: events is a JSON array of events.")));
	if (JB_ROOT_IS_SCALAR(events) || !JB_ROOT_IS_ARRAY(events))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("events must be a JSON array"),
				 errdetail("ValidationException: events is a JSON array of events.")));
	n = JB_ROOT_COUNT(events);
	if (n > st_max_events_per_append)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cannot append %d events in one call, the limit is %d",
						n, st_max_events_per_append),
				 errdetail("ValidationException: Too many events in one append."),
				 errhint("The limit is the setting singletable.max_events_per_append.")));
	result = palloc0(sizeof(EsEvent) * Max(n, 1));
	ids = palloc(sizeof(char *) * Max(n, 1));

	for (int i = 0; i < n; i++)
	{
		JsonbValue *elem = getIthJsonbValueFromContainer(&events->root, i);
		JsonbContainer *obj;
		JsonbIterator *it;
		JsonbIteratorToken tok;
		JsonbValue	v;
		EsEvent    *ev = &result[i];
		bool		has_type = false;
		bool		has_data = false;
		bool		has_metadata = false;

		if (elem->type != jbvBinary || !JsonContainerIsObject(elem->val.binary.data))
			bad_event(i, "is not a JSON object", "Each event is a JSON object.");
		obj = elem->val.binary.data;
		it = JsonbIteratorInit(obj);
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			char	   *key;

			if (tok != WJB_KEY)
				continue;
			key = pnstrdup(v.val.string.val, v.val.string.len);
			tok = JsonbIteratorNext(&it, &v, true);
			Assert(tok == WJB_VALUE);
			if (strcmp(key, "eventType") == 0)
			{
				if (v.type != jbvString || v.val.string.len == 0)
					bad_event(i, "has an invalid \"eventType\"",
							  "eventType must be a non-empty string.");
				ev->type = v;
				has_type = true;
			}
			else if (strcmp(key, "eventId") == 0)
			{
				if (v.type != jbvString || v.val.string.len == 0)
					bad_event(i, "has an invalid \"eventId\"",
							  "eventId must be a non-empty string.");
				ev->id = pnstrdup(v.val.string.val, v.val.string.len);
				ev->id_len = v.val.string.len;
				ev->id_given = true;
				ids[given++] = ev->id;
			}
			else if (strcmp(key, "eventData") == 0)
			{
				ev->data = v;
				has_data = true;
			}
			else if (strcmp(key, "metadata") == 0)
			{
				ev->metadata = v;
				has_metadata = true;
			}
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("event %d has unrecognized attribute \"%s\"", i + 1, key),
						 errdetail("ValidationException: An event has only eventId, eventType, eventData and metadata."),
						 errhint("Put application attributes in eventData or metadata.")));
		}
		if (!has_type)
			bad_event(i, "has no \"eventType\"", "eventType is required.");
		if (!has_data)
			empty_object(&ev->data);
		if (!has_metadata)
			empty_object(&ev->metadata);
		if (!ev->id_given)
		{
			ev->id = random_uuid();
			ev->id_len = strlen(ev->id);
		}
	}

	if (given > 1)
	{
		qsort(ids, given, sizeof(char *), cmp_cstring_ptr);
		for (int i = 1; i < given; i++)
			if (strcmp(ids[i - 1], ids[i]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("eventId \"%s\" appears twice in one append", ids[i]),
						 errdetail("ValidationException: The eventIds of an append must be distinct.")));
	}
	pfree(ids);
	*nevents = n;
	*nids = given;
	return result;
}

/* Set *pair to attribute name with value, a scalar or an unpacked container. */
static JsonbPair *
set_pair(JsonbPair *pair, const char *name, JsonbValue *value)
{
	string_value(&pair->key, name, -1);
	pair->value = *value;
	return pair + 1;
}

/* A value as st_object_from_pairs takes it: a stored container unpacked. */
static JsonbValue *
unpacked(JsonbValue *v)
{
	JsonbParseState *state = NULL;
	JsonbValue *array;

	if (v->type != jbvBinary)
		return v;
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	pushJsonbValue(&state, WJB_ELEM, v);
	array = pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	return &array->val.array.elems[0];
}

/* One event item. */
static Datum
build_event_item(StTable *t, EsTable *es, const char *stream, EsEvent *ev,
				 int64 version, const char *ts)
{
	JsonbPair	pairs[11];
	JsonbPair  *p = pairs;
	JsonbValue	v;
	Jsonb	   *item;
	char	   *sk = version_sk(ES_EVENT_PREFIX, version);

	p = set_pair(p, t->pk_attr, string_value(&v, stream, -1));
	p = set_pair(p, t->sk_attr, string_value(&v, sk, -1));
	p = set_pair(p, "eventId", string_value(&v, ev->id, ev->id_len));
	p = set_pair(p, "aggregateId", string_value(&v, stream, -1));
	p = set_pair(p, "eventType", &ev->type);
	p = set_pair(p, "eventData", unpacked(&ev->data));
	p = set_pair(p, "eventVersion", number_value(&v, version));
	p = set_pair(p, "timestamp", string_value(&v, ts, -1));
	p = set_pair(p, "metadata", unpacked(&ev->metadata));
	if (es->by_type)
	{
		StringInfoData pk;

		initStringInfo(&pk);
		appendStringInfoString(&pk, ES_EVENT_PREFIX);
		appendBinaryStringInfo(&pk, ev->type.val.string.val, ev->type.val.string.len);
		p = set_pair(p, es->type_pk, string_value(&v, pk.data, pk.len));
		p = set_pair(p, es->type_sk, string_value(&v, ts, -1));
	}
	/* the JsonbValues point to sk until they are serialized */
	item = st_object_from_pairs(pairs, p - pairs);
	pfree(sk);
	st_check_item_size(item);
	return JsonbPGetDatum(item);
}

static Jsonb *
version_item(StTable *t, const char *stream, int64 version)
{
	JsonbPair	pairs[3];
	JsonbPair  *p = pairs;
	JsonbValue	v;

	p = set_pair(p, t->pk_attr, string_value(&v, stream, -1));
	p = set_pair(p, t->sk_attr, string_value(&v, ES_VERSION_SK, -1));
	p = set_pair(p, "version", number_value(&v, version));
	return st_object_from_pairs(pairs, p - pairs);
}

/* {"version": version}, what the VERSION item's update sets */
static Jsonb *
version_object(int64 version)
{
	JsonbParseState *state = NULL;
	JsonbValue	v;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	push_attr(&state, "version", number_value(&v, version));
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

/* The version bump of an append's common case, as ES_BUMP_VERSION does it. */
typedef struct EsBump
{
	int64		n;				/* events appended */
	int64		expected;		/* the version to find, -1 for any */
	int64		version;		/* the new version, -1 until bumped */
	StTable    *t;
	const char *stream;
} EsBump;

/*
 * The VERSION item with its version raised by bump->n, or NULL when its
 * version is not plain digits (at most 10) or not the expected one: the
 * SET and WHERE of ES_BUMP_VERSION, for st_update_item_direct().
 */
static Jsonb *
bump_version(Jsonb *old, void *arg)
{
	EsBump	   *bump = (EsBump *) arg;
	JsonbValue	v;
	char	   *digits;
	size_t		len;
	int64		version;
	Datum		item;

	if (st_get_attr(old, "version", &v) == NULL || v.type != jbvNumeric)
		return NULL;
	digits = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v.val.numeric)));
	len = strlen(digits);
	if (len == 0 || len > ES_VERSION_DIGITS || strspn(digits, "0123456789") != len)
		return NULL;
	version = pg_strtoint64(digits);
	if (bump->expected >= 0 && version != bump->expected)
		return NULL;
	bump->version = version + bump->n;

	/*
	 * The seed's VERSION item holds its two keys and "version", nothing else
	 * (the key attributes are not "version": see es_table_arg).  Built anew,
	 * it is what the concatenation below makes of it, byte for byte (jsonb
	 * keeps an object's keys in one order), and passes item_check: its key
	 * values are the ones looked up, its number the event store's own.
	 */
	if (JB_ROOT_COUNT(old) == 3)
		return version_item(bump->t, bump->stream, bump->version);
	item = DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(old),
							   JsonbPGetDatum(version_object(bump->version)));
	DirectFunctionCall1(st_sql_item_check, item);
	return DatumGetJsonbP(item);
}

static int
cmp_stored_id(const void *a, const void *b)
{
	return strcmp(((const EsStoredId *) a)->id, ((const EsStoredId *) b)->id);
}

/*
 * Look for the given eventIds among the stream's events after version base.
 * Returns -1 when none is stored; the version the stream had after them when
 * all are stored, in order, at consecutive versions starting at base + 1
 * (or anywhere when anywhere); raises ST004 otherwise.
 */
static int64
find_stored_events(StTable *t, Datum stream_datum, const char *stream,
				   EsEvent *events, int n, int nids, int64 base, bool anywhere)
{
	Datum	   *id_datums = palloc(sizeof(Datum) * nids);
	Datum		args[4];
	int			k = 0;
	int			nfound;
	EsStoredId *found;
	int64		first = -1;

	for (int i = 0; i < n; i++)
		if (events[i].id_given)
			id_datums[k++] = PointerGetDatum(cstring_to_text_with_len(events[i].id,
																	  events[i].id_len));
	args[0] = stream_datum;
	args[1] = CStringGetTextDatum(version_sk(ES_EVENT_PREFIX, base + 1));
	args[2] = CStringGetTextDatum(version_sk(ES_EVENT_PREFIX, ES_MAX_VERSION));
	args[3] = PointerGetDatum(construct_array(id_datums, nids, TEXTOID, -1, false, TYPALIGN_INT));
	if (SPI_execute_plan(es_plan(t, ES_FIND_IDS), args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not look up eventIds in stream \"%s\"", stream);
	nfound = SPI_processed;
	if (nfound == 0)
		return -1;
	found = palloc(sizeof(EsStoredId) * nfound);
	for (int i = 0; i < nfound; i++)
	{
		char	   *sk = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		found[i].id = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		found[i].version = sk_version(sk);
	}
	qsort(found, nfound, sizeof(EsStoredId), cmp_stored_id);

	for (int i = 0; i < n; i++)
	{
		EsStoredId	key;
		EsStoredId *hit = NULL;
		int64		want;

		if (events[i].id_given)
		{
			key.id = events[i].id;
			hit = bsearch(&key, found, nfound, sizeof(EsStoredId), cmp_stored_id);
		}
		if (i == 0 && hit)
			first = anywhere ? hit->version : base + 1;
		want = first + i;
		if (first < 0 || hit == NULL || hit->version != want)
		{
			/* name an event that is stored, and where */
			EsEvent    *ev = NULL;
			EsStoredId *h = hit;
			int			pos = i;

			if (h == NULL)
			{
				for (int j = 0; j < n && h == NULL; j++)
				{
					if (!events[j].id_given)
						continue;
					key.id = events[j].id;
					h = bsearch(&key, found, nfound, sizeof(EsStoredId), cmp_stored_id);
					pos = j;
				}
			}
			ev = &events[pos];
			ereport(ERROR,
					(errcode(ST_ERRCODE_DUPLICATE_EVENT),
					 errmsg("eventId \"%s\" is already stored in stream \"%s\" at version " INT64_FORMAT,
							ev->id, stream, h->version),
					 errdetail("ConditionalCheckFailedException: The append repeats stored events at other positions, so it is neither new nor a retry of an earlier append."),
					 errhint("Give new events new eventIds; a retry must repeat the whole earlier append with its expected version.")));
		}
	}
	return first + n - 1;
}

/*
 * Insert the events as versions first .. first + n - 1: through the direct
 * write path (items_direct.c) after the table's CHECK constraint, as the
 * INSERT would run it, or else in one INSERT statement.
 */
static void
insert_events(StTable *t, const char *stream, EsEvent *events, int n, int64 first)
{
	EsTable    *es = es_config(t);
	char	   *ts = iso_timestamp(GetCurrentTimestamp());
	Datum	   *items = palloc(sizeof(Datum) * n);
	Datum		args[1];

	t = st_citus_lock_for_write(t);
	for (int i = 0; i < n; i++)
	{
		items[i] = build_event_item(t, es, stream, &events[i], first + i, ts);
		DirectFunctionCall1(st_sql_item_check, items[i]);
	}
	if (st_insert_items_direct(t, (Jsonb **) items, n))
		return;
	args[0] = PointerGetDatum(construct_array(items, n, JSONBOID, -1, false, TYPALIGN_INT));
	if (SPI_execute_plan(es_plan(t, ES_INSERT_EVENTS), args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not append to stream \"%s\"", stream);
	for (int i = 0; i < n && st_citus_write_needs_old_item(t); i++)
	{
		CHECK_FOR_INTERRUPTS();
		st_citus_write_indexes(t, NULL, DatumGetJsonbP(items[i]));
	}
}

static void
too_many_versions(const char *stream)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("stream \"%s\" cannot grow beyond version " INT64_FORMAT,
					stream, ES_MAX_VERSION),
			 errdetail("ValidationException: Versions have at most 10 digits.")));
}

static void
version_conflict(const char *stream, int64 expected, bool must_exist, int64 actual)
{
	if (must_exist && expected < 0)
		ereport(ERROR,
				(errcode(ST_ERRCODE_VERSION_CONFLICT),
				 errmsg("version conflict on stream \"%s\": expected an existing stream, actual version " INT64_FORMAT,
						stream, actual),
				 errdetail("ConditionalCheckFailedException: WrongExpectedVersion, the stream does not exist.")));
	ereport(ERROR,
			(errcode(ST_ERRCODE_VERSION_CONFLICT),
			 errmsg("version conflict on stream \"%s\": expected version " INT64_FORMAT ", actual version " INT64_FORMAT,
					stream, expected, actual),
			 errdetail("ConditionalCheckFailedException: WrongExpectedVersion, the stream is not at the expected version."),
			 errhint("Read the stream again, decide again, and append with its current version.")));
}

/*
 * append_events(tbl regclass, stream text, events jsonb,
 *               expected_version bigint, stream_must_exist boolean)
 *   RETURNS bigint
 */
static Datum
append_events(PG_FUNCTION_ARGS)
{
	StTable    *t = es_table_arg(fcinfo);
	char	   *stream = es_stream_arg(fcinfo, t, 1);
	Jsonb	   *events_arg = st_jsonb_arg(fcinfo, 2);
	bool		any_version = PG_ARGISNULL(3);
	int64		expected = any_version ? -1 : PG_GETARG_INT64(3);
	bool		must_exist = PG_ARGISNULL(4) ? false : PG_GETARG_BOOL(4);
	MemoryContext outer = CurrentMemoryContext;
	Datum		stream_datum = CStringGetTextDatum(stream);
	EsEvent    *events;
	int			n;
	int			nids;
	int64		current = 0;
	int64		result = -1;
	int			attempt;

	if (!any_version && expected < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expected_version must not be negative"),
				 errdetail("ValidationException: expected_version is NULL (any), 0 (no stream) or the stream's version."),
				 errhint("Use stream_must_exist => true to require an existing stream at any version.")));
	if (!any_version && expected > ES_MAX_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expected_version " INT64_FORMAT " is beyond the largest version " INT64_FORMAT,
						expected, ES_MAX_VERSION),
				 errdetail("ValidationException: Versions have at most 10 digits.")));
	if (must_exist && !any_version && expected == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expected_version 0 contradicts stream_must_exist"),
				 errdetail("ValidationException: expected_version 0 means the stream must not exist.")));
	events = parse_events(events_arg, &n, &nids);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/*
	 * The common case, an existing stream at the expected version (or any
	 * version, with no eventIds to look up): one UPDATE checks and bumps the
	 * version, holding the row lock to the end of the transaction.  When it
	 * updates nothing (no stream yet, a mismatch, a concurrent change), the
	 * general path below locks, checks and explains.  Not on a table Citus
	 * distributes: it refuses the UPDATE's non-immutable casts of a column.
	 */
	if (n > 0 && (any_version ? nids == 0 : expected > 0) && !t->distributed)
	{
		EsBump		bump = {n, any_version ? -1 : expected, -1, t, stream};
		Datum		keys[2] = {stream_datum, CStringGetTextDatum(ES_VERSION_SK)};
		StDirectUpdate done = st_update_item_direct(t, keys, bump_version, &bump);

		if (done == ST_DIRECT_NOT_APPLIED)
		{
			Datum		args[3];
			char		nulls[3] = {' ', ' ', any_version ? 'n' : ' '};
			bool		isnull;

			args[0] = stream_datum;
			args[1] = Int64GetDatum((int64) n);
			args[2] = Int64GetDatum(expected);
			if (SPI_execute_plan(es_plan(t, ES_BUMP_VERSION), args, nulls, false, 0) != SPI_OK_UPDATE_RETURNING)
				elog(ERROR, "could not update the version of stream \"%s\"", stream);
			if (SPI_processed == 1)
				bump.version = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
														   SPI_tuptable->tupdesc, 1, &isnull));
		}
		if (bump.version >= 0)
		{
			result = bump.version;
			if (result > ES_MAX_VERSION)
				too_many_versions(stream);
			insert_events(t, stream, events, n, result - n + 1);
			SPI_finish();
			PG_RETURN_INT64(result);
		}
	}

	for (attempt = 0;; attempt++)
	{
		Jsonb	   *version_row;
		bool		version_ok;
		Datum		args[2];

		if (attempt >= ES_MAX_APPEND_RETRIES)
			ereport(ERROR,
					(errcode(ST_ERRCODE_TRANSACTION_CONFLICT),
					 errmsg("could not append to stream \"%s\" after %d attempts", stream, attempt),
					 errdetail("TransactionConflictException: The stream was being created by other transactions."),
					 errhint("Under REPEATABLE READ or SERIALIZABLE, retry the transaction.")));

		version_row = read_version(t, stream_datum, stream, true, false, &current, outer);
		if (any_version)
			version_ok = !must_exist || version_row != NULL;
		else
			version_ok = (current == expected);

		/*
		 * A retry of an append that succeeded: its events are stored after
		 * the version it expected (anywhere in the stream when it expected
		 * any version).  An explicit expected version that matches leaves
		 * nothing after it to look at.
		 */
		if (nids > 0 && (any_version || !version_ok))
		{
			int64		base = any_version ? 0 : expected;

			if (current > base)
			{
				int64		stored = find_stored_events(t, stream_datum, stream, events,
														n, nids, base, any_version);

				if (stored >= 0)
				{
					result = stored;
					break;
				}
			}
		}
		if (!version_ok)
		{
			SPI_finish();
			version_conflict(stream, expected, must_exist, current);
		}
		if (n == 0)
		{
			result = current;
			break;
		}
		if (current + n > ES_MAX_VERSION)
			too_many_versions(stream);

		result = current + n;
		if (version_row == NULL)
		{
			args[0] = JsonbPGetDatum(version_item(t, stream, result));
			if (SPI_execute_plan(es_plan(t, ES_INSERT_VERSION), args, NULL, false, 0) != SPI_OK_INSERT)
				elog(ERROR, "could not create stream \"%s\"", stream);
			if (SPI_processed == 0)
				continue;		/* created concurrently: lock it and check again */
		}
		else
		{
			args[0] = stream_datum;
			args[1] = JsonbPGetDatum(version_object(result));
			if (SPI_execute_plan(es_plan(t, ES_UPDATE_VERSION), args, NULL, false, 0) != SPI_OK_UPDATE ||
				SPI_processed != 1)
				elog(ERROR, "could not update the version of stream \"%s\"", stream);
		}

		insert_events(t, stream, events, n, current + 1);
		break;
	}
	SPI_finish();
	PG_RETURN_INT64(result);
}

/*
 * Run a read plan through a cursor, appending each row's first column to
 * tupstore (when not NULL) or to *array (a jsonb array being built), at
 * most limit rows (-1: all).  Must be called inside SPI_connect.
 */
static void
es_read_rows(SPIPlanPtr plan, Datum *args, Tuplestorestate *tupstore, TupleDesc desc,
			 JsonbParseState **array, int64 limit)
{
	Portal		portal = SPI_cursor_open(NULL, plan, args, NULL, true);
	int64		remaining = limit;

	for (;;)
	{
		long		want = ES_FETCH_BATCH;

		if (remaining >= 0 && remaining < want)
			want = (long) remaining;
		if (want == 0)
			break;
		SPI_cursor_fetch(portal, true, want);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

			if (tupstore)
				tuplestore_putvalues(tupstore, desc, &d, &isnull);
			else if (!isnull)
			{
				JsonbValue	v;

				/* a copy: the array points into it after the batch is freed */
				Jsonb	   *item = DatumGetJsonbPCopy(d);

				v.type = jbvBinary;
				v.val.binary.data = &item->root;
				v.val.binary.len = VARSIZE(item) - VARHDRSZ;
				pushJsonbValue(array, WJB_ELEM, &v);
			}
		}
		if (remaining >= 0)
			remaining -= SPI_processed;
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
}

/*
 * read_stream(tbl regclass, stream text, from_version bigint, "limit" bigint,
 *             forward boolean) RETURNS SETOF jsonb
 */
static Datum
read_stream(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo;
	StTable    *t = es_table_arg(fcinfo);
	char	   *stream = es_stream_arg(fcinfo, t, 1);
	bool		forward = PG_ARGISNULL(4) ? true : PG_GETARG_BOOL(4);
	int64		from = PG_ARGISNULL(2) ? -1 : PG_GETARG_INT64(2);
	int64		limit = PG_ARGISNULL(3) ? -1 : PG_GETARG_INT64(3);
	int64		lo;
	int64		hi;
	Datum		args[4];

	if (!PG_ARGISNULL(2) && (from < 1 || from > ES_MAX_VERSION))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_version must be between 1 and " INT64_FORMAT, ES_MAX_VERSION),
				 errdetail("ValidationException: Events are numbered from version 1.")));
	if (!PG_ARGISNULL(3) && limit < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("limit must not be negative"),
				 errdetail("ValidationException: limit is the most events to return.")));

	/* one jsonb column: the executor's expected descriptor is that */
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	if (forward)
	{
		lo = from < 0 ? 1 : from;
		hi = ES_MAX_VERSION;
	}
	else
	{
		lo = 1;
		hi = from < 0 ? ES_MAX_VERSION : from;
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = CStringGetTextDatum(stream);
	args[1] = CStringGetTextDatum(version_sk(ES_EVENT_PREFIX, lo));
	args[2] = CStringGetTextDatum(version_sk(ES_EVENT_PREFIX, hi));
	args[3] = Int64GetDatum(limit < 0 ? PG_INT64_MAX : limit);
	es_read_rows(es_plan(t, forward ? ES_READ_FORWARD : ES_READ_BACKWARD),
				 args, rsinfo->setResult, rsinfo->setDesc, NULL, limit);
	SPI_finish();
	return (Datum) 0;
}

/* stream_version(tbl regclass, stream text) RETURNS bigint */
static Datum
stream_version(PG_FUNCTION_ARGS)
{
	StTable    *t = es_table_arg(fcinfo);
	char	   *stream = es_stream_arg(fcinfo, t, 1);
	int64		version;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	(void) read_version(t, CStringGetTextDatum(stream), stream, false, true,
						&version, CurrentMemoryContext);
	SPI_finish();
	PG_RETURN_INT64(version);
}

/*
 * save_snapshot(tbl regclass, stream text, version bigint, state jsonb)
 *   RETURNS void
 *
 * Stores {"version": N, "state": ..., "timestamp": ...} under SNAPSHOT#N,
 * replacing a snapshot of the same version.  The version must be one the
 * stream has reached.
 */
static Datum
save_snapshot(PG_FUNCTION_ARGS)
{
	StTable    *t = es_table_arg(fcinfo);
	char	   *stream = es_stream_arg(fcinfo, t, 1);
	int64		version;
	int64		current;
	Jsonb	   *state;
	Jsonb	   *snapshot;
	JsonbParseState *ps = NULL;
	JsonbValue	v;
	Datum		args[1];
	char	   *sk;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 PG_ARGISNULL(2) ? errmsg("version must not be null") :
				 errmsg("state must not be null"),
				 errdetail("ValidationException: A snapshot is the state of a stream at a version.")));
	version = PG_GETARG_INT64(2);
	state = PG_GETARG_JSONB_P(3);
	if (version < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot version must be at least 1"),
				 errdetail("ValidationException: A snapshot follows at least one event.")));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	(void) read_version(t, CStringGetTextDatum(stream), stream, false, false,
						&current, CurrentMemoryContext);
	if (version > current)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot version " INT64_FORMAT " is beyond the version " INT64_FORMAT " of stream \"%s\"",
						version, current, stream),
				 errdetail("ValidationException: A snapshot can only hold the state of events already appended.")));

	sk = version_sk(ES_SNAPSHOT_PREFIX, version);
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	push_attr(&ps, t->pk_attr, string_value(&v, stream, -1));
	push_attr(&ps, t->sk_attr, string_value(&v, sk, -1));
	push_attr(&ps, "version", number_value(&v, version));
	st_push_key(&ps, "state");
	if (JB_ROOT_IS_SCALAR(state))
	{
		JsonbValue	scalar;

		JsonbExtractScalar(&state->root, &scalar);
		pushJsonbValue(&ps, WJB_VALUE, &scalar);
	}
	else
	{
		v.type = jbvBinary;
		v.val.binary.data = &state->root;
		v.val.binary.len = VARSIZE(state) - VARHDRSZ;
		pushJsonbValue(&ps, WJB_VALUE, &v);
	}
	push_attr(&ps, "timestamp", string_value(&v, iso_timestamp(GetCurrentTimestamp()), -1));
	snapshot = JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
	st_check_item_size(snapshot);
	args[0] = JsonbPGetDatum(snapshot);
	if (SPI_execute_plan(st_item_plan(t, ST_STMT_UPSERT), args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not save the snapshot of stream \"%s\"", stream);
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * load_stream(tbl regclass, stream text) RETURNS jsonb
 *
 * {"snapshot": newest snapshot item or null, "events": [the events after
 * it], "version": N}.  Read-only SPI shares the calling query's snapshot,
 * so the three reads agree with each other.
 */
static Datum
load_stream(PG_FUNCTION_ARGS)
{
	StTable    *t = es_table_arg(fcinfo);
	char	   *stream = es_stream_arg(fcinfo, t, 1);
	MemoryContext outer = CurrentMemoryContext;
	Datum		stream_datum = CStringGetTextDatum(stream);
	Datum		args[4];
	Jsonb	   *snapshot = NULL;
	int64		snapshot_version = 0;
	int64		version;
	JsonbParseState *ps = NULL;
	JsonbValue	v;
	JsonbValue *res;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	(void) read_version(t, stream_datum, stream, false, true, &version, outer);

	args[0] = stream_datum;
	if (SPI_execute_plan(es_plan(t, ES_LATEST_SNAPSHOT), args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the snapshot of stream \"%s\"", stream);
	snapshot = st_spi_first_jsonb(outer);
	if (snapshot)
		snapshot_version = item_version(t, snapshot, stream);

	/* ps is built in SPI's memory: copy the result out before SPI_finish */
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	st_push_key(&ps, "snapshot");
	if (snapshot)
	{
		v.type = jbvBinary;
		v.val.binary.data = &snapshot->root;
		v.val.binary.len = VARSIZE(snapshot) - VARHDRSZ;
	}
	else
		v.type = jbvNull;
	pushJsonbValue(&ps, WJB_VALUE, &v);
	st_push_key(&ps, "events");
	pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
	args[1] = CStringGetTextDatum(version_sk(ES_EVENT_PREFIX, snapshot_version + 1));
	args[2] = CStringGetTextDatum(version_sk(ES_EVENT_PREFIX, ES_MAX_VERSION));
	args[3] = Int64GetDatum(PG_INT64_MAX);
	es_read_rows(es_plan(t, ES_READ_FORWARD), args, NULL, NULL, &ps, -1);
	pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
	push_attr(&ps, "version", number_value(&v, version));
	res = pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	{
		MemoryContext old = MemoryContextSwitchTo(outer);
		Jsonb	   *result = JsonbValueToJsonb(res);

		MemoryContextSwitchTo(old);
		SPI_finish();
		PG_RETURN_JSONB_P(result);
	}
}

/*
 * events_by_type(tbl regclass, enabled boolean, partition_key text,
 *                sort_key text) RETURNS void
 *
 * Only the table's owner may change the setting.  Every backend drops its
 * cached setting through the relcache invalidation raised here.
 */
static Datum
events_by_type(PG_FUNCTION_ARGS)
{
	StTable    *t = es_table_arg(fcinfo);
	bool		enabled = PG_ARGISNULL(1) ? true : PG_GETARG_BOOL(1);
	char	   *pk = st_text_arg(fcinfo, 2);
	char	   *sk = st_text_arg(fcinfo, 3);
	Oid			relid = t->relid;
	Oid			argtypes[3] = {OIDOID, TEXTOID, TEXTOID};
	Datum		args[3];
	int			rc;

	if (!st_owns_table(relid))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, t->table_name);
	if (enabled)
	{
		const char *names[2] = {pk, sk};

		for (int i = 0; i < 2; i++)
		{
			if (names[i] == NULL || names[i][0] == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s must be a non-empty attribute name", i == 0 ? "partition_key" : "sort_key"),
						 errdetail("ValidationException: The events-by-type index needs two attribute names.")));
			if (strcmp(names[i], t->pk_attr) == 0 || strcmp(names[i], t->sk_attr) == 0 ||
				is_event_attr(names[i]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("attribute \"%s\" is already used by the event store", names[i]),
						 errdetail("ValidationException: The events-by-type attributes must differ from the keys and the event attributes.")));
		}
		if (strcmp(pk, sk) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("partition_key and sort_key must differ"),
					 errdetail("ValidationException: The events-by-type index needs two attribute names.")));
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = ObjectIdGetDatum(relid);
	if (enabled)
	{
		args[1] = CStringGetTextDatum(pk);
		args[2] = CStringGetTextDatum(sk);
		rc = SPI_execute_with_args("INSERT INTO singletable.event_type_indexes AS e "
								   "(relid, partition_key, sort_key) "
								   "VALUES ($1::pg_catalog.regclass, $2, $3) ON CONFLICT (relid) DO UPDATE "
								   "SET partition_key = EXCLUDED.partition_key, sort_key = EXCLUDED.sort_key",
								   3, argtypes, args, NULL, false, 0);
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "could not save the events-by-type setting");
	}
	else
	{
		rc = SPI_execute_with_args("DELETE FROM singletable.event_type_indexes "
								   "WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
								   1, argtypes, args, NULL, false, 0);
		if (rc != SPI_OK_DELETE)
			elog(ERROR, "could not remove the events-by-type setting");
	}
	SPI_finish();
	CacheInvalidateRelcacheByRelid(relid);
	PG_RETURN_VOID();
}

/* The SQL-callable functions: errors without the event store's own SQL. */
ST_FUNCTION_HIDING_SQL(st_sql_append_events, append_events)
ST_FUNCTION_HIDING_SQL(st_sql_read_stream, read_stream)
ST_FUNCTION_HIDING_SQL(st_sql_stream_version, stream_version)
ST_FUNCTION_HIDING_SQL(st_sql_save_snapshot, save_snapshot)
ST_FUNCTION_HIDING_SQL(st_sql_load_stream, load_stream)
ST_FUNCTION_HIDING_SQL(st_sql_events_by_type, events_by_type)
