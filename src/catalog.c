/*
 * catalog.c
 *	  The extension's catalog of singletable tables (singletable.tables and
 *	  singletable.indexes): create_table, drop_table, describe_table, and a
 *	  per-backend cache of each table's facts (StTable) that every operation
 *	  reads instead of the catalog.
 *
 *	  The cache holds only tables that exist; it is keyed by relation OID and
 *	  emptied for a relation by relcache invalidation of that relation, which
 *	  DDL on the table and every change this extension makes to its catalog
 *	  rows raise (st_table_invalidate).  A replaced entry's memory lives until
 *	  the end of the transaction, so a caller holding an StTable across a
 *	  nested lookup (a trigger fired by its own write) is not left dangling.
 *
 *	  GSI creation and maintenance are index_*.c's; this file only reads the
 *	  index rows into StTable.indexes.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/scansup.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_index.h"

#include "citus.h"
#include "singletable.h"


/* column numbers of singletable.tables */
#define Anum_tables_relid				1
#define Anum_tables_partition_key		2
#define Anum_tables_partition_key_type	3
#define Anum_tables_sort_key			4
#define Anum_tables_sort_key_type		5
#define Anum_tables_stream_view			6

/* column numbers of singletable.indexes */
#define Anum_indexes_relid				1
#define Anum_indexes_index_name			2
#define Anum_indexes_index_relid		3
#define Anum_indexes_partition_key		4
#define Anum_indexes_partition_key_type 5
#define Anum_indexes_sort_key			6
#define Anum_indexes_sort_key_type		7
#define Anum_indexes_projection			8
#define Anum_indexes_include			9
#define Anum_indexes_status				10

typedef struct StTableCacheEntry
{
	Oid			relid;			/* hash key */
	bool		valid;
	MemoryContext cxt;			/* holds *table */
	StTable    *table;
} StTableCacheEntry;

static HTAB *table_cache = NULL;

/* the table st_table_lookup() is loading, and whether it was invalidated meanwhile */
static Oid	loading_relid = InvalidOid;
static bool loading_invalidated = false;

/*
 * PostgreSQL allows a backend only a few relcache callbacks, shared by every
 * loaded extension, so singletable registers one and fans it out to each
 * component's cache of per-table state (plans, facts).
 */
#define ST_MAX_RELCACHE_HOOKS 16
static RelcacheCallbackFunction relcache_hooks[ST_MAX_RELCACHE_HOOKS];
static int	n_relcache_hooks = 0;
static bool relcache_callback_registered = false;

static void
relcache_fan_out(Datum arg, Oid relid)
{
	for (int i = 0; i < n_relcache_hooks; i++)
		relcache_hooks[i] (arg, relid);
}

/*
 * Have hook called on every relcache invalidation (relid, or InvalidOid
 * for all).  Registering the same hook twice is a no-op.
 */
void
st_on_relcache_invalidation(RelcacheCallbackFunction hook)
{
	for (int i = 0; i < n_relcache_hooks; i++)
		if (relcache_hooks[i] == hook)
			return;
	if (n_relcache_hooks >= ST_MAX_RELCACHE_HOOKS)
		elog(ERROR, "out of singletable relcache hook slots");
	relcache_hooks[n_relcache_hooks++] = hook;
	if (!relcache_callback_registered)
	{
		CacheRegisterRelcacheCallback(relcache_fan_out, (Datum) 0);
		relcache_callback_registered = true;
	}
}

static void
table_cache_invalidate_callback(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	StTableCacheEntry *entry;

	if (!OidIsValid(relid) || relid == loading_relid)
		loading_invalidated = true;
	if (table_cache == NULL)
		return;
	if (OidIsValid(relid))
	{
		entry = hash_search(table_cache, &relid, HASH_FIND, NULL);
		if (entry)
			entry->valid = false;
		return;
	}
	hash_seq_init(&status, table_cache);
	while ((entry = hash_seq_search(&status)) != NULL)
		entry->valid = false;
}

static void
table_cache_init(void)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(StTableCacheEntry);
	ctl.hcxt = CacheMemoryContext;
	table_cache = hash_create("singletable tables", 64, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	st_on_relcache_invalidation(table_cache_invalidate_callback);
}

/* The OID of one of the extension's catalog tables, or InvalidOid. */
static Oid
catalog_relid(const char *relname)
{
	Oid			nsp = get_namespace_oid("singletable", true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid(relname, nsp);
}

static char *
text_datum_cstring(Datum d)
{
	return TextDatumGetCString(d);
}

/* Read the index rows of a table into a List of StIndex, in name order. */
static List *
load_indexes(Oid relid, Snapshot snapshot)
{
	Oid			indexes_relid = catalog_relid("indexes");
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	List	   *result = NIL;

	if (!OidIsValid(indexes_relid))
		return NIL;
	rel = table_open(indexes_relid, AccessShareLock);
	ScanKeyInit(&key, Anum_indexes_relid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, InvalidOid, false, snapshot, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		StIndex    *ix = palloc0(sizeof(StIndex));
		bool		isnull;
		Datum		d;
		ListCell   *lc;
		int			pos = 0;

		ix->name = text_datum_cstring(heap_getattr(tup, Anum_indexes_index_name, desc, &isnull));
		ix->relid = DatumGetObjectId(heap_getattr(tup, Anum_indexes_index_relid, desc, &isnull));
		ix->pk_attr = text_datum_cstring(heap_getattr(tup, Anum_indexes_partition_key, desc, &isnull));
		ix->pk_type = (StKeyType) DatumGetChar(heap_getattr(tup, Anum_indexes_partition_key_type, desc, &isnull));
		d = heap_getattr(tup, Anum_indexes_sort_key, desc, &isnull);
		ix->sk_attr = isnull ? NULL : text_datum_cstring(d);
		d = heap_getattr(tup, Anum_indexes_sort_key_type, desc, &isnull);
		ix->sk_type = isnull ? ST_KEY_S : (StKeyType) DatumGetChar(d);
		ix->projection = text_datum_cstring(heap_getattr(tup, Anum_indexes_projection, desc, &isnull));
		ix->xmin = HeapTupleHeaderGetXmin(tup->t_data);
		ix->row_updated = (tup->t_data->t_infomask & HEAP_UPDATED) != 0;
		/* a database still at 0.1 has no status column: all ACTIVE */
		if (desc->natts >= Anum_indexes_status)
		{
			d = heap_getattr(tup, Anum_indexes_status, desc, &isnull);
			ix->creating = !isnull && strcmp(text_datum_cstring(d), "CREATING") == 0;
		}
		d = heap_getattr(tup, Anum_indexes_include, desc, &isnull);
		if (!isnull)
		{
			Datum	   *elems;
			bool	   *nulls;
			int			n;

			deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
							  &elems, &nulls, &n);
			for (int i = 0; i < n; i++)
				if (!nulls[i])
					ix->include = lappend(ix->include, text_datum_cstring(elems[i]));
		}
		/* keep the list in name order */
		foreach(lc, result)
		{
			if (strcmp(((StIndex *) lfirst(lc))->name, ix->name) > 0)
				break;
			pos++;
		}
		result = list_insert_nth(result, pos, ix);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

/*
 * Does rel have the columns and primary key the catalog row t promises:
 * item jsonb, pk and sk of the key types (text COLLATE "C", numeric,
 * bytea), primary key (pk[, sk])?  Every reader of a singletable table
 * trusts this layout (the direct btree and heap reads interpret the
 * columns' Datums by it), and a catalog row is writable by the owner of
 * the table it names, so a row naming a table of another shape must not
 * be believed: it would let any user who can create a table, even a
 * temporary one, crash the server.
 */
static bool
table_layout_ok(Relation rel, StTable *t)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			nkeys = t->sk_attr ? 2 : 1;
#if PG_VERSION_NUM >= 180000
	Oid			pkey = RelationGetPrimaryKeyIndex(rel, false);
#else
	Oid			pkey = RelationGetPrimaryKeyIndex(rel);
#endif
	HeapTuple	indtup;
	bool		ok;

	if (rel->rd_rel->relkind != RELKIND_RELATION || desc->natts < 1 + nkeys)
		return false;
	for (int i = 0; i <= nkeys; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		StKeyType	type = i == 1 ? t->pk_type : t->sk_type;
		Oid			typid = i == 0 ? JSONBOID : st_key_type_oid(type);
		const char *name = i == 0 ? "item" : i == 1 ? "pk" : "sk";

		if (att->attisdropped || att->atttypid != typid ||
			strcmp(NameStr(att->attname), name) != 0 ||
			(i > 0 && type == ST_KEY_S && att->attcollation != C_COLLATION_OID))
			return false;
	}
	if (!OidIsValid(pkey))
		return false;
	indtup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pkey));
	if (!HeapTupleIsValid(indtup))
		return false;
	{
		Form_pg_index ind = (Form_pg_index) GETSTRUCT(indtup);

		ok = ind->indnkeyatts == nkeys && ind->indnatts == nkeys;
		for (int i = 0; ok && i < nkeys; i++)
			ok = ind->indkey.values[i] == ST_ATTNUM_PK + i;
	}
	ReleaseSysCache(indtup);
	return ok;
}

/*
 * Read one table's catalog row into a new StTable allocated in the current
 * memory context, or return NULL when the relation is not a singletable
 * table.
 */
static StTable *
load_table(Oid relid)
{
	Oid			tables_relid = catalog_relid("tables");
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	StTable    *t = NULL;
	Snapshot	snapshot;

	if (!OidIsValid(tables_relid))
		return NULL;
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	rel = table_open(tables_relid, AccessShareLock);
	ScanKeyInit(&key, Anum_tables_relid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, InvalidOid, false, snapshot, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;
		Datum		d;

		t = palloc0(sizeof(StTable));
		t->relid = relid;
		t->pk_attr = text_datum_cstring(heap_getattr(tup, Anum_tables_partition_key, desc, &isnull));
		t->pk_type = (StKeyType) DatumGetChar(heap_getattr(tup, Anum_tables_partition_key_type, desc, &isnull));
		d = heap_getattr(tup, Anum_tables_sort_key, desc, &isnull);
		t->sk_attr = isnull ? NULL : text_datum_cstring(d);
		d = heap_getattr(tup, Anum_tables_sort_key_type, desc, &isnull);
		t->sk_type = isnull ? ST_KEY_S : (StKeyType) DatumGetChar(d);
		t->stream_view = text_datum_cstring(heap_getattr(tup, Anum_tables_stream_view, desc, &isnull));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	if (t != NULL)
	{
		Relation	trel = try_relation_open(relid, AccessShareLock);

		if (trel == NULL)
			t = NULL;			/* dropped under us */
		else
		{
			bool		layout_ok = table_layout_ok(trel, t);

#if PG_VERSION_NUM >= 180000
			t->pkey_index = RelationGetPrimaryKeyIndex(trel, false);
#else
			t->pkey_index = RelationGetPrimaryKeyIndex(trel);
#endif
			t->row_security = trel->rd_rel->relrowsecurity;
			t->distributed = st_citus_is_distributed(relid);
			t->table_name = pstrdup(RelationGetRelationName(trel));
			t->schema_name = get_namespace_name(RelationGetNamespace(trel));
			relation_close(trel, AccessShareLock);
			if (!layout_ok)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("table \"%s\" does not have the layout of a singletable table",
								t->table_name),
						 errdetail("Its columns or primary key do not match its row in singletable.tables."),
						 errhint("Create singletable tables with singletable.create_table().")));
			t->indexes = load_indexes(relid, snapshot);
		}
	}
	UnregisterSnapshot(snapshot);
	return t;
}

/*
 * The catalog facts of a singletable table.  Raises ResourceNotFoundException
 * (42P01) when relid is not one, unless missing_ok, which returns NULL.
 */
StTable *
st_table_lookup(Oid relid, bool missing_ok)
{
	StTableCacheEntry *entry;
	bool		found;
	MemoryContext cxt;
	MemoryContext old;
	StTable    *t;

	if (table_cache == NULL)
		table_cache_init();

	entry = hash_search(table_cache, &relid, HASH_FIND, &found);
	if (found && entry->valid)
		return entry->table;

	cxt = AllocSetContextCreate(CacheMemoryContext, "singletable table",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);

	/*
	 * Load again when the table was invalidated during the load, by a lock
	 * the load waited for (say, behind a drop_index and create_index): the
	 * catalog was read with a snapshot older than the change, and caching
	 * that would hide the change, a new index included, until the next
	 * invalidation.
	 */
	do
	{
		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(cxt);
		loading_relid = relid;
		loading_invalidated = false;
		PG_TRY();
		{
			t = load_table(relid);
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(old);
			MemoryContextDelete(cxt);
			PG_RE_THROW();
		}
		PG_END_TRY();
	} while (loading_invalidated);
	loading_relid = InvalidOid;
	MemoryContextSwitchTo(old);

	/*
	 * Retire a stale entry's memory at the end of the transaction rather than
	 * now: the caller's caller may still be using it.  The top transaction's
	 * context, not the current one: a subtransaction that aborts (an
	 * exception block, execute(raise_errors => false)) would free it while a
	 * caller outside the subtransaction still holds the entry.
	 */
	entry = hash_search(table_cache, &relid, HASH_FIND, &found);
	if (found)
	{
		if (IsTransactionState())
			MemoryContextSetParent(entry->cxt, TopTransactionContext);
		else
			MemoryContextDelete(entry->cxt);
		hash_search(table_cache, &relid, HASH_REMOVE, NULL);
	}

	if (t == NULL)
	{
		char	   *relname;

		MemoryContextDelete(cxt);
		if (missing_ok)
			return NULL;
		/* an OID of nothing, or of a table dropped since the call began */
		relname = get_rel_name(relid);
		if (relname == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation with OID %u does not exist", relid),
					 errdetail("ResourceNotFoundException: Requested resource not found.")));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s\" is not a singletable table", relname),
				 errdetail("ResourceNotFoundException: Requested resource not found."),
				 errhint("Create tables with singletable.create_table().")));
	}
	entry = hash_search(table_cache, &relid, HASH_ENTER, NULL);
	entry->valid = true;
	entry->cxt = cxt;
	entry->table = t;
	return t;
}

/* The index of a table by name, or NULL. */
StIndex *
st_table_find_index(StTable *table, const char *index_name)
{
	ListCell   *lc;

	foreach(lc, table->indexes)
	{
		StIndex    *ix = lfirst(lc);

		if (strcmp(ix->name, index_name) == 0)
			return ix;
	}
	return NULL;
}

/*
 * The base table of an index table, with *index set to the index, or NULL
 * when index_relid is no index table.
 */
StTable *
st_table_lookup_for_index_relid(Oid index_relid, StIndex **index)
{
	Oid			indexes_relid = catalog_relid("indexes");
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	Oid			base = InvalidOid;
	StTable    *t;
	ListCell   *lc;

	*index = NULL;
	if (!OidIsValid(indexes_relid))
		return NULL;
	rel = table_open(indexes_relid, AccessShareLock);
	ScanKeyInit(&key, Anum_indexes_index_relid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(index_relid));
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;

		base = DatumGetObjectId(heap_getattr(tup, Anum_indexes_relid,
											 RelationGetDescr(rel), &isnull));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(base))
		return NULL;
	t = st_table_lookup(base, true);
	if (t == NULL)
		return NULL;
	foreach(lc, t->indexes)
	{
		StIndex    *ix = lfirst(lc);

		if (ix->relid == index_relid)
			*index = ix;
	}
	return *index ? t : NULL;
}

/*
 * Drop every backend's cached facts of a table, at the end of the current
 * command here and at commit elsewhere.  Call after changing its catalog rows.
 */
void
st_table_invalidate(Oid relid)
{
	CacheInvalidateRelcacheByRelid(relid);
}

/*
 * Parse one qualified name as SQL writes it, starting at *p: parts joined
 * by dots, each unquoted (down-cased, as SQL does) or "quoted" (kept as
 * written, "" standing for a quote), white space allowed around parts.
 * Parsing ends at the end of the string or at the character stop (a list
 * separator; '\0' for none), where *p is left.  *parts gets the parts.
 * Unlike SQL, a part longer than a Postgres name is an error rather than
 * truncated, so that a name is never silently taken for another.
 */
StNameStatus
st_parse_qualified_name(const char **p, char stop, List **parts)
{
	const char *s = *p;

	*parts = NIL;
	while (scanner_isspace(*s))
		s++;
	for (;;)
	{
		StringInfoData part;

		CHECK_FOR_INTERRUPTS();
		initStringInfo(&part);
		if (*s == '"')
		{
			for (s++;; s++)
			{
				if (*s == '\0')
					return ST_NAME_INVALID; /* no closing quote */
				if (*s == '"' && *++s != '"')
					break;
				if (part.len >= NAMEDATALEN)
					return ST_NAME_TOO_LONG;
				appendStringInfoChar(&part, *s);
			}
		}
		else
		{
			const char *start = s;

			while (*s != '\0' && *s != '.' && *s != '"' && *s != stop &&
				   !scanner_isspace(*s))
				s++;
			if (s - start >= NAMEDATALEN)
				return ST_NAME_TOO_LONG;
			appendStringInfoString(&part, downcase_identifier(start, s - start, false, false));
		}
		if (part.len == 0)
			return ST_NAME_INVALID;
		if (part.len >= NAMEDATALEN)
			return ST_NAME_TOO_LONG;
		*parts = lappend(*parts, part.data);
		while (scanner_isspace(*s))
			s++;
		if (*s != '.')
			break;
		s++;
		while (scanner_isspace(*s))
			s++;
	}
	if (*s != '\0' && *s != stop)
		return ST_NAME_INVALID;
	*p = s;
	return ST_NAME_OK;
}

/* Refuse a table name with a part Postgres would truncate (54000). */
void
st_table_name_too_long(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("table name \"%s\" is too long", name),
			 errdetail("ValidationException: PostgreSQL names hold at most %d bytes, and a longer one would be truncated.",
					   NAMEDATALEN - 1)));
}

/*
 * The create_table name argument as a RangeVar: an invalid name is a
 * ValidationException (22023), one with a part Postgres would truncate
 * 54000.
 */
static RangeVar *
table_name_arg(const char *name)
{
	const char *p = name;
	List	   *parts;
	List	   *strs = NIL;
	ListCell   *lc;
	StNameStatus status = st_parse_qualified_name(&p, '\0', &parts);

	if (status == ST_NAME_TOO_LONG)
		st_table_name_too_long(name);
	if (status != ST_NAME_OK || list_length(parts) > 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid table name \"%s\"", name),
				 errdetail("ValidationException: A table name is a name or schema.name as SQL writes it, without empty parts."),
				 errhint("Put a name with other characters in double quotes, for example '\"My Table\"'.")));
	foreach(lc, parts)
		strs = lappend(strs, makeString(lfirst(lc)));
	return makeRangeVarFromNameList(strs);
}

static void
check_attr_name(const char *name, const char *what)
{
	if (name == NULL || name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what),
				 errdetail("ValidationException: Attribute names must be at least 1 character long.")));
	if (strlen(name) > 255)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is longer than 255 bytes", what),
				 errdetail("ValidationException: Key attribute names must be at most 255 bytes long.")));
}

/* The SQL type of a key column: text COLLATE "C", numeric or bytea. */
const char *
st_key_column_type_sql(StKeyType type)
{
	switch (type)
	{
		case ST_KEY_S:
			return "pg_catalog.text COLLATE pg_catalog.\"C\"";
		case ST_KEY_N:
			return "pg_catalog.numeric";
		case ST_KEY_B:
			return "pg_catalog.bytea";
	}
	return NULL;
}

static const char *
key_function_sql(StKeyType type)
{
	switch (type)
	{
		case ST_KEY_S:
			return "singletable.key_s";
		case ST_KEY_N:
			return "singletable.key_n";
		case ST_KEY_B:
			return "singletable.key_b";
	}
	return NULL;
}

/*
 * The SQL of a generated key column:
 *   name <type> GENERATED ALWAYS AS (singletable.key_X(item, 'attr', is_partition)) STORED
 * Shared with the GSI tables' definitions.
 */
char *
st_key_column_sql(const char *column, const char *attr, StKeyType type, bool is_partition)
{
	return psprintf("%s %s GENERATED ALWAYS AS (%s) STORED",
					quote_identifier(column), st_key_column_type_sql(type),
					st_key_expr_sql("item", attr, type, is_partition));
}

/* The SQL of a key column's value: singletable.key_X(item, 'attr', is_partition) */
char *
st_key_expr_sql(const char *item, const char *attr, StKeyType type, bool is_partition)
{
	return psprintf("%s(%s, %s, %s)", key_function_sql(type), item,
					quote_literal_cstr(attr), is_partition ? "true" : "false");
}

static bool
is_stream_view(const char *s)
{
	return strcmp(s, "KEYS_ONLY") == 0 || strcmp(s, "NEW_IMAGE") == 0 ||
		strcmp(s, "OLD_IMAGE") == 0 || strcmp(s, "NEW_AND_OLD_IMAGES") == 0;
}

/*
 * create_table(name text, partition_key text, sort_key text,
 *              partition_key_type text, sort_key_type text, stream_view text)
 *   RETURNS regclass
 *
 * Creates the table (see singletable.h for its layout) and its catalog row.
 * The name resolves like CREATE TABLE's: schema-qualified or in the first
 * schema of search_path.  Everything put into the DDL is quoted.
 */
static Datum
create_table(PG_FUNCTION_ARGS)
{
	char	   *name;
	char	   *pk_attr;
	char	   *sk_attr = NULL;
	StKeyType	pk_type;
	StKeyType	sk_type = ST_KEY_S;
	char	   *stream_view;
	RangeVar   *rv;
	Oid			nspid;
	char	   *qualified;
	StringInfoData sql;
	Oid			relid;
	Datum		args[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	Oid			argtypes[6] = {OIDOID, TEXTOID, CHAROID, TEXTOID, CHAROID, TEXTOID};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("table name must not be null"),
				 errdetail("ValidationException: TableName is required.")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("partition key must not be null"),
				 errdetail("ValidationException: A table needs a partition (HASH) key.")));
	pk_attr = text_to_cstring(PG_GETARG_TEXT_PP(1));
	check_attr_name(pk_attr, "partition key name");
	if (!PG_ARGISNULL(2))
	{
		sk_attr = text_to_cstring(PG_GETARG_TEXT_PP(2));
		check_attr_name(sk_attr, "sort key name");
		if (strcmp(sk_attr, pk_attr) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("partition key and sort key must be different attributes"),
					 errdetail("ValidationException: Both the Hash Key and the Range Key element in the KeySchema have the same name.")));
	}
	pk_type = st_parse_key_type(PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3)),
								"partition key");
	if (sk_attr)
		sk_type = st_parse_key_type(PG_ARGISNULL(4) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(4)),
									"sort key");
	stream_view = PG_ARGISNULL(5) ? "NEW_AND_OLD_IMAGES" : text_to_cstring(PG_GETARG_TEXT_PP(5));
	if (!is_stream_view(stream_view))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid stream view type \"%s\"", stream_view),
				 errdetail("ValidationException: StreamViewType must be KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES.")));

	rv = table_name_arg(name);
	/* raises "schema does not exist" and checks CREATE privilege on it */
	nspid = RangeVarGetAndCheckCreationNamespace(rv, NoLock, NULL);

	/*
	 * A temporary table vanishes at the end of its session without the
	 * sql_drop event that removes catalog rows, leaving a row behind whose
	 * OID a later table may be given.
	 */
	if (isAnyTempNamespace(nspid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a singletable table cannot be temporary"),
				 errdetail("ValidationException: Table %s would be created in a temporary schema.", name),
				 errhint("Create it in an ordinary schema.")));
	if (OidIsValid(RangeVarGetRelid(rv, NoLock, true)))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation \"%s\" already exists", name),
				 errdetail("ResourceInUseException: Table already exists: %s.", name)));
	qualified = rv->schemaname ? quote_qualified_identifier(rv->schemaname, rv->relname)
		: pstrdup(quote_identifier(rv->relname));

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TABLE %s (item pg_catalog.jsonb NOT NULL "
					 "CONSTRAINT item_valid CHECK (singletable.item_check(item)), %s",
					 qualified, st_key_column_sql("pk", pk_attr, pk_type, true));
	if (sk_attr)
		appendStringInfo(&sql, ", %s, PRIMARY KEY (pk, sk))",
						 st_key_column_sql("sk", sk_attr, sk_type, false));
	else
		appendStringInfoString(&sql, ", PRIMARY KEY (pk))");
	appendStringInfo(&sql, "; ALTER TABLE %s REPLICA IDENTITY FULL", qualified);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create table %s", qualified);
	relid = RangeVarGetRelid(rv, NoLock, false);

	args[0] = ObjectIdGetDatum(relid);
	args[1] = CStringGetTextDatum(pk_attr);
	args[2] = CharGetDatum((char) pk_type);
	if (sk_attr)
	{
		args[3] = CStringGetTextDatum(sk_attr);
		args[4] = CharGetDatum((char) sk_type);
	}
	else
		nulls[3] = nulls[4] = 'n';
	args[5] = CStringGetTextDatum(stream_view);
	if (SPI_execute_with_args("INSERT INTO singletable.tables "
							  "(relid, partition_key, partition_key_type, sort_key, sort_key_type, stream_view) "
							  "VALUES ($1, $2, $3, $4, $5, $6)",
							  6, argtypes, args, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record table %s", qualified);
	SPI_finish();
	st_table_invalidate(relid);
	st_citus_after_create_table(relid);
	PG_RETURN_OID(relid);
}

ST_FUNCTION_HIDING_SQL(st_sql_create_table, create_table)

/*
 * drop_table(tbl regclass) RETURNS void: drops a singletable table with its
 * index tables and catalog rows.  Requires ownership, like DROP TABLE.
 */
static Datum
drop_table(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	StTable    *t = st_table_lookup(relid, false);
	char	   *qualified = quote_qualified_identifier(t->schema_name, t->table_name);
	Datum		arg = ObjectIdGetDatum(relid);
	Oid			argtype = OIDOID;

	/* The index tables depend on the base table and go with it. */
	st_citus_before_drop_table(t);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("DELETE FROM singletable.tables WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
							  1, &argtype, &arg, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not remove table from the catalog");
	if (SPI_execute(psprintf("DROP TABLE %s", qualified), false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not drop table %s", qualified);
	SPI_finish();
	/* DROP TABLE itself invalidated the relation's cache entries */
	PG_RETURN_VOID();
}

ST_FUNCTION_HIDING_SQL(st_sql_drop_table, drop_table)

/* Small builders for describe_table. */
static void
push_key(JsonbParseState **st, const char *key)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(st, WJB_KEY, &k);
}

static void
push_string(JsonbParseState **st, JsonbIteratorToken tok, const char *s)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = strlen(s);
	pushJsonbValue(st, tok, &v);
}

static void
push_pair(JsonbParseState **st, const char *key, const char *value)
{
	push_key(st, key);
	push_string(st, WJB_VALUE, value);
}

static void
push_key_schema(JsonbParseState **st, const char *pk, const char *sk)
{
	push_key(st, "KeySchema");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	push_pair(st, "AttributeName", pk);
	push_pair(st, "KeyType", "HASH");
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
	if (sk)
	{
		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		push_pair(st, "AttributeName", sk);
		push_pair(st, "KeyType", "RANGE");
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

static void
push_attribute_definition(JsonbParseState **st, List **seen, const char *attr, StKeyType type)
{
	char	   *tbuf = psprintf("%c", (char) type);	/* must outlive the push */
	ListCell   *lc;

	foreach(lc, *seen)
		if (strcmp(lfirst(lc), attr) == 0)
			return;
	*seen = lappend(*seen, (char *) attr);
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	push_pair(st, "AttributeName", attr);
	push_pair(st, "AttributeType", tbuf);
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

static void
push_int64(JsonbParseState **st, const char *key, int64 value)
{
	JsonbValue	v;

	push_key(st, key);
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(value);
	pushJsonbValue(st, WJB_VALUE, &v);
}

/*
 * A relation's size and item count, as DynamoDB's TableSizeBytes (or
 * IndexSizeBytes) and ItemCount: approximate, and cheap to read.  The size
 * is pg_total_relation_size() (its files on disk: heap, TOAST, its own
 * btree), the count pg_class.reltuples, which VACUUM, ANALYZE and
 * autovacuum keep current (0 before the first of them).  Nothing for a
 * relation that no longer exists (an index table dropped by hand).
 */
static void
push_size_and_count(JsonbParseState **st, Oid relid, const char *size_key)
{
	LOCAL_FCINFO(fcinfo, 1);
	HeapTuple	tup;
	float4		reltuples;
	Datum		bytes;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return;
	reltuples = ((Form_pg_class) GETSTRUCT(tup))->reltuples;
	ReleaseSysCache(tup);
	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = ObjectIdGetDatum(relid);
	fcinfo->args[0].isnull = false;
	bytes = pg_total_relation_size(fcinfo);
	if (fcinfo->isnull)
		return;					/* dropped since */
	push_int64(st, size_key, DatumGetInt64(bytes));
	push_int64(st, "ItemCount", reltuples < 0 ? 0 : (int64) reltuples);
}

/*
 * DynamoDB's Backfilling of an index added to a live table: true while it
 * is CREATING, with the build's progress (not in DynamoDB) when it has
 * started; false once ACTIVE.  Absent for an index created offline, as
 * DynamoDB leaves it out for an index created with its table.
 */
static void
push_backfilling(JsonbParseState **st, StIndex *ix)
{
	StBuildProgress p;
	bool		started = st_index_build_progress(ix->relid, &p);
	JsonbValue	v;

	if (!ix->creating && !(started && p.finished))
		return;
	push_key(st, "Backfilling");
	v.type = jbvBool;
	v.val.boolean = ix->creating;
	pushJsonbValue(st, WJB_VALUE, &v);
	if (!ix->creating || !started)
		return;
	push_key(st, "BackfillProgress");
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	push_int64(st, "ItemsTotal", p.items_total);
	push_int64(st, "ItemsDone", p.items_done);
	push_int64(st, "IndexKeyViolations", p.violations);
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/*
 * describe_table(tbl regclass) RETURNS jsonb: the table's definition in the
 * shape of DynamoDB's DescribeTable "Table" member.
 */
static Datum
describe_table_sql(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	StTable    *t = st_table_lookup(relid, false);
	JsonbParseState *st = NULL;
	JsonbValue	v;
	List	   *seen = NIL;
	ListCell   *lc;
	JsonbValue *res;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_pair(&st, "TableName", t->table_name);
	push_pair(&st, "SchemaName", t->schema_name);
	push_pair(&st, "TableStatus", "ACTIVE");
	push_key_schema(&st, t->pk_attr, t->sk_attr);
	push_key(&st, "AttributeDefinitions");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	push_attribute_definition(&st, &seen, t->pk_attr, t->pk_type);
	if (t->sk_attr)
		push_attribute_definition(&st, &seen, t->sk_attr, t->sk_type);
	foreach(lc, t->indexes)
	{
		StIndex    *ix = lfirst(lc);

		push_attribute_definition(&st, &seen, ix->pk_attr, ix->pk_type);
		if (ix->sk_attr)
			push_attribute_definition(&st, &seen, ix->sk_attr, ix->sk_type);
	}
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	push_size_and_count(&st, relid, "TableSizeBytes");
	push_key(&st, "StreamSpecification");
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_key(&st, "StreamEnabled");
	v.type = jbvBool;
	v.val.boolean = true;
	pushJsonbValue(&st, WJB_VALUE, &v);
	push_pair(&st, "StreamViewType", t->stream_view);
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	if (t->indexes != NIL)
	{
		push_key(&st, "GlobalSecondaryIndexes");
		pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
		foreach(lc, t->indexes)
		{
			StIndex    *ix = lfirst(lc);
			char	   *iname = get_rel_name(ix->relid);

			pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
			push_pair(&st, "IndexName", ix->name);
			push_pair(&st, "IndexStatus", ix->creating ? "CREATING" : "ACTIVE");
			push_backfilling(&st, ix);
			push_key_schema(&st, ix->pk_attr, ix->sk_attr);
			push_key(&st, "Projection");
			pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
			push_pair(&st, "ProjectionType", ix->projection);
			if (ix->include != NIL)
			{
				ListCell   *lc2;

				push_key(&st, "NonKeyAttributes");
				pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
				foreach(lc2, ix->include)
					push_string(&st, WJB_ELEM, lfirst(lc2));
				pushJsonbValue(&st, WJB_END_ARRAY, NULL);
			}
			pushJsonbValue(&st, WJB_END_OBJECT, NULL);
			if (iname)
				push_pair(&st, "IndexTableName", iname);
			push_size_and_count(&st, ix->relid, "IndexSizeBytes");
			pushJsonbValue(&st, WJB_END_OBJECT, NULL);
		}
		pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	}
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}

ST_FUNCTION_HIDING_SQL(st_sql_describe_table, describe_table_sql)

/*
 * Does the current user own relid, or belong to the role that does?
 * (PostgreSQL 16 replaced pg_class_ownercheck with object_ownercheck.)
 */
bool
st_owns_table(Oid relid)
{
#if PG_VERSION_NUM >= 160000
	return object_ownercheck(RelationRelationId, relid, GetUserId());
#else
	return pg_class_ownercheck(relid, GetUserId());
#endif
}
