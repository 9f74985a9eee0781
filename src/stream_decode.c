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
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "singletable.h"
#include "ttl.h"

extern PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks *cb);

/*
 * Column numbers of singletable.tables and singletable.indexes
 * (00_catalog.sql).  In both, the partition key is followed by its type,
 * the sort key and its type (add_row_keys relies on it).
 */
#define Anum_st_tables_relid			1
#define Anum_st_tables_partition_key	2
#define Anum_st_tables_stream_view		6
#define Anum_st_indexes_relid			1
#define Anum_st_indexes_index_name		2
#define Anum_st_indexes_index_relid		3
#define Anum_st_indexes_partition_key	4

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
	bool		include_indexes;
	bool		transaction_markers;
	List	   *tables;			/* StreamTableName *, NIL = every table */

	/* per transaction */
	uint64		ordinal;		/* changes seen so far in this transaction */
	uint64		records;		/* records written in this transaction */
	bool		begin_written;
	Oid			ttl_relid;		/* its REMOVEs of this table are TTL deletions */

	/*
	 * The record built last, written when the next one is built or at
	 * commit: see the file header.  Lives in the decoding context.
	 */
	StringInfoData pending;
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
	Oid			relid;			/* hash key */
	bool		valid;
	MemoryContext cxt;			/* what the entry points to; NULL until needed */
	StreamRelKind kind;
	bool		emit;			/* passes the tables and include_indexes options */
	Oid			base_relid;		/* the base table (itself for REL_TABLE) */
	char	   *schema_name;
	char	   *table_name;		/* base table's name */
	char	   *index_name;		/* REL_INDEX: the index's name */
	StreamView	view;			/* the base table's stream_view */
	int			nkeys;			/* key attributes to put in Keys */
	char	   *key_attrs[ST_STREAM_MAX_KEYS];
	StKeyType	key_types[ST_STREAM_MAX_KEYS];
	int			nbase_keys;		/* of them, the first nbase_keys are the
								 * item's identity (pk[, sk]) */
} StreamRelEntry;

/*
 * The relation cache lives in CacheMemoryContext so that the invalidation
 * callback (which cannot be unregistered) never sees freed memory, even when
 * a decoding session ends with an error and without its shutdown callback.
 * It is emptied at the start and end of every session, since what an entry
 * holds depends on the session's options.  Each entry's strings live in its
 * own small context, reset when the entry is rebuilt after an invalidation,
 * so a long-running session does not grow by one entry's strings per
 * invalidation.
 */
static HTAB *rel_cache = NULL;
static MemoryContext rel_cache_cxt = NULL;
static bool rel_callback_registered = false;

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

static void
rel_cache_invalidate(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	StreamRelEntry *entry;

	if (rel_cache == NULL)
		return;

	/*
	 * An index table's entry depends on its base table's catalog row, so a
	 * change of the base table drops its index tables' entries too.  The
	 * cache is small (the relations one stream has seen), so a scan is fine.
	 */
	hash_seq_init(&status, rel_cache);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (!OidIsValid(relid) || entry->relid == relid || entry->base_relid == relid)
			entry->valid = false;
	}
}

static void
rel_cache_reset(void)
{
	if (rel_cache != NULL)
	{
		hash_destroy(rel_cache);
		rel_cache = NULL;
	}
	if (rel_cache_cxt != NULL)
		MemoryContextReset(rel_cache_cxt);
}

static void
rel_cache_init(void)
{
	HASHCTL		ctl;

	if (rel_cache_cxt == NULL)
		rel_cache_cxt = AllocSetContextCreate(CacheMemoryContext,
											  "singletable stream relations",
											  ALLOCSET_SMALL_SIZES);
	rel_cache_reset();
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(StreamRelEntry);
	ctl.hcxt = rel_cache_cxt;
	rel_cache = hash_create("singletable stream relations", 64, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	if (!rel_callback_registered)
	{
		st_on_relcache_invalidation(rel_cache_invalidate);
		rel_callback_registered = true;
	}
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
		entry->key_attrs[entry->nkeys] = attr;
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
	bool		isnull;
	Datum		d;

	entry_add_key(entry, cache_text(entry, heap_getattr(tup, first, desc, &isnull)),
				  (StKeyType) DatumGetChar(heap_getattr(tup, first + 1, desc, &isnull)));
	d = heap_getattr(tup, first + 2, desc, &isnull);
	if (!isnull)
	{
		bool		typenull;
		Datum		t = heap_getattr(tup, first + 3, desc, &typenull);

		entry_add_key(entry, cache_text(entry, d),
					  typenull ? ST_KEY_S : (StKeyType) DatumGetChar(t));
	}
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
	ScanKeyInit(&key, Anum_st_tables_relid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;
		Datum		d;

		add_row_keys(entry, tup, desc, Anum_st_tables_partition_key);
		d = heap_getattr(tup, Anum_st_tables_stream_view, desc, &isnull);
		entry->view = isnull ? VIEW_NEW_AND_OLD_IMAGES : parse_view(TextDatumGetCString(d));
		if (entry->view == VIEW_DEFAULT)
			entry->view = VIEW_NEW_AND_OLD_IMAGES;
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
	ScanKeyInit(&key, Anum_st_indexes_index_relid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;

		base = DatumGetObjectId(heap_getattr(tup, Anum_st_indexes_relid, desc, &isnull));
		entry->index_name = cache_text(entry, heap_getattr(tup, Anum_st_indexes_index_name, desc, &isnull));
		add_row_keys(entry, tup, desc, Anum_st_indexes_partition_key);
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
 * jsonb first, and for a base table pk (and sk) of the key types?  The
 * decoder interprets the columns' Datums by them, and a catalog row can be
 * written by any table's owner, so a table of another shape is not
 * streamed rather than crashing the decoding process.
 */
static bool
rel_layout_ok(Relation rel, StreamRelEntry *entry, bool is_table)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			ncols = is_table ? 1 + entry->nkeys : 1;

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

	entry->kind = REL_OTHER;
	entry->emit = false;
	entry->base_relid = InvalidOid;
	entry->nkeys = 0;
	entry->nbase_keys = 0;
	entry->index_name = NULL;
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
	if (read_table_row(tables_relid, relid, entry))
	{
		if (!rel_layout_ok(rel, entry, true))
		{
			entry->nkeys = 0;
			return;
		}
		entry->kind = REL_TABLE;
		entry->base_relid = relid;
		entry->nbase_keys = entry->nkeys;
		entry->table_name = MemoryContextStrdup(entry_cxt(entry), RelationGetRelationName(rel));
		entry->schema_name = MemoryContextStrdup(entry_cxt(entry),
												 get_namespace_name(RelationGetNamespace(rel)));
		entry->emit = tables_option_matches(data, entry->schema_name, entry->table_name);
	}
	else if (OidIsValid(indexes_relid))
	{
		Oid			base = read_index_row(indexes_relid, relid, entry);
		char	   *base_name = OidIsValid(base) ? get_rel_name(base) : NULL;

		if (base_name != NULL)
		{
			int			nindex_keys = entry->nkeys;
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
				entry->kind = REL_INDEX;
				entry->base_relid = base;
				entry->nbase_keys = nindex_keys;
				entry->table_name = MemoryContextStrdup(entry_cxt(entry), base_name);
				entry->schema_name = MemoryContextStrdup(entry_cxt(entry),
														 get_namespace_name(get_rel_namespace(base)));
				entry->emit = data->include_indexes &&
					(tables_option_matches(data, entry->schema_name, entry->table_name) ||
					 tables_option_matches(data, get_namespace_name(RelationGetNamespace(rel)),
										   RelationGetRelationName(rel)));
			}
		}
	}
}

static StreamRelEntry *
get_rel_entry(StreamData *data, Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	StreamRelEntry *entry;
	bool		found;

	entry = hash_search(rel_cache, &relid, HASH_ENTER, &found);
	if (!found)
		entry->cxt = NULL;
	if (!found || !entry->valid)
	{
		entry->valid = false;
		/* nothing points into the entry's old strings any more */
		if (entry->cxt != NULL)
			MemoryContextReset(entry->cxt);
		build_rel_entry(data, rel, entry);
		entry->valid = true;
	}
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
			Oid			relid = DatumGetObjectId(heap_getattr(tup, Anum_st_tables_relid,
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
		{
			char	   *f = option_string(elem);

			if (pg_strcasecmp(f, "plain") == 0)
				data->typed = false;
			else if (pg_strcasecmp(f, "typed") == 0)
				data->typed = true;
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid value \"%s\" for parameter \"format\"", f),
						 errhint("Use plain (DocumentClient JSON) or typed (DynamoDB typed JSON).")));
		}
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
					 errhint("The singletable output plugin takes view, tables, format, include_indexes and transaction_markers.")));
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

/* Write a JSON string of len bytes (not NUL-terminated) to out. */
static void
append_json_string(StringInfo out, const char *s, int len)
{
	char	   *copy = pnstrdup(s, len);

	escape_json(out, copy);
	pfree(copy);
}

/* Write a key value (a scalar, or a binary {"$B": ..}) as plain JSON. */
static void
append_plain_scalar(StringInfo out, JsonbValue *v)
{
	JsonbValue	b64;

	if (st_tag_of(v, &b64) == ST_TAG_B)
	{
		appendStringInfoString(out, "{\"$B\":");
		append_json_string(out, b64.val.string.val, b64.val.string.len);
		appendStringInfoChar(out, '}');
		return;
	}
	switch (v->type)
	{
		case jbvString:
			append_json_string(out, v->val.string.val, v->val.string.len);
			break;
		case jbvNumeric:
			appendStringInfoString(out, DatumGetCString(DirectFunctionCall1(numeric_out,
																			NumericGetDatum(v->val.numeric))));
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
		append_json_string(out, v->val.string.val, v->val.string.len);
		appendStringInfoChar(out, '}');
	}
	else if (st_tag_of(v, &b64) == ST_TAG_B)
	{
		appendStringInfoString(out, "{\"B\":");
		append_json_string(out, b64.val.string.val, b64.val.string.len);
		appendStringInfoChar(out, '}');
	}
	else
		appendStringInfoString(out, "{\"NULL\":true}");
}

/* Write an item (an image) in the session's format. */
static void
append_image(StreamData *data, StringInfo out, Jsonb *item)
{
	if (data->typed)
		st_append_typed_item_text(out, item);
	else
		(void) JsonbToCString(out, &item->root, VARSIZE(item));
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
 * Write "Keys": the key attributes taken from the item, or, when the old
 * image is not in the WAL (replica identity other than FULL), from a base
 * table's key columns.
 */
static void
append_keys(StreamData *data, StringInfo out, StreamRelEntry *entry, Jsonb *item,
			HeapTuple tup, TupleDesc desc)
{
	bool		first = true;

	appendStringInfoChar(out, '{');
	for (int i = 0; i < entry->nkeys; i++)
	{
		JsonbValue	buf;
		JsonbValue *v = NULL;

		if (item != NULL)
			v = st_get_attr(item, entry->key_attrs[i], &buf);
		else if (tup != NULL && entry->kind == REL_TABLE)
			v = key_from_column(tup, desc, i == 0 ? ST_ATTNUM_PK : ST_ATTNUM_SK,
								entry->key_types[i], &buf);
		if (v == NULL)
			continue;
		if (!first)
			appendStringInfoChar(out, ',');
		first = false;
		escape_json(out, entry->key_attrs[i]);
		appendStringInfoChar(out, ':');
		if (data->typed)
			append_typed_key(out, v, entry->key_types[i]);
		else
			append_plain_scalar(out, v);
	}
	appendStringInfoChar(out, '}');
}

static void
append_lsn(StringInfo out, XLogRecPtr lsn)
{
	appendStringInfo(out, "\"%X/%X\"", LSN_FORMAT_ARGS(lsn));
}

/* ISO 8601 in UTC with microseconds: 2024-05-01T12:00:00.123456Z */
static void
append_time(StringInfo out, TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (t == 0 || timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
	{
		appendStringInfoString(out, "null");
		return;
	}
	appendStringInfo(out, "\"%04d-%02d-%02dT%02d:%02d:%02d.%06dZ\"",
					 tm.tm_year, tm.tm_mon, tm.tm_mday,
					 tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
}

/* Seconds since the Unix epoch, rounded down, as DynamoDB gives them. */
static int64
epoch_seconds(TimestampTz t)
{
	int64		us = t + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;

	return us >= 0 ? us / USECS_PER_SEC : -((-us + USECS_PER_SEC - 1) / USECS_PER_SEC);
}

/* The transaction's common fields: "transactionId", "commitLsn", "commitTime". */
static void
append_txn_fields(StringInfo out, ReorderBufferTXN *txn)
{
	appendStringInfo(out, "\"transactionId\":%u,\"commitLsn\":", txn->xid);
	append_lsn(out, txn->final_lsn);
	appendStringInfoString(out, ",\"commitTime\":");
	append_time(out, txn->xact_time.commit_time);
}

/* Write the pending record, if any, as one message. */
static void
flush_pending(LogicalDecodingContext *ctx, StreamData *data)
{
	if (data->pending.len == 0)
		return;
	OutputPluginPrepareWrite(ctx, true);
	appendBinaryStringInfo(ctx->out, data->pending.data, data->pending.len);
	OutputPluginWrite(ctx, true);
	resetStringInfo(&data->pending);
	/* do not keep the buffer of one huge record for the whole session */
	if (data->pending.maxlen > 4 * 1024 * 1024)
	{
		pfree(data->pending.data);
		data->pending.data = MemoryContextAlloc(ctx->context, 1024);
		data->pending.maxlen = 1024;
		data->pending.data[0] = '\0';
	}
}

static void
write_begin_marker(LogicalDecodingContext *ctx, StreamData *data, ReorderBufferTXN *txn)
{
	if (!data->transaction_markers || data->begin_written)
		return;
	data->begin_written = true;
	OutputPluginPrepareWrite(ctx, true);
	appendStringInfoString(ctx->out, "{\"transaction\":\"BEGIN\",");
	append_txn_fields(ctx->out, txn);
	appendStringInfoChar(ctx->out, '}');
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
	XLogRecPtr	lsn = txn->final_lsn;
	int			size_start;
	int			size;
	char		seq[64];

	write_begin_marker(ctx, data, txn);
	flush_pending(ctx, data);

	if (data->ordinal > ST_STREAM_MAX_ORDINAL)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("transaction %u has more than %llu changes", txn->xid,
						(unsigned long long) ST_STREAM_MAX_ORDINAL),
				 errdetail("A SequenceNumber holds the place of a change in its transaction in 9 digits.")));
	snprintf(seq, sizeof(seq), "%020llu%09llu%d",
			 (unsigned long long) lsn, (unsigned long long) data->ordinal, sub);

	appendStringInfo(out, "{\"eventID\":\"%016llX%08llX%d\",\"eventName\":\"%s\","
					 "\"eventVersion\":\"1.1\",\"eventSource\":\"singletable\",",
					 (unsigned long long) lsn, (unsigned long long) data->ordinal, sub,
					 event_names[event]);
	appendStringInfoString(out, "\"tableName\":");
	escape_json(out, entry->table_name);
	appendStringInfoString(out, ",\"schemaName\":");
	escape_json(out, entry->schema_name);
	if (entry->kind == REL_INDEX)
	{
		appendStringInfoString(out, ",\"indexName\":");
		escape_json(out, entry->index_name);
	}
	appendStringInfoChar(out, ',');
	append_txn_fields(out, txn);
	/* DynamoDB Streams marks deletions by TTL as the service's */
	if (event == EVENT_REMOVE && OidIsValid(data->ttl_relid) && entry->base_relid == data->ttl_relid)
		appendStringInfoString(out, ",\"userIdentity\":{\"type\":\"Service\","
							   "\"principalId\":\"dynamodb.amazonaws.com\"}");
	appendStringInfo(out, ",\"dynamodb\":{\"ApproximateCreationDateTime\":" INT64_FORMAT ",",
					 epoch_seconds(txn->xact_time.commit_time));

	size_start = out->len;
	appendStringInfoString(out, "\"Keys\":");
	append_keys(data, out, entry, event == EVENT_REMOVE ? old_item : new_item,
				key_tuple, RelationGetDescr(relation));
	if (new_item != NULL && event != EVENT_REMOVE &&
		(view == VIEW_NEW_IMAGE || view == VIEW_NEW_AND_OLD_IMAGES))
	{
		appendStringInfoString(out, ",\"NewImage\":");
		append_image(data, out, new_item);
	}
	if (old_item != NULL && event != EVENT_INSERT &&
		(view == VIEW_OLD_IMAGE || view == VIEW_NEW_AND_OLD_IMAGES))
	{
		appendStringInfoString(out, ",\"OldImage\":");
		append_image(data, out, old_item);
	}
	size = out->len - size_start;
	appendStringInfo(out, ",\"SequenceNumber\":\"%s\",\"SizeBytes\":%d,\"StreamViewType\":\"%s\"}}",
					 seq, size, view_names[view]);
	data->records++;
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

/* Do two images of an item have the same identity (base table key)? */
static bool
same_key(StreamRelEntry *entry, Jsonb *a, Jsonb *b)
{
	for (int i = 0; i < entry->nbase_keys; i++)
	{
		JsonbValue	va,
					vb;

		if (!jsonb_values_equal(st_get_attr(a, entry->key_attrs[i], &va),
								st_get_attr(b, entry->key_attrs[i], &vb)))
			return false;
	}
	return true;
}

static void
st_stream_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	StreamData *data = ctx->output_plugin_private;

	/* the BEGIN marker is written before the first record, if any */
	data->ordinal = 0;
	data->records = 0;
	data->begin_written = false;
	data->ttl_relid = InvalidOid;
	resetStringInfo(&data->pending);
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
		append_txn_fields(ctx->out, txn);
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
				if (old_item != NULL && !same_key(entry, old_item, new_item))
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
		StringInfo	out = &data->pending;
		uint64		ordinal = first + i;
		char		seq[64];

		if (!entry->emit)
			continue;
		write_begin_marker(ctx, data, txn);
		flush_pending(ctx, data);
		snprintf(seq, sizeof(seq), "%020llu%09llu%d",
				 (unsigned long long) txn->final_lsn, (unsigned long long) ordinal, 0);
		appendStringInfo(out, "{\"eventID\":\"%016llX%08llX0\",\"eventName\":\"TRUNCATE\","
						 "\"eventVersion\":\"1.1\",\"eventSource\":\"singletable\",\"tableName\":",
						 (unsigned long long) txn->final_lsn, (unsigned long long) ordinal);
		escape_json(out, entry->table_name);
		appendStringInfoString(out, ",\"schemaName\":");
		escape_json(out, entry->schema_name);
		if (entry->kind == REL_INDEX)
		{
			appendStringInfoString(out, ",\"indexName\":");
			escape_json(out, entry->index_name);
		}
		appendStringInfoChar(out, ',');
		append_txn_fields(out, txn);
		appendStringInfo(out, ",\"dynamodb\":{\"ApproximateCreationDateTime\":" INT64_FORMAT
						 ",\"Keys\":{},\"SequenceNumber\":\"%s\",\"SizeBytes\":2,"
						 "\"StreamViewType\":\"%s\"}}",
						 epoch_seconds(txn->xact_time.commit_time), seq,
						 view_names[data->view != VIEW_DEFAULT ? data->view : entry->view]);
		data->records++;
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
