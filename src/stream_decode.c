/*
 * stream_decode.c
 *	  The change stream: a logical decoding output plugin ("singletable")
 *	  that turns the WAL of singletable tables into one JSON line per item
 *	  change, shaped like a DynamoDB Streams record.
 *
 *	  Owns: option parsing, the per-relation cache (which relations are
 *	  singletable tables or their index tables, their key attributes and
 *	  default view type, read from the extension's user catalog tables under
 *	  the historic snapshot), and the record format.  apply_changes, which
 *	  consumes the stream for projections, is stream_apply.c's.
 *
 *	  Ordering and resumption: records come in commit order (the reorder
 *	  buffer replays whole transactions at their commit), and each record's
 *	  SequenceNumber is the commit LSN followed by the change's place in its
 *	  transaction, so it increases across the whole stream and is the same
 *	  every time the same WAL is decoded.  The last record of a transaction
 *	  is written from the commit callback, so its LSN as the client sees it
 *	  is the end of the commit record: a client that confirms what it has
 *	  written never gets a finished transaction again, and one that stops in
 *	  the middle of a transaction gets that whole transaction again (with the
 *	  same SequenceNumbers, so it can skip what it already has).
 *
 *	  Memory: everything a change needs is allocated in a private context
 *	  that is reset after each change; the reorder buffer itself spills to
 *	  disk beyond logical_decoding_work_mem.  Streaming of in-progress
 *	  transactions is deliberately not supported: it would break commit
 *	  order.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "common/base64.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "replication/logical.h"
#include "replication/output_plugin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "catalog.h"
#include "citus.h"
#include "item_types.h"
#include "keys.h"
#include "table_state.h"
#include "ttl.h"
#include "typedjson.h"

extern PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks *cb);

/* Largest place of a change in its transaction that SequenceNumber holds. */
#define ST_STREAM_MAX_ORDINAL	UINT64CONST(999999999)

/* Send a progress update to the walsender after this many skipped changes. */
#define ST_STREAM_PROGRESS_EVERY 100

typedef enum StreamView
{
	VIEW_DEFAULT = 0,			/* the table's own stream_view */
	VIEW_KEYS_ONLY,
	VIEW_NEW_IMAGE,
	VIEW_OLD_IMAGE,
	VIEW_NEW_AND_OLD_IMAGES
} StreamView;

static const char *const view_names[] = {
	"", "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"
};

/* One name of the "tables" option: schema may be NULL (any schema). */
typedef struct StreamTableName
{
	char	   *schema;
	char	   *name;
} StreamTableName;

/* The plugin's state for one decoding session (ctx->output_plugin_private). */
typedef struct StreamData
{
	MemoryContext change_cxt;	/* reset after every change */
	StreamView	view;			/* view option, VIEW_DEFAULT when not given */
	bool		typed;			/* format=typed */
	bool		compact;		/* envelope=compact */
	bool		include_indexes;
	bool		transaction_markers;
	List	   *tables;			/* StreamTableName *, NIL = every table */

	/* per transaction */
	uint64		ordinal;		/* changes seen so far in this transaction */
	uint64		records;		/* records written in this transaction */
	bool		begin_written;
	Oid			ttl_relid;		/* its REMOVEs of this table are TTL deletions */

	/*
	 * The transaction's fields, formatted once when its first record or
	 * marker is written (txn_ready): "transactionId":..,"commitLsn":..,
	 * "commitTime":.. (txn_fields), the default record's text from
	 * ApproximateCreationDateTime to Keys (txn_body), and the commit LSN's
	 * digits that start each eventID (16, hexadecimal) and SequenceNumber
	 * (20, decimal).  Lives in the decoding context.
	 */
	bool		txn_ready;
	StringInfoData txn_fields;
	StringInfoData txn_body;
	char		txn_lsn_hex[16];
	char		txn_lsn_dec[20];

	/*
	 * The commit time's day, formatted once for all commits of the day (see
	 * append_time): its text, quote to 'T', and its bounds.
	 */
	bool		day_valid;
	TimestampTz day_start;
	TimestampTz day_end;
	char		day_text[12];

	/*
	 * The relation of the last change and its cache slot: a transaction's
	 * changes mostly touch one relation, so most changes find their entry
	 * here without a hash look-up.  The slot pointer stays valid while the
	 * slot holds an entry, that is until the session ends (table_state.h).
	 */
	Oid			last_relid;
	StStateSlot *last_slot;

	/*
	 * The record built last, written when the next one is built or at
	 * commit: see the file header.  Lives in the decoding context, like
	 * ctx->out, and starts with pending_header bytes of room for what
	 * OutputPluginPrepareWrite() writes before a message (see
	 * flush_pending): the record follows them.
	 */
	StringInfoData pending;
	int			pending_header;
	int			skipped;		/* changes skipped since last progress */
} StreamData;

/* What the cache knows of one relation. */
typedef enum StreamRelKind
{
	REL_OTHER = 0,				/* not ours: ignored */
	REL_TABLE,					/* a singletable table */
	REL_INDEX					/* the table of a global secondary index */
} StreamRelKind;

#define ST_STREAM_MAX_KEYS 4

typedef struct StreamRelEntry
{
	MemoryContext cxt;			/* what the entry points to; NULL until needed */
	StreamRelKind kind;
	bool		emit;			/* passes the tables and include_indexes options */
	Oid			base_relid;		/* the base table (itself for REL_TABLE) */
	char	   *schema_name;
	char	   *table_name;		/* base table's name */
	char	   *dynamodb_name;	/* its DynamoDB name, NULL for table_name */
	char	   *index_name;		/* REL_INDEX: the index's name */
	StringInfoData names;		/* emitted entries: the JSON text from the
								 * value of "tableName" to "schemaName"'s (and
								 * "indexName"'s) */
	StreamView	view;			/* the base table's stream_view */
	int			nkeys;			/* key attributes to put in Keys */
	char	   *key_attrs[ST_STREAM_MAX_KEYS];
	int			key_lens[ST_STREAM_MAX_KEYS];	/* strlen(key_attrs[i]) */
	StringInfoData key_names[ST_STREAM_MAX_KEYS];	/* "attr": as written */
	StKeyType	key_types[ST_STREAM_MAX_KEYS];
	bool		key_columns;	/* the relation's columns 2 to nkeys + 1 are
								 * the key attributes' values, in this order
								 * (checked, see build_rel_entry) */
} StreamRelEntry;

/*
 * The relation cache is the ST_STATE_STREAM slot of the per-table state
 * (table_state.h), keyed by relation OID like the others: a relation keeps
 * its OID under the historic snapshot, and the reorder buffer replays the
 * decoded transactions' invalidations through the same relcache callback.
 * The entries live in rel_cache_cxt, a child of CacheMemoryContext, so that
 * a slot never points to freed memory, even when a decoding session ends
 * with an error and without its shutdown callback.  The cache is emptied at
 * the start and end of every session, since what an entry holds depends on
 * the session's options.  Each entry's strings live in its own small
 * context, reset when the entry is rebuilt after an invalidation, so a
 * long-running session does not grow by one entry's strings per
 * invalidation.
 */
static MemoryContext rel_cache_cxt = NULL;

static void st_stream_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt,
							  bool is_init);
static void st_stream_shutdown(LogicalDecodingContext *ctx);
static void st_stream_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);
static void st_stream_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
							 XLogRecPtr commit_lsn);
static void st_stream_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
							 Relation relation, ReorderBufferChange *change);
static void st_stream_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
							   int nrelations, Relation relations[],
							   ReorderBufferChange *change);
static void st_stream_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
							  XLogRecPtr message_lsn, bool transactional,
							  const char *prefix, Size message_size,
							  const char *message);
static bool st_stream_filter_by_origin(LogicalDecodingContext *ctx,
									   RepOriginId origin_id);

void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	AssertVariableIsOfType(&_PG_output_plugin_init, LogicalOutputPluginInit);

	cb->startup_cb = st_stream_startup;
	cb->begin_cb = st_stream_begin;
	cb->change_cb = st_stream_change;
	cb->truncate_cb = st_stream_truncate;
	cb->commit_cb = st_stream_commit;
	cb->message_cb = st_stream_message;
	cb->filter_by_origin_cb = st_stream_filter_by_origin;
	cb->shutdown_cb = st_stream_shutdown;

	/*
	 * No two-phase and no streaming callbacks: records are only ever emitted
	 * for committed transactions, in commit order.
	 */
	cb->filter_prepare_cb = NULL;
	cb->begin_prepare_cb = NULL;
	cb->prepare_cb = NULL;
	cb->commit_prepared_cb = NULL;
	cb->rollback_prepared_cb = NULL;
	cb->stream_start_cb = NULL;
	cb->stream_stop_cb = NULL;
	cb->stream_abort_cb = NULL;
	cb->stream_prepare_cb = NULL;
	cb->stream_commit_cb = NULL;
	cb->stream_change_cb = NULL;
	cb->stream_message_cb = NULL;
	cb->stream_truncate_cb = NULL;
}

/* ----------------------------------------------------------------
 * Relation cache
 * ----------------------------------------------------------------
 */

/*
 * After invalidation of the relation: drop the entry's strings.  The entry
 * itself stays (the caller of get_rel_entry may hold it) and is rebuilt.
 */
static void
st_stream_reset_state(StStateSlot *slot)
{
	StreamRelEntry *entry = (StreamRelEntry *) DatumGetPointer(slot->value);

	if (entry->cxt != NULL)
		MemoryContextReset(entry->cxt);
}

/* Between sessions: the entry goes with rel_cache_cxt, reset next. */
static void
rel_entry_release(StStateSlot *slot)
{
	slot->value = (Datum) 0;
}

static void
rel_cache_reset(void)
{
	st_table_state_clear(ST_STATE_STREAM, rel_entry_release);
	if (rel_cache_cxt != NULL)
		MemoryContextReset(rel_cache_cxt);
}

static void
rel_cache_init(void)
{
	if (rel_cache_cxt == NULL)
		rel_cache_cxt = AllocSetContextCreate(CacheMemoryContext,
											  "singletable stream relations",
											  ALLOCSET_SMALL_SIZES);
	rel_cache_reset();
}

static StreamView
parse_view(const char *s)
{
	for (int i = VIEW_KEYS_ONLY; i <= VIEW_NEW_AND_OLD_IMAGES; i++)
		if (pg_strcasecmp(s, view_names[i]) == 0)
			return (StreamView) i;
	return VIEW_DEFAULT;
}

/* The entry's context, created on first use. */
static MemoryContext
entry_cxt(StreamRelEntry *entry)
{
	if (entry->cxt == NULL)
		entry->cxt = AllocSetContextCreate(rel_cache_cxt,
										   "singletable stream relation",
										   ALLOCSET_SMALL_SIZES);
	return entry->cxt;
}

static char *
cache_text(StreamRelEntry *entry, Datum d)
{
	return MemoryContextStrdup(entry_cxt(entry), TextDatumGetCString(d));
}

/* Add a key attribute to an entry unless it is there already. */
static void
entry_add_key(StreamRelEntry *entry, char *attr, StKeyType type)
{
	for (int i = 0; i < entry->nkeys; i++)
		if (strcmp(entry->key_attrs[i], attr) == 0)
			return;
	if (entry->nkeys < ST_STREAM_MAX_KEYS)
	{
		StringInfo	name = &entry->key_names[entry->nkeys];
		MemoryContext old = MemoryContextSwitchTo(entry_cxt(entry));

		initStringInfo(name);
		st_append_json_string(name, attr, strlen(attr));
		appendStringInfoChar(name, ':');
		MemoryContextSwitchTo(old);
		entry->key_attrs[entry->nkeys] = attr;
		entry->key_lens[entry->nkeys] = strlen(attr);
		entry->key_types[entry->nkeys] = type;
		entry->nkeys++;
	}
}

/*
 * Add a catalog row's key attributes to entry.  Both catalog tables keep
 * them as four columns from first: partition key, its type, sort key (NULL
 * when none), its type.
 */
static void
add_row_keys(StreamRelEntry *entry, HeapTuple tup, TupleDesc desc, AttrNumber first)
{
	MemoryContext old = MemoryContextSwitchTo(entry_cxt(entry));
	StKeySchema ks;

	st_catalog_row_key_schema(tup, desc, first, &ks);
	MemoryContextSwitchTo(old);
	entry_add_key(entry, ks.pk_attr, ks.pk_type);
	if (ks.sk_attr)
		entry_add_key(entry, ks.sk_attr, ks.sk_type);
}

/*
 * Read the singletable.tables row of relid into entry (key attributes and
 * view); false when there is none.  Runs under the historic snapshot.
 *
 * This deliberately does not use catalog.c's st_table_lookup(): that cache
 * holds the catalog as it is now, and pg_logical_slot_get_changes() decodes
 * inside an ordinary backend that may have filled it; the decoder needs the
 * catalog as of each change, which only a scan under the historic snapshot
 * and this plugin's own cache (reset with the decoding context) give.
 */
static bool
read_table_row(Oid tables_relid, Oid relid, StreamRelEntry *entry)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	bool		found = false;

	rel = table_open(tables_relid, AccessShareLock);
	ScanKeyInit(&key, Anum_tables_relid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;
		Datum		d;

		add_row_keys(entry, tup, desc, Anum_tables_partition_key);
		d = heap_getattr(tup, Anum_tables_stream_view, desc, &isnull);
		entry->view = isnull ? VIEW_NEW_AND_OLD_IMAGES : parse_view(TextDatumGetCString(d));
		if (entry->view == VIEW_DEFAULT)
			entry->view = VIEW_NEW_AND_OLD_IMAGES;
		if (desc->natts >= Anum_tables_name)
		{
			d = heap_getattr(tup, Anum_tables_name, desc, &isnull);
			if (!isnull)
				entry->dynamodb_name = cache_text(entry, d);
		}
		found = true;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * The singletable.indexes row whose index table is relid: fills the index's
 * name and keys into entry and returns the base table, or InvalidOid.
 */
static Oid
read_index_row(Oid indexes_relid, Oid relid, StreamRelEntry *entry)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	Oid			base = InvalidOid;

	rel = table_open(indexes_relid, AccessShareLock);
	ScanKeyInit(&key, Anum_indexes_index_relid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;

		base = DatumGetObjectId(heap_getattr(tup, Anum_indexes_relid, desc, &isnull));
		entry->index_name = cache_text(entry, heap_getattr(tup, Anum_indexes_index_name, desc, &isnull));
		add_row_keys(entry, tup, desc, Anum_indexes_partition_key);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return base;
}

/* Does the "tables" option select the table schema.name? */
static bool
tables_option_matches(StreamData *data, const char *schema, const char *name)
{
	ListCell   *lc;

	if (data->tables == NIL)
		return true;
	foreach(lc, data->tables)
	{
		StreamTableName *tn = lfirst(lc);

		if (strcmp(tn->name, name) == 0 &&
			(tn->schema == NULL || strcmp(tn->schema, schema) == 0))
			return true;
	}
	return false;
}

/*
 * Does rel have the columns the catalog row read into entry promises: item
 * jsonb first, and with with_keys a column of its key type for each of
 * entry's key attributes after it, in their order (a base table's pk and sk,
 * an index table's key columns)?  The decoder interprets the columns'
 * Datums by them, and a catalog row can be written by any table's owner, so
 * a table of another shape is not streamed (or, for an index table's keys,
 * not read) rather than crashing the decoding process.
 */
static bool
rel_layout_ok(Relation rel, StreamRelEntry *entry, bool with_keys)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			ncols = with_keys ? 1 + entry->nkeys : 1;

	if (desc->natts < ncols)
		return false;
	for (int i = 0; i < ncols; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Oid			typid = i == 0 ? JSONBOID : st_key_type_oid(entry->key_types[i - 1]);

		if (att->attisdropped || att->atttypid != typid)
			return false;
	}
	return true;
}

/*
 * Fill a cache entry for rel from the extension's catalog as of the change
 * being decoded (catalog scans use the historic snapshot here).
 */
static void
build_rel_entry(StreamData *data, Relation rel, StreamRelEntry *entry)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			nsp;
	Oid			tables_relid;
	Oid			indexes_relid;
	Oid			base;
	Oid			shard_of;
	bool		is_table;

	entry->kind = REL_OTHER;
	entry->emit = false;
	entry->base_relid = InvalidOid;
	entry->nkeys = 0;
	entry->key_columns = false;
	entry->index_name = NULL;
	entry->dynamodb_name = NULL;
	entry->view = VIEW_NEW_AND_OLD_IMAGES;

	nsp = get_namespace_oid("singletable", true);
	/* the extension's own tables (catalog, checkpoints) are never streamed */
	if (!OidIsValid(nsp) || RelationGetNamespace(rel) == nsp)
		return;
	tables_relid = get_relname_relid("tables", nsp);
	indexes_relid = get_relname_relid("indexes", nsp);
	if (!OidIsValid(tables_relid))
		return;

	/*
	 * The scans' garbage goes to the caller's per-change context; only what
	 * the entry keeps is copied into the cache's.
	 */
	is_table = read_table_row(tables_relid, relid, entry);
	base = !is_table && OidIsValid(indexes_relid) ? read_index_row(indexes_relid, relid, entry) : InvalidOid;
	if (!is_table && !OidIsValid(base) && OidIsValid(shard_of = st_citus_shard_base_table(rel)))
	{
		/* a Citus shard (app_102008) streams as its table (citus.c) */
		relid = shard_of;
		is_table = read_table_row(tables_relid, relid, entry);
		base = !is_table && OidIsValid(indexes_relid) ? read_index_row(indexes_relid, relid, entry) : InvalidOid;
	}
	if (is_table)
	{
		if (!rel_layout_ok(rel, entry, true))
		{
			entry->nkeys = 0;
			return;
		}
		entry->kind = REL_TABLE;
		entry->base_relid = relid;
		entry->key_columns = true;
		entry->table_name = MemoryContextStrdup(entry_cxt(entry), get_rel_name(relid));
		entry->schema_name = MemoryContextStrdup(entry_cxt(entry),
												 get_namespace_name(get_rel_namespace(relid)));
		entry->emit = tables_option_matches(data, entry->schema_name, entry->table_name);
	}
	else if (OidIsValid(base))
	{
		char	   *base_name = get_rel_name(base);

		if (base_name != NULL)
		{
			StreamRelEntry base_entry;

			/* the base table's keys come after the index's */
			memset(&base_entry, 0, sizeof(base_entry));
			base_entry.cxt = entry_cxt(entry);
			if (read_table_row(tables_relid, base, &base_entry) &&
				rel_layout_ok(rel, entry, false))
			{
				for (int i = 0; i < base_entry.nkeys; i++)
					entry_add_key(entry, base_entry.key_attrs[i], base_entry.key_types[i]);
				entry->view = base_entry.view;
				entry->dynamodb_name = base_entry.dynamodb_name;
				entry->kind = REL_INDEX;
				entry->base_relid = base;

				/*
				 * create_index's layout (index_layout.c) puts the key columns
				 * in the order of the Keys here: the index's keys, then the
				 * base keys it lacks.  With a replica identity other than
				 * FULL (the primary key, create_index's), an old tuple
				 * carries only them.
				 */
				entry->key_columns = rel_layout_ok(rel, entry, true);
				entry->table_name = MemoryContextStrdup(entry_cxt(entry), base_name);
				entry->schema_name = MemoryContextStrdup(entry_cxt(entry),
														 get_namespace_name(get_rel_namespace(base)));
				entry->emit = data->include_indexes &&
					(tables_option_matches(data, entry->schema_name, entry->table_name) ||
					 tables_option_matches(data, get_namespace_name(get_rel_namespace(relid)),
										   get_rel_name(relid)));
			}
		}
	}
}

/* Append the JSON string of a NUL-terminated name. */
static void
append_json_name(StringInfo out, const char *s)
{
	st_append_json_string(out, s, strlen(s));
}

/*
 * Format an emitted entry's names once, as every record of the relation
 * writes them (see start_record).
 */
static void
entry_format_names(StreamRelEntry *entry)
{
	StringInfo	names = &entry->names;
	MemoryContext old = MemoryContextSwitchTo(entry_cxt(entry));

	initStringInfo(names);
	append_json_name(names, entry->dynamodb_name ? entry->dynamodb_name : entry->table_name);
	appendStringInfoString(names, ",\"schemaName\":");
	append_json_name(names, entry->schema_name);
	if (entry->kind == REL_INDEX)
	{
		appendStringInfoString(names, ",\"indexName\":");
		append_json_name(names, entry->index_name);
	}
	MemoryContextSwitchTo(old);
}

static StreamRelEntry *
get_rel_entry(StreamData *data, Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	StStateSlot *slot;
	StreamRelEntry *entry;

	if (relid == data->last_relid && data->last_slot->valid)
		return (StreamRelEntry *) DatumGetPointer(data->last_slot->value);
	slot = st_table_state_slot(relid, ST_STATE_STREAM, st_stream_reset_state);
	entry = (StreamRelEntry *) DatumGetPointer(slot->value);

	if (entry == NULL)
	{
		entry = MemoryContextAllocZero(rel_cache_cxt, sizeof(StreamRelEntry));
		slot->value = PointerGetDatum(entry);
	}
	if (!slot->valid)
	{
		build_rel_entry(data, rel, entry);
		if (entry->emit)
			entry_format_names(entry);

		/*
		 * An index table's entry depends on its base table's catalog row, so
		 * a change of the base table invalidates it too.
		 */
		st_table_state_depend(slot, entry->base_relid != relid
							  ? entry->base_relid : InvalidOid);
		slot->valid = true;
	}
	data->last_relid = relid;
	data->last_slot = slot;
	return entry;
}

/* ----------------------------------------------------------------
 * Options and start-up
 * ----------------------------------------------------------------
 */

static bool
parse_bool_option(DefElem *elem)
{
	bool		result;

	if (elem->arg == NULL)
		return true;			/* "-o name" alone means on */
	if (!parse_bool(strVal(elem->arg), &result))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not parse value \"%s\" for parameter \"%s\"",
						strVal(elem->arg), elem->defname),
				 errhint("Use on or off.")));
	return result;
}

static char *
option_string(DefElem *elem)
{
	if (elem->arg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" needs a value", elem->defname)));
	return strVal(elem->arg);
}

/*
 * An option of two values, in any case: false for off_value, true for
 * on_value, an error with hint for anything else.
 */
static bool
parse_choice_option(DefElem *elem, const char *off_value, const char *on_value,
					const char *hint)
{
	char	   *v = option_string(elem);

	if (pg_strcasecmp(v, off_value) == 0)
		return false;
	if (pg_strcasecmp(v, on_value) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value \"%s\" for parameter \"%s\"", v, elem->defname),
				 errhint("%s", hint)));
	return true;
}

/*
 * Parse "a, s.b, \"C\"" into a list of StreamTableName: names as SQL
 * writes them, unquoted ones down-cased.  Anything else, such as an empty
 * name or part, or a part longer than a Postgres name, is an invalid value.
 */
static List *
parse_tables_option(DefElem *elem)
{
	const char *value = option_string(elem);
	const char *p = value;
	List	   *result = NIL;

	for (;;)
	{
		List	   *parts;
		StNameStatus status = st_parse_qualified_name(&p, ',', &parts);
		StreamTableName *tn;

		if (status != ST_NAME_OK || list_length(parts) > 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value \"%s\" for parameter \"tables\"", value),
					 status == ST_NAME_TOO_LONG ?
					 errdetail("A name in the list is longer than %d bytes, which no table name can be.",
							   NAMEDATALEN - 1) :
					 errdetail("The value must be a comma-separated list of table names."),
					 errhint("Write names as in SQL, for example tables=app,sales.orders.")));
		tn = palloc0(sizeof(StreamTableName));
		tn->name = llast(parts);
		if (list_length(parts) == 2)
			tn->schema = linitial(parts);
		result = lappend(result, tn);
		if (*p == '\0')
			break;
		p++;					/* the comma */
	}
	return result;
}

/*
 * Check, with the current catalog, that the extension exists in this
 * database and that each name of the "tables" option names a singletable
 * table: a stream that could never emit anything is a mistake to report at
 * its start.  The walsender is not in a transaction here, so start one.
 */
static void
check_database(StreamData *data)
{
	MemoryContext cxt = CurrentMemoryContext;
	bool		started = false;
	ListCell   *lc;

	if (!IsTransactionState())
	{
		StartTransactionCommand();
		started = true;
	}

	if (!OidIsValid(get_extension_oid("singletable", true)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"singletable\" is not installed in database \"%s\"",
						get_database_name(MyDatabaseId)),
				 errdetail("The singletable output plugin streams the singletable tables of the slot's database."),
				 errhint("Run CREATE EXTENSION singletable in that database, or create the slot in the database that has it.")));

	foreach(lc, data->tables)
	{
		StreamTableName *tn = lfirst(lc);
		Oid			nsp = get_namespace_oid("singletable", false);
		Oid			tables_relid = get_relname_relid("tables", nsp);
		Relation	rel = table_open(tables_relid, AccessShareLock);
		SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
		HeapTuple	tup;
		bool		found = false;

		while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			bool		isnull;
			Oid			relid = DatumGetObjectId(heap_getattr(tup, Anum_tables_relid,
															 RelationGetDescr(rel), &isnull));
			char	   *relname = get_rel_name(relid);

			if (relname && strcmp(relname, tn->name) == 0 &&
				(tn->schema == NULL ||
				 strcmp(get_namespace_name(get_rel_namespace(relid)), tn->schema) == 0))
				found = true;
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation \"%s%s%s\" in parameter \"tables\" is not a singletable table",
							tn->schema ? tn->schema : "", tn->schema ? "." : "", tn->name),
					 errdetail("ResourceNotFoundException: Requested resource not found.")));
	}

	if (started)
	{
		CommitTransactionCommand();
		MemoryContextSwitchTo(cxt);
	}
}

static void
st_stream_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init)
{
	StreamData *data = palloc0(sizeof(StreamData));
	ListCell   *lc;

	data->change_cxt = AllocSetContextCreate(ctx->context,
											 "singletable stream change",
											 ALLOCSET_DEFAULT_SIZES);
	data->view = VIEW_DEFAULT;
	initStringInfo(&data->pending);
	initStringInfo(&data->txn_fields);
	initStringInfo(&data->txn_body);
	ctx->output_plugin_private = data;
	opt->output_type = OUTPUT_PLUGIN_TEXTUAL_OUTPUT;
	opt->receive_rewrites = false;

	foreach(lc, ctx->output_plugin_options)
	{
		DefElem    *elem = lfirst(lc);

		Assert(elem->arg == NULL || IsA(elem->arg, String));
		if (strcmp(elem->defname, "view") == 0)
		{
			data->view = parse_view(option_string(elem));
			if (data->view == VIEW_DEFAULT)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid value \"%s\" for parameter \"view\"", strVal(elem->arg)),
						 errdetail("ValidationException: StreamViewType must be KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES.")));
		}
		else if (strcmp(elem->defname, "format") == 0)
			data->typed = parse_choice_option(elem, "plain", "typed",
											  "Use plain (DocumentClient JSON) or typed (DynamoDB typed JSON).");
		else if (strcmp(elem->defname, "envelope") == 0)
			data->compact = parse_choice_option(elem, "dynamodb", "compact",
												"Use dynamodb (a DynamoDB Streams record per change) or compact (the transaction's fields once per transaction).");
		else if (strcmp(elem->defname, "tables") == 0)
			data->tables = parse_tables_option(elem);
		else if (strcmp(elem->defname, "include_indexes") == 0)
			data->include_indexes = parse_bool_option(elem);
		else if (strcmp(elem->defname, "transaction_markers") == 0)
			data->transaction_markers = parse_bool_option(elem);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized option \"%s\" for the singletable output plugin",
							elem->defname),
					 errhint("The singletable output plugin takes view, tables, format, envelope, include_indexes and transaction_markers.")));
	}

	/* creating the slot decodes nothing, so there is nothing to check */
	if (!is_init)
		check_database(data);

	rel_cache_init();
}

static void
st_stream_shutdown(LogicalDecodingContext *ctx)
{
	rel_cache_reset();
}

/* ----------------------------------------------------------------
 * Record output
 * ----------------------------------------------------------------
 */

/*
 * Append n bytes; the common case (room left) without a function call.
 * Images are appended piece by piece, a few bytes at a time.
 */
static pg_attribute_always_inline void
append_bytes(StringInfo out, const char *s, int n)
{
	if (unlikely(out->len + n >= out->maxlen))
		enlargeStringInfo(out, n);
	memcpy(out->data + out->len, s, n);
	out->len += n;
	out->data[out->len] = '\0';
}

#define append_literal(out, s) append_bytes((out), (s), sizeof(s) - 1)

static const char st_digits[] = "0123456789ABCDEF";

/* "00" to "99": decimal digits are written two at a time */
static const char st_digit_pairs[] =
"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
"8081828384858687888990919293949596979899";

/*
 * Write a number as numeric_out() does.  An integer (display scale 0, the
 * common case in items) is printed here from its base-10000 digits, without
 * the function call, the palloc'd copy and the string it returns: the sign,
 * then each digit of the integer part, the first without its leading zeros,
 * the others as four decimal digits (those beyond the stored ones are 0).
 * The layout read is numeric's on-disk short format, which every number
 * within DynamoDB's limits has: a 16-bit header word (top bits 10, then
 * sign, 6 bits of display scale, weight's sign and 6 bits), then the digits
 * as int16.  The long format, special values and anything with a fraction
 * go to numeric_out().
 */
static void
append_plain_numeric(StringInfo out, Numeric num)
{
	const char *data = VARDATA_ANY(num);
	uint16		header;
	int			ndigits = (VARSIZE_ANY_EXHDR(num) - (int) sizeof(uint16)) / (int) sizeof(int16);
	int			weight;
	char	   *p;

	memcpy(&header, data, sizeof(header));
	if ((header & 0xC000) != 0x8000 || (header & 0x1F80) != 0)
	{
		char	   *text = DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(num)));

		append_bytes(out, text, strlen(text));
		pfree(text);
		return;
	}
	weight = (header & 0x0040) ? (header | ~0x003F) : (header & 0x003F);

	/* a sign, 4 digits per base-10000 digit of the integer part */
	if (unlikely(out->len + 2 + 4 * (Max(weight, 0) + 1) >= out->maxlen))
		enlargeStringInfo(out, 2 + 4 * (Max(weight, 0) + 1));
	p = out->data + out->len;
	if (header & 0x2000)
		*p++ = '-';
	if (weight < 0)
		*p++ = '0';
	for (int d = 0; d <= weight; d++)
	{
		int16		dig = 0;

		if (d < ndigits)
			memcpy(&dig, data + sizeof(uint16) + d * sizeof(int16), sizeof(dig));

		if (d == 0)
		{
			/* the first digit without its leading zeros */
			int			n = dig >= 1000 ? 4 : dig >= 100 ? 3 : dig >= 10 ? 2 : 1;

			for (int k = n - 1; k >= 0; k--)
			{
				p[k] = '0' + dig % 10;
				dig /= 10;
			}
			p += n;
		}
		else
		{
			memcpy(p, st_digit_pairs + 2 * (dig / 100), 2);
			memcpy(p + 2, st_digit_pairs + 2 * (dig % 100), 2);
			p += 4;
		}
	}
	*p = '\0';
	out->len = p - out->data;
}

/* Write a key value (a scalar, or a binary {"$B": ..}) as plain JSON. */
static void
append_plain_scalar(StringInfo out, JsonbValue *v)
{
	JsonbValue	b64;

	if (st_tag_of(v, &b64) == ST_TAG_B)
	{
		appendStringInfoString(out, "{\"$B\":");
		st_append_json_string(out, b64.val.string.val, b64.val.string.len);
		appendStringInfoChar(out, '}');
		return;
	}
	switch (v->type)
	{
		case jbvString:
			st_append_json_string(out, v->val.string.val, v->val.string.len);
			break;
		case jbvNumeric:
			append_plain_numeric(out, v->val.numeric);
			break;
		case jbvBool:
			appendStringInfoString(out, v->val.boolean ? "true" : "false");
			break;
		default:
			appendStringInfoString(out, "null");
			break;
	}
}

/* Write a key value as typed JSON: {"S": ".."}, {"N": ".."} or {"B": ".."}. */
static void
append_typed_key(StringInfo out, JsonbValue *v, StKeyType type)
{
	JsonbValue	b64;

	if (v->type == jbvNumeric)
	{
		/* DynamoDB's normalised form, as in typed images */
		appendStringInfoString(out, "{\"N\":\"");
		appendStringInfoString(out, numeric_normalize(v->val.numeric));
		appendStringInfoString(out, "\"}");
	}
	else if (v->type == jbvString)
	{
		appendStringInfoString(out, "{\"S\":");
		st_append_json_string(out, v->val.string.val, v->val.string.len);
		appendStringInfoCharMacro(out, '}');
	}
	else if (st_tag_of(v, &b64) == ST_TAG_B)
	{
		appendStringInfoString(out, "{\"B\":");
		st_append_json_string(out, b64.val.string.val, b64.val.string.len);
		appendStringInfoChar(out, '}');
	}
	else
		appendStringInfoString(out, "{\"NULL\":true}");
}

/*
 * Offset of the index'th child's data in container c: the lengths of the
 * children before it, back to the nearest one that stores its end offset
 * instead (at most JB_OFFSET_STRIDE steps back).
 */
static uint32
child_offset(JsonbContainer *c, int index)
{
	uint32		offset = 0;

	for (int i = index - 1; i >= 0; i--)
	{
		offset += JBE_OFFLENFLD(c->children[i]);
		if (JBE_HAS_OFF(c->children[i]))
			break;
	}
	return offset;
}

static void append_plain_container(StringInfo out, JsonbContainer *c);

/*
 * Write the child whose JEntry is je and whose data starts at base +
 * offset and ends at base + end, as plain JSON text: what
 * JsonbIteratorNext() would hand to append_plain_scalar(), read in place.
 */
static void
append_plain_child(StringInfo out, char *base, uint32 offset,
				   uint32 end, JEntry je)
{
	if (JBE_ISSTRING(je))
		st_append_json_string(out, base + offset, end - offset);
	else if (JBE_ISNUMERIC(je))
		append_plain_numeric(out, (Numeric) (base + INTALIGN(offset)));
	else if (JBE_ISBOOL_TRUE(je))
		append_literal(out, "true");
	else if (JBE_ISBOOL_FALSE(je))
		append_literal(out, "false");
	else if (JBE_ISNULL(je))
		append_literal(out, "null");
	else
		append_plain_container(out, (JsonbContainer *) (base + INTALIGN(offset)));
}

/*
 * Write an object or array as plain JSON text, straight from its JEntrys:
 * no iterator, no JsonbValue per member.  An object's n keys are its first
 * n children, in the order the text lists them, and its values the next n.
 */
static void
append_plain_container(StringInfo out, JsonbContainer *c)
{
	int			n = JsonContainerSize(c);
	bool		object = JsonContainerIsObject(c);
	int			nchildren = object ? 2 * n : n;
	char	   *base = (char *) &c->children[nchildren];
	uint32		key_off = 0;
	uint32		val_off = object ? child_offset(c, n) : 0;

	check_stack_depth();
	append_bytes(out, object ? "{" : "[", 1);
	for (int i = 0; i < n; i++)
	{
		int			vi = object ? n + i : i;
		uint32		val_end = val_off;

		CHECK_FOR_INTERRUPTS();
		if (i > 0)
			append_literal(out, ", ");
		if (object)
		{
			uint32		key_end = key_off;

			JBE_ADVANCE_OFFSET(key_end, c->children[i]);
			st_append_json_string(out, base + key_off, key_end - key_off);
			append_literal(out, ": ");
			key_off = key_end;
		}
		JBE_ADVANCE_OFFSET(val_end, c->children[vi]);
		append_plain_child(out, base, val_off, val_end, c->children[vi]);
		val_off = val_end;
	}
	append_bytes(out, object ? "}" : "]", 1);
}

/*
 * Write an item as plain JSON text, the same text as JsonbToCString() (", "
 * and ": " between members), with st_append_json_string()'s escaping.
 */
static void
append_plain_item(StringInfo out, Jsonb *item)
{
	/* a bare scalar (never an item, but the column may hold one) */
	if (JB_ROOT_IS_SCALAR(item))
		(void) JsonbToCString(out, &item->root, VARSIZE(item));
	else
		append_plain_container(out, &item->root);
}

/* Write an item (an image) in the session's format. */
static void
append_image(StreamData *data, StringInfo out, Jsonb *item)
{
	if (data->typed)
		st_append_typed_item_text(out, item);
	else
		append_plain_item(out, item);
}

/* The text of a key column, as the item would hold it. */
static JsonbValue *
key_from_column(HeapTuple tup, TupleDesc desc, AttrNumber attnum, StKeyType type,
				JsonbValue *out)
{
	bool		isnull;
	Datum		d;

	if (attnum > desc->natts)
		return NULL;
	d = heap_getattr(tup, attnum, desc, &isnull);
	if (isnull)
		return NULL;
	return st_key_datum_to_jsonbvalue(d, type, out);
}

/*
 * The value of the index'th child of container c (whose data starts at
 * base) in *v, as getKeyJsonValueFromContainer() would return it.
 */
static JsonbValue *
child_value(JsonbContainer *c, char *base, int index, JsonbValue *v)
{
	JEntry		je = c->children[index];
	uint32		offset = child_offset(c, index);
	uint32		end = offset;

	JBE_ADVANCE_OFFSET(end, je);
	if (JBE_ISSTRING(je))
	{
		v->type = jbvString;
		v->val.string.val = base + offset;
		v->val.string.len = end - offset;
	}
	else if (JBE_ISNUMERIC(je))
	{
		v->type = jbvNumeric;
		v->val.numeric = (Numeric) (base + INTALIGN(offset));
	}
	else if (JBE_ISBOOL_TRUE(je) || JBE_ISBOOL_FALSE(je))
	{
		v->type = jbvBool;
		v->val.boolean = JBE_ISBOOL_TRUE(je);
	}
	else if (JBE_ISNULL(je))
		v->type = jbvNull;
	else
	{
		v->type = jbvBinary;
		v->val.binary.data = (JsonbContainer *) (base + INTALIGN(offset));
		v->val.binary.len = end - INTALIGN(offset);
	}
	return v;
}

/*
 * Find the entry's key attributes in an item: vals[i] is the value of key
 * attribute i, or NULL.  One pass over the item's attribute names, which
 * jsonb keeps sorted by length first, so the pass ends at the first name
 * longer than every key attribute's (for "PK" and "SK", after the names of
 * one or two bytes), rather than a binary search per key attribute.
 */
static void
find_item_keys(StreamRelEntry *entry, Jsonb *item, JsonbValue *bufs, JsonbValue **vals)
{
	JsonbContainer *c = &item->root;
	int			n;
	char	   *base;
	int			max_len = 0;
	int			missing = entry->nkeys;
	uint32		offset = 0;

	for (int k = 0; k < entry->nkeys; k++)
	{
		vals[k] = NULL;
		max_len = Max(max_len, entry->key_lens[k]);
	}
	if (!JB_ROOT_IS_OBJECT(item) || JB_ROOT_IS_SCALAR(item))
		return;
	n = JsonContainerSize(c);
	base = (char *) &c->children[2 * n];
	for (int i = 0; i < n && missing > 0; i++)
	{
		uint32		end = offset;
		int			len;

		JBE_ADVANCE_OFFSET(end, c->children[i]);
		len = end - offset;
		if (len > max_len)
			break;
		for (int k = 0; k < entry->nkeys; k++)
		{
			if (vals[k] == NULL && entry->key_lens[k] == len &&
				memcmp(base + offset, entry->key_attrs[k], len) == 0)
			{
				vals[k] = child_value(c, base, n + i, &bufs[k]);
				missing--;
				break;
			}
		}
		offset = end;
	}
}

/*
 * Write "Keys": the key attributes taken from the item, or, when the old
 * image is not in the WAL (replica identity other than FULL, as index
 * tables have), from the relation's key columns.
 */
static void
append_keys(StreamData *data, StringInfo out, StreamRelEntry *entry, Jsonb *item,
			HeapTuple tup, TupleDesc desc)
{
	bool		first = true;
	JsonbValue	bufs[ST_STREAM_MAX_KEYS];
	JsonbValue *vals[ST_STREAM_MAX_KEYS];

	if (item != NULL)
		find_item_keys(entry, item, bufs, vals);
	appendStringInfoCharMacro(out, '{');
	for (int i = 0; i < entry->nkeys; i++)
	{
		JsonbValue *v = NULL;

		if (item != NULL)
			v = vals[i];
		else if (tup != NULL && entry->key_columns)
			v = key_from_column(tup, desc, ST_ATTNUM_PK + i, entry->key_types[i], &bufs[i]);
		if (v == NULL)
			continue;
		if (!first)
			appendStringInfoCharMacro(out, ',');
		first = false;
		append_bytes(out, entry->key_names[i].data, entry->key_names[i].len);
		if (data->typed)
			append_typed_key(out, v, entry->key_types[i]);
		else
			append_plain_scalar(out, v);
	}
	appendStringInfoCharMacro(out, '}');
}

/*
 * Write v into p as exactly width digits of base 10 or 16 (upper case),
 * zero-padded, not NUL-terminated; v must fit in width digits.  Inlined,
 * so that base is a constant and the divisions are multiplications: this
 * runs per record.
 */
static pg_attribute_always_inline void
format_fixed_digits(char *p, uint64 v, int width, int base)
{
	int			i = width;

	if (base == 10)
	{
		for (; i >= 2; i -= 2)
		{
			uint64		q = v / 100;

			memcpy(p + i - 2, st_digit_pairs + 2 * (v - q * 100), 2);
			v = q;
		}
		if (i == 1)
			p[0] = '0' + v;
		return;
	}
	while (--i >= 0)
	{
		p[i] = st_digits[v % base];
		v /= base;
	}
}

/* Append v as format_fixed_digits() writes it. */
static pg_attribute_always_inline void
append_fixed_digits(StringInfo out, uint64 v, int width, int base)
{
	if (unlikely(out->len + width >= out->maxlen))
		enlargeStringInfo(out, width);
	format_fixed_digits(out->data + out->len, v, width, base);
	out->len += width;
	out->data[out->len] = '\0';
}

/* Write v in base 10 or 16 (upper case), no padding. */
static void
append_digits(StringInfo out, uint64 v, int base)
{
	int			n = 1;

	for (uint64 rest = v / base; rest > 0; rest /= base)
		n++;
	if (base == 10)
		append_fixed_digits(out, v, n, 10);
	else
		append_fixed_digits(out, v, n, 16);
}

#define append_uint64(out, v) append_digits((out), (v), 10)

/*
 * A change's place in the stream in fixed-width digits: the commit LSN
 * (lsn_digits, formatted once per transaction), the change's place in its
 * transaction, sub.  Base 16 for eventID, base 10 for SequenceNumber.
 */
static pg_attribute_always_inline void
append_place(StringInfo out, const char *lsn_digits, uint64 ordinal, int sub, int base)
{
	append_bytes(out, lsn_digits, base == 16 ? 16 : 20);
	append_fixed_digits(out, ordinal * base + sub, base == 16 ? 9 : 10, base);
}

/* "%X/%X", quoted */
static void
append_lsn(StringInfo out, XLogRecPtr lsn)
{
	appendStringInfoCharMacro(out, '"');
	append_digits(out, (uint32) (lsn >> 32), 16);
	appendStringInfoCharMacro(out, '/');
	append_digits(out, (uint32) lsn, 16);
	appendStringInfoCharMacro(out, '"');
}

/*
 * ISO 8601 in UTC with microseconds: "2024-05-01T12:00:00.123456Z", quoted.
 * The date part ("2024-05-01T) is formatted once per day (timestamp2tm() is
 * slow, and commit times come in order): a time within the cached day is
 * the day's text followed by its time of day, counted from the day's
 * midnight.
 */
static void
append_time(StreamData *data, StringInfo out, TimestampTz t)
{
	int64		us;
	char	   *p;

	if (t == 0)
	{
		append_literal(out, "null");
		return;
	}
	if (!data->day_valid || t < data->day_start || t >= data->day_end)
	{
		struct pg_tm tm;
		fsec_t		fsec;

		if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		{
			append_literal(out, "null");
			return;
		}
		if (tm.tm_year < 0 || tm.tm_year > 9999)
		{
			appendStringInfo(out, "\"%04d-%02d-%02dT%02d:%02d:%02d.%06dZ\"",
							 tm.tm_year, tm.tm_mon, tm.tm_mday,
							 tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
			return;
		}
		p = data->day_text;
		*p++ = '"';
		format_fixed_digits(p, tm.tm_year, 4, 10);
		p[4] = '-';
		format_fixed_digits(p + 5, tm.tm_mon, 2, 10);
		p[7] = '-';
		format_fixed_digits(p + 8, tm.tm_mday, 2, 10);
		p[10] = 'T';
		data->day_start = t - (((int64) tm.tm_hour * SECS_PER_HOUR +
								tm.tm_min * SECS_PER_MINUTE + tm.tm_sec) * USECS_PER_SEC +
							   fsec);
		data->day_end = data->day_start + USECS_PER_DAY;
		data->day_valid = true;
	}
	us = t - data->day_start;

	/* "2024-05-01T + 12:00:00.123456Z" */
	if (unlikely(out->len + 29 >= out->maxlen))
		enlargeStringInfo(out, 29);
	p = out->data + out->len;
	memcpy(p, data->day_text, 12);
	p += 12;
	format_fixed_digits(p, us / USECS_PER_HOUR, 2, 10);
	p[2] = ':';
	format_fixed_digits(p + 3, us / USECS_PER_MINUTE % MINS_PER_HOUR, 2, 10);
	p[5] = ':';
	format_fixed_digits(p + 6, us / USECS_PER_SEC % SECS_PER_MINUTE, 2, 10);
	p[8] = '.';
	format_fixed_digits(p + 9, us % USECS_PER_SEC, 6, 10);
	memcpy(p + 15, "Z\"", 3);
	out->len += 29;
}

/* Seconds since the Unix epoch, rounded down, as DynamoDB gives them. */
static int64
epoch_seconds(TimestampTz t)
{
	int64		us = t + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;

	return us >= 0 ? us / USECS_PER_SEC : -((-us + USECS_PER_SEC - 1) / USECS_PER_SEC);
}

/*
 * Format what every record of the transaction repeats (see StreamData),
 * once per transaction (the reorder buffer replays a transaction at its
 * commit, so all of it is known by its first change), not once per record.
 */
static void
prepare_txn(StreamData *data, ReorderBufferTXN *txn)
{
	StringInfo	f = &data->txn_fields;
	StringInfo	b = &data->txn_body;
	int64		epoch = epoch_seconds(txn->xact_time.commit_time);

	if (data->txn_ready)
		return;
	resetStringInfo(f);
	append_literal(f, "\"transactionId\":");
	append_uint64(f, txn->xid);
	append_literal(f, ",\"commitLsn\":");
	append_lsn(f, txn->final_lsn);
	append_literal(f, ",\"commitTime\":");
	append_time(data, f, txn->xact_time.commit_time);

	resetStringInfo(b);
	append_literal(b, ",\"dynamodb\":{\"ApproximateCreationDateTime\":");
	if (epoch < 0)
		appendStringInfoCharMacro(b, '-');
	append_uint64(b, epoch < 0 ? -(uint64) epoch : (uint64) epoch);
	appendStringInfoCharMacro(b, ',');

	format_fixed_digits(data->txn_lsn_hex, txn->final_lsn, sizeof(data->txn_lsn_hex), 16);
	format_fixed_digits(data->txn_lsn_dec, txn->final_lsn, sizeof(data->txn_lsn_dec), 10);
	data->txn_ready = true;
}

/* The transaction's fields: "transactionId", "commitLsn", "commitTime". */
static void
append_txn_fields(StreamData *data, StringInfo out, ReorderBufferTXN *txn)
{
	prepare_txn(data, txn);
	append_bytes(out, data->txn_fields.data, data->txn_fields.len);
}

/* Empty data->pending: no record, room for the message header. */
static void
reset_pending(StreamData *data)
{
	resetStringInfo(&data->pending);
	if (unlikely(data->pending_header >= data->pending.maxlen))
		enlargeStringInfo(&data->pending, data->pending_header);
	data->pending.len = data->pending_header;
}

/*
 * Write the pending record, if any, as one message.  When what
 * OutputPluginPrepareWrite() put in ctx->out (nothing for the SQL
 * functions, a header for the walsender) is as long as the room left for
 * it, it is copied there and the two buffers change places: the record is
 * not copied.  Otherwise the record is copied after it, and the next ones
 * leave room for a header of this length.
 */
static void
flush_pending(LogicalDecodingContext *ctx, StreamData *data)
{
	int			header = data->pending_header;

	if (data->pending.len == header)
		return;
	OutputPluginPrepareWrite(ctx, true);
	if (ctx->out->len == header)
	{
		StringInfoData record = data->pending;

		memcpy(record.data, ctx->out->data, header);
		data->pending = *ctx->out;
		*ctx->out = record;
	}
	else
	{
		appendBinaryStringInfo(ctx->out, data->pending.data + header,
							   data->pending.len - header);
		data->pending_header = ctx->out->len - (data->pending.len - header);
	}
	OutputPluginWrite(ctx, true);
	/* do not keep the buffer of one huge record for the whole session */
	if (data->pending.maxlen > 4 * 1024 * 1024)
	{
		MemoryContext old = MemoryContextSwitchTo(ctx->context);

		pfree(data->pending.data);
		initStringInfo(&data->pending);
		MemoryContextSwitchTo(old);
	}
	reset_pending(data);
}

static void
write_begin_marker(LogicalDecodingContext *ctx, StreamData *data, ReorderBufferTXN *txn)
{
	if (!data->transaction_markers || data->begin_written)
		return;
	data->begin_written = true;
	OutputPluginPrepareWrite(ctx, true);
	appendStringInfoString(ctx->out, "{\"transaction\":\"BEGIN\",");
	append_txn_fields(data, ctx->out, txn);
	appendStringInfoCharMacro(ctx->out, '}');
	OutputPluginWrite(ctx, true);
}

typedef enum StreamEvent
{
	EVENT_INSERT,
	EVENT_MODIFY,
	EVENT_REMOVE
} StreamEvent;

static const char *const event_names[] = {"INSERT", "MODIFY", "REMOVE"};

/*
 * Start a record in data->pending (after writing out the one before): the
 * envelope up to the key, image and sequence fields, which
 * finish_record() writes.  ordinal and sub make the record's place in the
 * stream (see the file header).
 *
 * The dynamodb envelope is DynamoDB Streams' record, with the transaction's
 * fields on every record.  The compact one writes eventName, the table and
 * "sequence" (ordinal * 10 + sub: the last ten digits of SequenceNumber),
 * the transaction's fields only on the transaction's first record, and
 * leaves out what a consumer can derive or already has: eventID,
 * eventVersion, eventSource, ApproximateCreationDateTime, SequenceNumber,
 * SizeBytes and StreamViewType.
 */
static void
start_record(LogicalDecodingContext *ctx, StreamData *data, ReorderBufferTXN *txn,
			 StreamRelEntry *entry, const char *event_name, uint64 ordinal, int sub)
{
	StringInfo	out = &data->pending;

	write_begin_marker(ctx, data, txn);
	flush_pending(ctx, data);
	prepare_txn(data, txn);

	if (data->compact)
	{
		append_literal(out, "{\"eventName\":\"");
		append_bytes(out, event_name, strlen(event_name));
		append_literal(out, "\",\"tableName\":");
	}
	else
	{
		append_literal(out, "{\"eventID\":\"");
		append_place(out, data->txn_lsn_hex, ordinal, sub, 16);
		append_literal(out, "\",\"eventName\":\"");
		append_bytes(out, event_name, strlen(event_name));
		append_literal(out, "\",\"eventVersion\":\"1.1\",\"eventSource\":\"singletable\",\"tableName\":");
	}
	append_bytes(out, entry->names.data, entry->names.len);
	if (!data->compact || data->records == 0)
	{
		appendStringInfoCharMacro(out, ',');
		append_txn_fields(data, out, txn);
	}
	if (data->compact)
	{
		append_literal(out, ",\"sequence\":");
		append_uint64(out, ordinal * 10 + sub);
	}
}

/*
 * Open the part of the record that SizeBytes measures (the keys and
 * images): returns where it starts.
 */
static int
open_record_body(StreamData *data)
{
	StringInfo	out = &data->pending;

	if (data->compact)
		appendStringInfoCharMacro(out, ',');
	else
		append_bytes(out, data->txn_body.data, data->txn_body.len);
	return out->len;
}

/* End the record started by start_record(); size is its SizeBytes. */
static void
finish_record(StreamData *data, uint64 ordinal, int sub, int size, StreamView view)
{
	StringInfo	out = &data->pending;

	if (!data->compact)
	{
		append_literal(out, ",\"SequenceNumber\":\"");
		append_place(out, data->txn_lsn_dec, ordinal, sub, 10);
		append_literal(out, "\",\"SizeBytes\":");
		append_uint64(out, size);
		append_literal(out, ",\"StreamViewType\":\"");
		append_bytes(out, view_names[view], strlen(view_names[view]));
		append_literal(out, "\"}");
	}
	appendStringInfoCharMacro(out, '}');
	data->records++;
}

/*
 * Build one record into data->pending (after writing out the one before).
 * sub distinguishes the two records of a key-changing update.
 */
static void
build_record(LogicalDecodingContext *ctx, StreamData *data, ReorderBufferTXN *txn,
			 Relation relation, StreamRelEntry *entry, StreamEvent event,
			 Jsonb *new_item, Jsonb *old_item, HeapTuple key_tuple, int sub)
{
	StringInfo	out = &data->pending;
	StreamView	view = data->view != VIEW_DEFAULT ? data->view : entry->view;
	int			body_start;

	if (data->ordinal > ST_STREAM_MAX_ORDINAL)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("transaction %u has more than %llu changes", txn->xid,
						(unsigned long long) ST_STREAM_MAX_ORDINAL),
				 errdetail("A SequenceNumber holds the place of a change in its transaction in 9 digits.")));

	start_record(ctx, data, txn, entry, event_names[event], data->ordinal, sub);
	/* DynamoDB Streams marks deletions by TTL as the service's */
	if (event == EVENT_REMOVE && OidIsValid(data->ttl_relid) && entry->base_relid == data->ttl_relid)
		append_literal(out, ",\"userIdentity\":{\"type\":\"Service\","
					   "\"principalId\":\"dynamodb.amazonaws.com\"}");
	body_start = open_record_body(data);
	append_literal(out, "\"Keys\":");
	append_keys(data, out, entry, event == EVENT_REMOVE ? old_item : new_item,
				key_tuple, RelationGetDescr(relation));
	if (new_item != NULL && event != EVENT_REMOVE &&
		(view == VIEW_NEW_IMAGE || view == VIEW_NEW_AND_OLD_IMAGES))
	{
		append_literal(out, ",\"NewImage\":");
		append_image(data, out, new_item);
	}
	if (old_item != NULL && event != EVENT_INSERT &&
		(view == VIEW_OLD_IMAGE || view == VIEW_NEW_AND_OLD_IMAGES))
	{
		append_literal(out, ",\"OldImage\":");
		append_image(data, out, old_item);
	}
	finish_record(data, data->ordinal, sub, out->len - body_start, view);
}

/*
 * The item of a tuple, or NULL when the tuple does not carry it: a
 * non-FULL replica identity leaves it out of old tuples, and an UPDATE that
 * left a toasted item alone logs only a pointer to it.
 */
static Jsonb *
tuple_item(HeapTuple tup, TupleDesc desc, bool *unchanged_toast)
{
	bool		isnull;
	Datum		d;

	if (unchanged_toast)
		*unchanged_toast = false;
	if (tup == NULL)
		return NULL;
	d = heap_getattr(tup, ST_ATTNUM_ITEM, desc, &isnull);
	if (isnull)
		return NULL;
	if (VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(d)))
	{
		if (unchanged_toast)
			*unchanged_toast = true;
		return NULL;
	}
	return DatumGetJsonbP(d);
}

static bool
jsonb_values_equal(JsonbValue *a, JsonbValue *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (a->type != b->type)
		return false;
	switch (a->type)
	{
		case jbvString:
			return a->val.string.len == b->val.string.len &&
				memcmp(a->val.string.val, b->val.string.val, a->val.string.len) == 0;
		case jbvNumeric:
			return DatumGetBool(DirectFunctionCall2(numeric_eq,
													NumericGetDatum(a->val.numeric),
													NumericGetDatum(b->val.numeric)));
		case jbvBool:
			return a->val.boolean == b->val.boolean;
		case jbvBinary:
			{
				/* a binary key: canonical base64, so equal bytes are equal texts */
				JsonbValue	x,
							y;

				return st_tag_of(a, &x) == ST_TAG_B && st_tag_of(b, &y) == ST_TAG_B &&
					jsonb_values_equal(&x, &y);
			}
		default:
			return true;
	}
}

/*
 * Do two images of a row have the same identity: a base table's key, or an
 * index table's keys (the index's and the item's)?
 */
static bool
same_key(StreamRelEntry *entry, Jsonb *a, Jsonb *b)
{
	for (int i = 0; i < entry->nkeys; i++)
	{
		JsonbValue	va,
					vb;

		if (!jsonb_values_equal(st_get_attr(a, entry->key_attrs[i], &va),
								st_get_attr(b, entry->key_attrs[i], &vb)))
			return false;
	}
	return true;
}

/*
 * The same for an update whose old tuple holds only the key columns (a
 * replica identity other than FULL: PostgreSQL logs them when they changed,
 * or when one was stored out of line).  The values are compared, not their
 * bytes, which compression can change.
 */
static bool
same_key_columns(StreamRelEntry *entry, HeapTuple oldtup, HeapTuple newtup, TupleDesc desc)
{
	for (int i = 0; i < entry->nkeys; i++)
	{
		JsonbValue	va,
					vb;

		if (!jsonb_values_equal(key_from_column(oldtup, desc, ST_ATTNUM_PK + i, entry->key_types[i], &va),
								key_from_column(newtup, desc, ST_ATTNUM_PK + i, entry->key_types[i], &vb)))
			return false;
	}
	return true;
}

/*
 * Did an update change the row's identity?  Told by the old and new items
 * when the WAL has the old one (REPLICA IDENTITY FULL), else by the key
 * columns when it has the old ones (they changed, under the primary key as
 * identity); with neither (NOTHING, or keys left alone) it is taken as the
 * same row.
 */
static bool
key_changed(StreamRelEntry *entry, Jsonb *old_item, Jsonb *new_item,
			HeapTuple oldtup, HeapTuple newtup, TupleDesc desc)
{
	if (old_item != NULL)
		return !same_key(entry, old_item, new_item);
	return oldtup != NULL && entry->key_columns &&
		!same_key_columns(entry, oldtup, newtup, desc);
}

static void
st_stream_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	StreamData *data = ctx->output_plugin_private;

	/* the BEGIN marker is written before the first record, if any */
	data->ordinal = 0;
	data->records = 0;
	data->begin_written = false;
	data->txn_ready = false;
	data->ttl_relid = InvalidOid;
	reset_pending(data);
}

static void
st_stream_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	StreamData *data = ctx->output_plugin_private;

	/* written from here, the last record carries the end of the commit */
	flush_pending(ctx, data);
	if (data->begin_written)
	{
		OutputPluginPrepareWrite(ctx, true);
		appendStringInfoString(ctx->out, "{\"transaction\":\"COMMIT\",");
		append_txn_fields(data, ctx->out, txn);
		appendStringInfo(ctx->out, ",\"records\":" UINT64_FORMAT "}", data->records);
		OutputPluginWrite(ctx, true);
	}
	OutputPluginUpdateProgress(ctx, data->records == 0);
	data->skipped = 0;
}

/* Keep the walsender's progress reports going through long skipped runs. */
static void
skipped_change(LogicalDecodingContext *ctx, StreamData *data)
{
	if (++data->skipped >= ST_STREAM_PROGRESS_EVERY)
	{
		OutputPluginUpdateProgress(ctx, false);
		data->skipped = 0;
	}
}

static void
st_stream_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
				 Relation relation, ReorderBufferChange *change)
{
	StreamData *data = ctx->output_plugin_private;
	StreamRelEntry *entry;
	MemoryContext old;
	TupleDesc	desc = RelationGetDescr(relation);
#if PG_VERSION_NUM >= 170000
	HeapTuple	newtup = change->data.tp.newtuple;
	HeapTuple	oldtup = change->data.tp.oldtuple;
#else
	HeapTuple	newtup = change->data.tp.newtuple ? &change->data.tp.newtuple->tuple : NULL;
	HeapTuple	oldtup = change->data.tp.oldtuple ? &change->data.tp.oldtuple->tuple : NULL;
#endif

	/* every change counts, so SequenceNumbers do not depend on the options */
	data->ordinal++;

	old = MemoryContextSwitchTo(data->change_cxt);
	entry = get_rel_entry(data, relation);
	if (!entry->emit)
	{
		MemoryContextSwitchTo(old);
		MemoryContextReset(data->change_cxt);
		skipped_change(ctx, data);
		return;
	}

	switch (change->action)
	{
		case REORDER_BUFFER_CHANGE_INSERT:
			{
				Jsonb	   *item = tuple_item(newtup, desc, NULL);

				if (item != NULL)
					build_record(ctx, data, txn, relation, entry, EVENT_INSERT,
								 item, NULL, newtup, 0);
				break;
			}
		case REORDER_BUFFER_CHANGE_UPDATE:
			{
				bool		unchanged;
				Jsonb	   *new_item = tuple_item(newtup, desc, &unchanged);
				Jsonb	   *old_item = tuple_item(oldtup, desc, NULL);

				/*
				 * A write that leaves the item as it was makes no record, as
				 * in DynamoDB Streams.
				 */
				if (new_item == NULL)
					break;
				if (old_item != NULL && VARSIZE(old_item) == VARSIZE(new_item) &&
					memcmp(old_item, new_item, VARSIZE(old_item)) == 0)
					break;
				if (key_changed(entry, old_item, new_item, oldtup, newtup, desc))
				{
					/* a new key is a different item: REMOVE the old, INSERT the new */
					build_record(ctx, data, txn, relation, entry, EVENT_REMOVE,
								 NULL, old_item, oldtup, 0);
					build_record(ctx, data, txn, relation, entry, EVENT_INSERT,
								 new_item, NULL, newtup, 1);
				}
				else
					build_record(ctx, data, txn, relation, entry, EVENT_MODIFY,
								 new_item, old_item, newtup, 0);
				break;
			}
		case REORDER_BUFFER_CHANGE_DELETE:
			{
				Jsonb	   *old_item = tuple_item(oldtup, desc, NULL);

				/* without the old tuple, not even the key is known */
				if (oldtup != NULL)
					build_record(ctx, data, txn, relation, entry, EVENT_REMOVE,
								 NULL, old_item, oldtup, 0);
				break;
			}
		default:
			break;
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(data->change_cxt);
}

/*
 * TRUNCATE removes every item at once; DynamoDB has no such event, so the
 * stream gets one record per truncated singletable table with eventName
 * TRUNCATE and no keys, for a projection to drop what it holds of the table.
 */
static void
st_stream_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
				   int nrelations, Relation relations[], ReorderBufferChange *change)
{
	StreamData *data = ctx->output_plugin_private;
	MemoryContext old;
	uint64		first = data->ordinal + 1;

	/* one place per truncated relation, whatever the options select */
	data->ordinal += nrelations;
	old = MemoryContextSwitchTo(data->change_cxt);
	for (int i = 0; i < nrelations; i++)
	{
		StreamRelEntry *entry = get_rel_entry(data, relations[i]);

		if (!entry->emit)
			continue;
		start_record(ctx, data, txn, entry, "TRUNCATE", first + i, 0);
		(void) open_record_body(data);
		/* SizeBytes counts the empty Keys map */
		append_literal(&data->pending, "\"Keys\":{}");
		finish_record(data, first + i, 0, 2,
					  data->view != VIEW_DEFAULT ? data->view : entry->view);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(data->change_cxt);
}

/*
 * Logical messages (pg_logical_emit_message) are not item changes, but an
 * expiring transaction brackets its deletions with TTL markers (ttl.c).
 */
static void
st_stream_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
				  XLogRecPtr message_lsn, bool transactional,
				  const char *prefix, Size message_size, const char *message)
{
	StreamData *data = ctx->output_plugin_private;
	Oid			relid;

	if (transactional && st_ttl_read_marker(prefix, message, message_size, &relid))
		data->ttl_relid = relid;
}

/* Changes replicated in from elsewhere are item changes too: keep them all. */
static bool
st_stream_filter_by_origin(LogicalDecodingContext *ctx, RepOriginId origin_id)
{
	return false;
}
