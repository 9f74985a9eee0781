/*
 * catalog.c
 *	  The extension's catalog of singletable tables (singletable.tables and
 *	  singletable.indexes): describe_table, and a per-backend cache of each
 *	  table's facts (StTable) that every operation reads instead of the
 *	  catalog.  create_table and drop_table, which write the catalog, are
 *	  table_ddl.c's, above this file.
 *
 *	  The cache is the ST_STATE_TABLE slot of the per-table state
 *	  (table_state.h), holding only tables that exist; relcache invalidation
 *	  of a table empties it, which DDL on the table and every change this
 *	  extension makes to its catalog rows raise (st_table_invalidate).  A
 *	  replaced StTable's memory lives until the end of the transaction, so a
 *	  caller holding one across a nested lookup (a trigger fired by its own
 *	  write) is not left dangling.
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
#include "commands/dbcommands.h"
#include "common/hashfn.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/scansup.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
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

#include "args.h"
#include "catalog.h"
#include "citus.h"
#include "errors.h"
#include "index.h"
#include "keys.h"
#include "table_state.h"
#include "typedjson.h"


/*
 * Forget a table's cached facts (table_state.h): their memory lives until
 * the end of the transaction rather than going now, since the caller's
 * caller may still be using them (a trigger fired by its own write).  The
 * top transaction's context, not the current one: a subtransaction that
 * aborts (an exception block, execute(raise_errors => false)) would free it
 * while a caller outside the subtransaction still holds the StTable.
 * Any slot whose value is a chunk of a context of its own can be reset so
 * (items_direct.c's).
 */
void
st_table_reset_state(StStateSlot *slot)
{
	MemoryContext cxt = GetMemoryChunkContext(DatumGetPointer(slot->value));

	if (IsTransactionState())
		MemoryContextSetParent(cxt, TopTransactionContext);
	else
		MemoryContextDelete(cxt);
	slot->value = (Datum) 0;
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

/*
 * The key schema of a catalog row of singletable.tables or .indexes: both
 * keep it as four columns from first (partition key, its type, sort key or
 * NULL, its type).  Strings are palloc'd in the current memory context.
 */
void
st_catalog_row_key_schema(HeapTuple tup, TupleDesc desc, AttrNumber first,
						  StKeySchema *ks)
{
	bool		isnull;
	Datum		d;

	ks->pk_attr = TextDatumGetCString(heap_getattr(tup, first, desc, &isnull));
	ks->pk_type = (StKeyType) DatumGetChar(heap_getattr(tup, first + 1, desc, &isnull));
	d = heap_getattr(tup, first + 2, desc, &isnull);
	ks->sk_attr = isnull ? NULL : TextDatumGetCString(d);
	d = heap_getattr(tup, first + 3, desc, &isnull);
	ks->sk_type = isnull ? ST_KEY_S : (StKeyType) DatumGetChar(d);
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
		StKeySchema ks;
		bool		isnull;
		Datum		d;
		ListCell   *lc;
		int			pos = 0;

		ix->name = text_datum_cstring(heap_getattr(tup, Anum_indexes_index_name, desc, &isnull));
		ix->relid = DatumGetObjectId(heap_getattr(tup, Anum_indexes_index_relid, desc, &isnull));
		st_catalog_row_key_schema(tup, desc, Anum_indexes_partition_key, &ks);
		ix->pk_attr = ks.pk_attr;
		ix->pk_type = ks.pk_type;
		ix->sk_attr = ks.sk_attr;
		ix->sk_type = ks.sk_type;
		ix->projection = text_datum_cstring(heap_getattr(tup, Anum_indexes_projection, desc, &isnull));
		ix->xmin = HeapTupleHeaderGetXmin(tup->t_data);
		ix->row_updated = (tup->t_data->t_infomask & HEAP_UPDATED) != 0;
		/* a database still at 0.1 has no status column: all ACTIVE */
		if (desc->natts >= Anum_indexes_status)
		{
			d = heap_getattr(tup, Anum_indexes_status, desc, &isnull);
			ix->creating = !isnull && strcmp(text_datum_cstring(d), "CREATING") == 0;
		}
		if (desc->natts >= Anum_indexes_local)
		{
			d = heap_getattr(tup, Anum_indexes_local, desc, &isnull);
			ix->local = !isnull && DatumGetBool(d);
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
		StKeySchema ks;
		bool		isnull;

		t = palloc0(sizeof(StTable));
		t->relid = relid;
		st_catalog_row_key_schema(tup, desc, Anum_tables_partition_key, &ks);
		t->pk_attr = ks.pk_attr;
		t->pk_type = ks.pk_type;
		t->sk_attr = ks.sk_attr;
		t->sk_type = ks.sk_type;
		t->stream_view = text_datum_cstring(heap_getattr(tup, Anum_tables_stream_view, desc, &isnull));
		/* a database still at 0.1 has no stream_specified: every table has one */
		t->stream_specified = true;
		if (desc->natts >= Anum_tables_stream_specified)
		{
			Datum		d = heap_getattr(tup, Anum_tables_stream_specified, desc, &isnull);

			t->stream_specified = isnull || DatumGetBool(d);
		}
		/* NULL (a row written by hand, a database still at 0.1): the relation's name */
		if (desc->natts >= Anum_tables_name)
		{
			Datum		d = heap_getattr(tup, Anum_tables_name, desc, &isnull);

			if (!isnull)
				t->name = text_datum_cstring(d);
		}
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
			if (t->name == NULL)
				t->name = t->table_name;
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
	StStateSlot *slot = st_table_state_slot(relid, ST_STATE_TABLE,
												  st_table_reset_state);
	uint64		invalidations;
	MemoryContext cxt;
	MemoryContext old;
	StTable    *t;

	if (slot->valid)
		return (StTable *) DatumGetPointer(slot->value);

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
		invalidations = st_table_state_invalidations(relid);
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
	} while (st_table_state_invalidations(relid) != invalidations);
	MemoryContextSwitchTo(old);

	if (t == NULL)
	{
		char	   *relname;

		MemoryContextDelete(cxt);
		st_table_state_forget(relid);
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
	/* the load may have run other tables' lookups: find the slot again */
	slot = st_table_state_slot(relid, ST_STATE_TABLE, st_table_reset_state);
	/* st_table_reset_state finds the context from the StTable */
	Assert(GetMemoryChunkContext(t) == cxt);
	slot->value = PointerGetDatum(t);
	slot->valid = true;
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
 * truncated, so that a name is never silently taken for another; the last
 * part may be up to last_max bytes (a table's DynamoDB name, up to 255).
 */
static StNameStatus
parse_qualified_name(const char **p, char stop, List **parts, int last_max)
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
				if (part.len >= last_max)
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
			if (s - start > last_max)
				return ST_NAME_TOO_LONG;
			appendStringInfoString(&part, downcase_identifier(start, s - start, false, false));
		}
		if (part.len == 0)
			return ST_NAME_INVALID;
		if (part.len > last_max)
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
	/* only the last part may be longer than a Postgres name */
	for (int i = 0; i < list_length(*parts) - 1; i++)
		if (strlen(list_nth(*parts, i)) >= NAMEDATALEN)
			return ST_NAME_TOO_LONG;
	*p = s;
	return ST_NAME_OK;
}

StNameStatus
st_parse_qualified_name(const char **p, char stop, List **parts)
{
	return parse_qualified_name(p, stop, parts, NAMEDATALEN - 1);
}

/* The same, the last part a table's DynamoDB name (up to 255 bytes). */
StNameStatus
st_parse_table_name(const char **p, List **parts)
{
	return parse_qualified_name(p, '\0', parts, ST_MAX_NAME_LEN);
}

/*
 * DynamoDB names and relation names.
 *
 * A table has a DynamoDB name (TableName: 3 to 255 bytes through execute,
 * any name up to 255 bytes through create_table), unique per schema like a
 * relation name.  Its relation is named after it when it fits in a Postgres
 * name (up to 63 bytes; every string is a legal quoted identifier), and the
 * name column of its catalog row is NULL: the DynamoDB name is the relation
 * name, which ALTER TABLE RENAME changes as in 0.1.  A longer name is kept
 * in that column, and the relation is named after its first 46 bytes (cut
 * at a character boundary), "_" and 16 hex digits of a 64-bit hash of the
 * whole name: deterministic, so the common look-up needs no catalog scan,
 * and a relation of that name that is not this table makes create_table
 * fail rather than collide.  An index table is named <relation>__<index>,
 * mapped the same way when longer than 63 bytes.
 *
 * A name in a request resolves, first match wins:
 *  1. the relation named after it (st_mapped_relname) through search_path,
 *     when its catalog row has that DynamoDB name: the hot path, a syscache
 *     look-up and the cached StTable, as cheap as before names existed;
 *  2. a catalog row with that DynamoDB name whose relation is in a schema of
 *     search_path, the earliest schema winning (a relation renamed since);
 *  3. the name as SQL writes it: a relation name through search_path, or
 *     schema.table ("Quoted" parts keep their case), the 0.1 behaviour.
 * A missing schema is never an error here: the name is simply not found.
 */
char *
st_mapped_relname(const char *name)
{
	size_t		len = strlen(name);
	int			keep;

	if (len < NAMEDATALEN)
		return pstrdup(name);
	keep = pg_mbcliplen(name, len, NAMEDATALEN - 1 - 17);
	return psprintf("%.*s_%016llx", keep, name,
					(unsigned long long) hash_bytes_extended((const unsigned char *) name, len, 0));
}

/*
 * The singletable table whose catalog row has DynamoDB name name, in schema
 * nspid, or when nspid is InvalidOid in the earliest schema of search_path
 * that has one; InvalidOid if none.  Reads every catalog row: for the
 * uncommon paths only (creation, a relation renamed since creation).
 */
static Oid
relid_by_catalog_name(const char *name, Oid nspid)
{
	Oid			tables_relid = catalog_relid("tables");
	List	   *path = OidIsValid(nspid) ? list_make1_oid(nspid) : fetch_search_path(false);
	int			best_pos = list_length(path);
	Oid			best = InvalidOid;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;

	if (!OidIsValid(tables_relid))
		return InvalidOid;
	rel = table_open(tables_relid, AccessShareLock);
	if (RelationGetDescr(rel)->natts < Anum_tables_name)
	{
		table_close(rel, AccessShareLock);
		return InvalidOid;		/* still at 0.1: names are relation names */
	}
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, Anum_tables_name, RelationGetDescr(rel), &isnull);
		Oid			relid;
		Oid			nsp;
		int			pos = 0;
		ListCell   *lc;

		CHECK_FOR_INTERRUPTS();
		if (isnull || strcmp(TextDatumGetCString(d), name) != 0)
			continue;
		relid = DatumGetObjectId(heap_getattr(tup, Anum_tables_relid, RelationGetDescr(rel), &isnull));
		nsp = get_rel_namespace(relid);
		foreach(lc, path)
		{
			if (pos >= best_pos || lfirst_oid(lc) == nsp)
				break;
			pos++;
		}
		if (pos < best_pos && lc != NULL)
		{
			best_pos = pos;
			best = relid;
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return best;
}

/* Is name a table's stored DynamoDB name in schema nspid (create_table)? */
bool
st_table_name_in_schema(const char *name, Oid nspid)
{
	return OidIsValid(relid_by_catalog_name(name, nspid));
}

/*
 * The relation a table name in a request names (see "DynamoDB names and
 * relation names" above), or InvalidOid; not necessarily a singletable
 * table when found by step 3.
 */
Oid
st_table_relid_by_name(const char *name)
{
	Oid			relid = RelnameGetRelid(st_mapped_relname(name));
	StTable    *t;
	const char *p = name;
	List	   *parts;

	if (OidIsValid(relid) && (t = st_table_lookup(relid, true)) != NULL &&
		strcmp(t->name, name) == 0)
		return relid;
	relid = relid_by_catalog_name(name, InvalidOid);
	if (OidIsValid(relid))
		return relid;
	if (strlen(name) < NAMEDATALEN && OidIsValid(relid = RelnameGetRelid(name)))
		return relid;
	/* catalog.schema.table only for this database: another one raises */
	if (st_parse_qualified_name(&p, '\0', &parts) == ST_NAME_OK &&
		(list_length(parts) <= 2 ||
		 (list_length(parts) == 3 &&
		  strcmp(linitial(parts), get_database_name(MyDatabaseId)) == 0)))
	{
		List	   *strs = NIL;
		ListCell   *lc;

		foreach(lc, parts)
			strs = lappend(strs, makeString(lfirst(lc)));
		return RangeVarGetRelid(makeRangeVarFromNameList(strs), NoLock, true);
	}
	return InvalidOid;
}

/*
 * table_named(name text) RETURNS regclass: the singletable table a request
 * naming it reaches, for the SQL functions' regclass arguments when the
 * relation name differs from the DynamoDB name (a name over 63 bytes).
 */
static Datum
table_named_sql(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Oid			relid = st_table_relid_by_name(name);

	if (!OidIsValid(relid) || st_table_lookup(relid, true) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s\" does not exist", name),
				 errdetail("ResourceNotFoundException: Requested resource not found: Table: %s not found.", name)));
	PG_RETURN_OID(relid);
}

ST_FUNCTION_HIDING_SQL(st_sql_table_named, table_named_sql)


/* Refuse a table name with a part too long (54000). */
void
st_table_name_too_long(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("table name \"%s\" is too long", name),
			 errdetail("ValidationException: A table name holds at most %d bytes, a schema name at most %d.",
					   ST_MAX_NAME_LEN, NAMEDATALEN - 1)));
}

/*
 * The key schema of a catalog row of singletable.tables or .indexes as SPI
 * arguments: partition_key, partition_key_type, sort_key, sort_key_type in
 * args[0..3] and nulls[0..3], the last two NULL without a sort key.
 */
void
st_key_schema_args(Datum *args, char *nulls, const char *pk_attr, StKeyType pk_type,
				   const char *sk_attr, StKeyType sk_type)
{
	args[0] = CStringGetTextDatum(pk_attr);
	args[1] = CharGetDatum((char) pk_type);
	nulls[0] = nulls[1] = ' ';
	if (sk_attr)
	{
		args[2] = CStringGetTextDatum(sk_attr);
		args[3] = CharGetDatum((char) sk_type);
		nulls[2] = nulls[3] = ' ';
	}
	else
		nulls[2] = nulls[3] = 'n';
}

/* Small builders for describe_table. */
static void
push_pair(JsonbParseState **st, const char *key, const char *value)
{
	st_push_key(st, key);
	st_push_string(st, WJB_VALUE, value);
}

static void
push_key_schema(JsonbParseState **st, const char *pk, const char *sk)
{
	st_push_key(st, "KeySchema");
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

	st_push_key(st, key);
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(value);
	pushJsonbValue(st, WJB_VALUE, &v);
}

/*
 * A relation's size and item count, as DynamoDB's TableSizeBytes (or
 * IndexSizeBytes) and ItemCount: approximate, and cheap to read.  The size
 * is pg_total_relation_size() (its files on disk: heap, TOAST, its own
 * btree), the count pg_class.reltuples, which VACUUM, ANALYZE and
 * autovacuum keep current (0 before the first of them); a distributed
 * table's from its shards (citus.h).  Nothing for a relation that no
 * longer exists (an index table dropped by hand).
 */
static void
push_size_and_count(JsonbParseState **st, Oid relid, const char *size_key)
{
	LOCAL_FCINFO(fcinfo, 1);
	HeapTuple	tup;
	float4		reltuples;
	Datum		bytes;
	int64		dist_bytes;
	int64		dist_count;

	if (st_citus_size_and_count(relid, &dist_bytes, &dist_count))
	{
		push_int64(st, size_key, dist_bytes);
		push_int64(st, "ItemCount", dist_count);
		return;
	}
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
	st_push_key(st, "Backfilling");
	v.type = jbvBool;
	v.val.boolean = ix->creating;
	pushJsonbValue(st, WJB_VALUE, &v);
	if (!ix->creating || !started)
		return;
	st_push_key(st, "BackfillProgress");
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	push_int64(st, "ItemsTotal", p.items_total);
	push_int64(st, "ItemsDone", p.items_done);
	push_int64(st, "IndexKeyViolations", p.violations);
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/*
 * The table's global (local false) or local secondary indexes, as
 * DynamoDB's GlobalSecondaryIndexes or LocalSecondaryIndexes; nothing when
 * it has none of that kind.  A local index has no IndexStatus, as in
 * DynamoDB: it is created with its table.
 */
static void
push_indexes(JsonbParseState **st, StTable *t, bool local)
{
	bool		any = false;
	ListCell   *lc;

	foreach(lc, t->indexes)
	{
		StIndex    *ix = lfirst(lc);
		char	   *iname;

		if (ix->local != local)
			continue;
		if (!any)
		{
			st_push_key(st, local ? "LocalSecondaryIndexes" : "GlobalSecondaryIndexes");
			pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
			any = true;
		}
		iname = get_rel_name(ix->relid);
		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		push_pair(st, "IndexName", ix->name);
		if (!local)
		{
			push_pair(st, "IndexStatus", ix->creating ? "CREATING" : "ACTIVE");
			push_backfilling(st, ix);
		}
		push_key_schema(st, ix->pk_attr, ix->sk_attr);
		st_push_key(st, "Projection");
		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		push_pair(st, "ProjectionType", ix->projection);
		if (ix->include != NIL)
		{
			ListCell   *lc2;

			st_push_key(st, "NonKeyAttributes");
			pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
			foreach(lc2, ix->include)
				st_push_string(st, WJB_ELEM, lfirst(lc2));
			pushJsonbValue(st, WJB_END_ARRAY, NULL);
		}
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
		if (iname)
			push_pair(st, "IndexTableName", iname);
		push_size_and_count(st, ix->relid, "IndexSizeBytes");
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
	}
	if (any)
		pushJsonbValue(st, WJB_END_ARRAY, NULL);
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
	push_pair(&st, "TableName", t->name);
	push_pair(&st, "SchemaName", t->schema_name);
	push_pair(&st, "TableStatus", "ACTIVE");
	push_key_schema(&st, t->pk_attr, t->sk_attr);
	st_push_key(&st, "AttributeDefinitions");
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
	if (t->stream_specified)
	{
		st_push_key(&st, "StreamSpecification");
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		st_push_key(&st, "StreamEnabled");
		v.type = jbvBool;
		v.val.boolean = true;
		pushJsonbValue(&st, WJB_VALUE, &v);
		push_pair(&st, "StreamViewType", t->stream_view);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	push_indexes(&st, t, false);
	push_indexes(&st, t, true);
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

/*
 * Argument n, a regclass, as the singletable table it names.  Raises
 * 22004 when it is NULL and st_table_lookup's error when it is not a
 * singletable table.
 */
StTable *
st_table_arg(FunctionCallInfo fcinfo, int n)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table must not be null"),
				 errdetail("ValidationException: TableName is required.")));
	return st_table_lookup(PG_GETARG_OID(n), false);
}
