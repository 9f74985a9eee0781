/*
 * index_trigger.c
 *	  Maintenance of global secondary indexes: the C trigger functions on a
 *	  base table (AFTER INSERT/UPDATE/DELETE FOR EACH ROW, AFTER TRUNCATE FOR
 *	  EACH STATEMENT; one pair per table serves all its indexes) and the
 *	  computation of an item's entry in an index.
 *
 *	  Index tables are written with direct heap and btree calls, no SQL:
 *	  the trigger computes the entry, finds an existing one through the
 *	  index table's primary key and inserts, updates (also when its keys
 *	  change) or deletes it.  The direct write path of a put
 *	  (items_direct.c) does the same work through st_index_maintain_row()
 *	  right after its heap write, with the base row still locked, and keeps
 *	  the trigger from firing for that row.
 *
 *	  Concurrency: every entry belongs to one base row, and every change of
 *	  an entry happens while its base row is locked by the writing
 *	  transaction (the row was just inserted, updated or deleted).  So the
 *	  entry's current state is the latest committed one or our own, which
 *	  SnapshotSelf shows, whatever the transaction's own snapshot is: a
 *	  READ COMMITTED update that waited for another writer of the row finds
 *	  the entry that writer left.
 *
 *	  Sparse indexes: an item without the index's partition key (or sort
 *	  key, when it has one) has no entry.  An index key of the wrong type or
 *	  an invalid value (empty, too long, bad base64) rejects the write with
 *	  ValidationException; the old image of a row is read leniently, since
 *	  an item written before its index existed may carry such a value.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/tablecmds.h"
#include "commands/trigger.h"
#include "common/base64.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "catalog.h"
#include "index.h"
#include "item_types.h"
#include "keys.h"
#include "query.h"
#include "singletable.h"

PG_FUNCTION_INFO_V1(st_index_maintain);
PG_FUNCTION_INFO_V1(st_index_truncate);

/*
 * Convert an index key attribute's value into its key column Datum.  Returns
 * false for an invalid value when !strict; raises ValidationException when
 * strict.
 */
static bool
index_key_datum(StIndex *ix, const char *attr, JsonbValue *v, StKeyType type,
				bool is_partition, bool strict, Datum *out)
{
	int			max_bytes = is_partition ? ST_MAX_PARTITION_KEY_BYTES : ST_MAX_SORT_KEY_BYTES;
	JsonbValue	scalar;
	int			len = 0;

	if (!st_key_scalar(v, type, &scalar))
	{
		/* an old image written by 0.1 holds a binary key as base64 text */
		if (!strict && type == ST_KEY_B && v->type == jbvString)
			scalar = *v;
		else if (!strict)
			return false;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("index key attribute \"%s\" of index \"%s\" must be of type %c", attr, ix->name, (char) type),
					 errdetail("ValidationException: One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %c Actual: %s IndexName: %s",
							   attr, (char) type, st_value_type_name(v), ix->name)));
	}
	v = &scalar;
	switch (type)
	{
		case ST_KEY_S:
			len = v->val.string.len;
			if (len > 0 && len <= max_bytes)
			{
				*out = PointerGetDatum(cstring_to_text_with_len(v->val.string.val, len));
				return true;
			}
			break;
		case ST_KEY_N:
			*out = NumericGetDatum(v->val.numeric);
			return true;
		case ST_KEY_B:
			{
				bytea	   *result;

				len = v->val.string.len;
				if (len == 0)
					break;
				result = palloc(VARHDRSZ + pg_b64_dec_len(len));
				len = st_b64_decode(v->val.string.val, len, VARDATA(result));
				if (len <= 0 || len > max_bytes)
					break;
				SET_VARSIZE(result, VARHDRSZ + len);
				*out = PointerGetDatum(result);
				return true;
			}
	}
	if (!strict)
		return false;
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("index key attribute \"%s\" of index \"%s\" is empty", attr, ix->name),
				 errdetail("ValidationException: One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
						   type == ST_KEY_B ? "binary" : "string", ix->name, attr)));
	if (len < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("binary index key attribute \"%s\" of index \"%s\" is not valid base64", attr, ix->name),
				 errdetail("ValidationException: One or more parameter values were invalid: Invalid binary value for Index Key %s IndexName: %s", attr, ix->name)));
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("index %s key attribute \"%s\" of index \"%s\" is %d bytes, more than the limit of %d bytes",
					is_partition ? "partition" : "sort", attr, ix->name, len, max_bytes),
			 errdetail("ValidationException: One or more parameter values were invalid: Size of %s has exceeded the maximum size limit of %d bytes IndexName: %s",
					   is_partition ? "hashkey" : "rangekey", max_bytes, ix->name)));
	return false;
}

static void
push_attr(JsonbParseState **st, Jsonb *item, const char *attr)
{
	JsonbValue	k;
	JsonbValue	v;

	if (st_get_attr(item, attr, &v) == NULL)
		return;
	k.type = jbvString;
	k.val.string.val = (char *) attr;
	k.val.string.len = strlen(attr);
	pushJsonbValue(st, WJB_KEY, &k);
	pushJsonbValue(st, WJB_VALUE, &v);
}

/* The projected item of an index entry. */
static Jsonb *
project_item(StTable *t, StIndex *ix, Jsonb *item)
{
	JsonbParseState *st = NULL;
	ListCell   *lc;

	if (ix->projection[0] == 'A')	/* ALL */
		return item;
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_attr(&st, item, t->pk_attr);
	if (t->sk_attr)
		push_attr(&st, item, t->sk_attr);
	push_attr(&st, item, ix->pk_attr);
	if (ix->sk_attr)
		push_attr(&st, item, ix->sk_attr);
	foreach(lc, ix->include)
		push_attr(&st, item, lfirst(lc));
	return JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
}

bool
st_index_entry(StTable *t, StIndex *ix, const StIndexLayout *layout,
			   Jsonb *item, Datum base_pk, Datum base_sk, bool strict,
			   StIndexEntry *entry)
{
	JsonbValue	v;

	for (int i = 0; i < layout->ncols; i++)
	{
		entry->nulls[i + 1] = false;
		switch (layout->source[i])
		{
			case ST_IXCOL_INDEX_PK:
			case ST_IXCOL_INDEX_SK:
				if (st_get_attr(item, layout->attr[i], &v) == NULL)
					return false;	/* sparse: not in the index */
				if (!index_key_datum(ix, layout->attr[i], &v, layout->type[i],
									 layout->source[i] == ST_IXCOL_INDEX_PK, strict,
									 &entry->values[i + 1]))
					return false;
				break;
			case ST_IXCOL_BASE_PK:
				entry->values[i + 1] = base_pk;
				break;
			case ST_IXCOL_BASE_SK:
				entry->values[i + 1] = base_sk;
				break;
		}
	}
	entry->values[0] = PointerGetDatum(project_item(t, ix, item));
	entry->nulls[0] = false;
	return true;
}

static bool
varlena_equal(Datum a, Datum b)
{
	struct varlena *va = PG_DETOAST_DATUM_PACKED(a);
	struct varlena *vb = PG_DETOAST_DATUM_PACKED(b);

	return VARSIZE_ANY_EXHDR(va) == VARSIZE_ANY_EXHDR(vb) &&
		memcmp(VARDATA_ANY(va), VARDATA_ANY(vb), VARSIZE_ANY_EXHDR(va)) == 0;
}

/*
 * Find the entry with the given keys in an index table, as the latest
 * committed state and our own changes show it.
 */
bool
st_index_find_entry(Relation irel, Relation ibtree, const StIndexLayout *layout,
					StIndexEntry *entry, ItemPointer tid)
{
	ScanKeyData keys[ST_MAX_KEYSPACE_KEYS];
	IndexScanDesc scan;
	TupleTableSlot *slot;
	bool		found;

	for (int i = 0; i < layout->ncols; i++)
		ScanKeyEntryInitialize(&keys[i], 0, (AttrNumber) (i + 1), BTEqualStrategyNumber,
							   InvalidOid, st_key_collation(layout->type[i]),
							   st_key_eq_proc(layout->type[i]), entry->values[i + 1]);
	slot = table_slot_create(irel, NULL);
	scan = st_index_beginscan(irel, ibtree, SnapshotSelf, layout->ncols, 0);
	index_rescan(scan, keys, layout->ncols, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	if (found)
		*tid = slot->tts_tid;
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	return found;
}

static void
insert_index_tuple(Relation irel, Relation ibtree, StIndexEntry *entry, ItemPointer tid)
{
	IndexInfo  *info = BuildIndexInfo(ibtree);

	index_insert(ibtree, &entry->values[1], &entry->nulls[1], tid, irel,
				 UNIQUE_CHECK_YES, false, info);
}

void
st_index_insert_entry(Relation irel, Relation ibtree, const StIndexLayout *layout,
					  StIndexEntry *entry)
{
	HeapTuple	tup = heap_form_tuple(RelationGetDescr(irel), entry->values, entry->nulls);

	simple_heap_insert(irel, tup);
	insert_index_tuple(irel, ibtree, entry, &tup->t_self);
}

/* Extract a base row's item and key columns. */
static Jsonb *
row_item(HeapTuple tup, TupleDesc desc, bool has_sk, Datum *pk, Datum *sk)
{
	bool		isnull;
	Datum		d;

	d = heap_getattr(tup, ST_ATTNUM_ITEM, desc, &isnull);
	if (isnull)
		return NULL;
	*pk = heap_getattr(tup, ST_ATTNUM_PK, desc, &isnull);
	*sk = has_sk ? heap_getattr(tup, ST_ATTNUM_SK, desc, &isnull) : (Datum) 0;
	return DatumGetJsonbP(d);
}

static bool
entries_same_keys(const StIndexLayout *layout, StIndexEntry *a, StIndexEntry *b)
{
	for (int i = 1; i <= layout->ncols; i++)
		if (!varlena_equal(a->values[i], b->values[i]))
			return false;
	return true;
}

/*
 * The trigger writes index tables without privilege checks, trusting the
 * catalog; so make sure the table the catalog names is one create_index
 * made for this index: same owner as the base table, the layout's columns.
 * A catalog row edited by hand cannot make a write land elsewhere.
 */
void
st_index_check_table(Relation base, Relation irel, StIndex *ix, const StIndexLayout *layout)
{
	TupleDesc	desc = RelationGetDescr(irel);
	bool		ok;

	ok = irel->rd_rel->relkind == RELKIND_RELATION &&
		irel->rd_rel->relowner == base->rd_rel->relowner &&
		desc->natts == layout->ncols + 1 &&
		TupleDescAttr(desc, 0)->atttypid == JSONBOID;
	for (int i = 0; ok && i < layout->ncols; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i + 1);

		ok = !att->attisdropped && att->atttypid == st_key_type_oid(layout->type[i]) &&
			strcmp(NameStr(att->attname), layout->column[i]) == 0;
	}
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is not the index table of index \"%s\" of table \"%s\"",
						RelationGetRelationName(irel), ix->name, RelationGetRelationName(base)),
				 errdetail("Its owner or columns do not match the index definition in singletable.indexes."),
				 errhint("Drop the index with singletable.drop_index() and create it again.")));
}

/* Apply one row change to one index. */
static void
maintain_index(Relation base, StTable *t, StIndex *ix, Jsonb *olditem, Datum opk, Datum osk,
			   Jsonb *newitem, Datum npk, Datum nsk)
{
	StIndexLayout layout;
	StIndexEntry oldent;
	StIndexEntry newent;
	bool		has_old = false;
	bool		has_new = false;
	Relation	irel;
	Relation	ibtree;
	ItemPointerData tid;

	st_index_layout(t, ix, &layout);
	/* the new image first: its errors must reject the write */
	if (newitem)
		has_new = st_index_entry(t, ix, &layout, newitem, npk, nsk, true, &newent);
	if (olditem)
		has_old = st_index_entry(t, ix, &layout, olditem, opk, osk, false, &oldent);
	if (!has_old && !has_new)
		return;
	if (has_old && has_new && entries_same_keys(&layout, &oldent, &newent) &&
		varlena_equal(oldent.values[0], newent.values[0]))
		return;					/* nothing the index shows changed */

	irel = try_table_open(ix->relid, RowExclusiveLock);
	if (irel == NULL)
		return;					/* the index table was dropped by hand */
	st_index_check_table(base, irel, ix, &layout);
	ibtree = index_open(st_index_table_btree(irel), RowExclusiveLock);

	if (has_old && st_index_find_entry(irel, ibtree, &layout, &oldent, &tid))
	{
		if (has_new)
		{
			/*
			 * Update the entry in place, whether or not its keys changed:
			 * HOT when they did not and the page has room; otherwise the
			 * new version still goes to the old one's page when it fits, so
			 * a new GSI key costs one heap page and one WAL record rather
			 * than a delete's and an insert's.  Vacuum removes the old
			 * version's btree entry, as after a delete.  The change stream
			 * shows an update that changed the keys as a REMOVE and an
			 * INSERT (stream_decode.c), as it showed the delete and the
			 * insert.
			 */
			HeapTuple	tup = heap_form_tuple(RelationGetDescr(irel), newent.values, newent.nulls);
#if PG_VERSION_NUM >= 160000
			TU_UpdateIndexes update_indexes;

			simple_heap_update(irel, &tid, tup, &update_indexes);
#else
			simple_heap_update(irel, &tid, tup);
#endif
			if (!HeapTupleIsHeapOnly(tup))
				insert_index_tuple(irel, ibtree, &newent, &tup->t_self);
		}
		else
			simple_heap_delete(irel, &tid);
	}
	else if (has_new)
		st_index_insert_entry(irel, ibtree, &layout, &newent);
	index_close(ibtree, NoLock);
	table_close(irel, NoLock);
}

/*
 * index_maintain() RETURNS trigger: AFTER INSERT OR UPDATE OR DELETE FOR
 * EACH ROW on a singletable table with indexes.
 */
Datum
st_index_maintain(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	StTable    *t;
	HeapTuple	oldtup = NULL;
	HeapTuple	newtup = NULL;
	Jsonb	   *olditem = NULL;
	Jsonb	   *newitem = NULL;
	Datum		opk = 0,
				osk = 0,
				npk = 0,
				nsk = 0;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("singletable.index_maintain() must be an AFTER ROW trigger")));
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	t = st_table_lookup(RelationGetRelid(rel), true);
	if (t == NULL || t->indexes == NIL)
		return PointerGetDatum(NULL);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		newtup = td->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		oldtup = td->tg_trigtuple;
		newtup = td->tg_newtuple;
	}
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		oldtup = td->tg_trigtuple;
	else
		elog(ERROR, "singletable.index_maintain() fired for an unexpected event");

	if (oldtup)
		olditem = row_item(oldtup, desc, t->sk_attr != NULL, &opk, &osk);
	if (newtup)
		newitem = row_item(newtup, desc, t->sk_attr != NULL, &npk, &nsk);

	st_index_maintain_row(rel, t, olditem, opk, osk, newitem, npk, nsk);
	return PointerGetDatum(NULL);
}

/*
 * Apply one change of a base row (olditem NULL for an insert, newitem NULL
 * for a delete; the key column Datums beside each) to every index of t.
 * The trigger's work, called by it and by the direct write path of a put
 * (items_direct.c), which then keeps the trigger from firing for its row.
 * The caller holds the base row locked: see the file header.
 */
void
st_index_maintain_row(Relation base, StTable *t, Jsonb *olditem, Datum opk, Datum osk,
					  Jsonb *newitem, Datum npk, Datum nsk)
{
	ListCell   *lc;

	foreach(lc, t->indexes)
		maintain_index(base, t, lfirst(lc), olditem, opk, osk, newitem, npk, nsk);
}

/*
 * index_truncate() RETURNS trigger: AFTER TRUNCATE FOR EACH STATEMENT on a
 * singletable table with indexes; truncates the index tables in the same
 * transaction.  Like the row trigger it needs no privilege on them.
 */
Datum
st_index_truncate(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	StTable    *t;
	List	   *rels = NIL;
	List	   *relids = NIL;
	ListCell   *lc;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("singletable.index_truncate() must be a TRUNCATE trigger")));
	t = st_table_lookup(RelationGetRelid(td->tg_relation), true);
	if (t == NULL)
		return PointerGetDatum(NULL);
	foreach(lc, t->indexes)
	{
		StIndex    *ix = lfirst(lc);
		Relation	irel = try_table_open(ix->relid, AccessExclusiveLock);

		if (irel == NULL)
			continue;
		if (irel->rd_rel->relowner != td->tg_relation->rd_rel->relowner ||
			irel->rd_rel->relkind != RELKIND_RELATION)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" is not the index table of index \"%s\" of table \"%s\"",
							RelationGetRelationName(irel), ix->name,
							RelationGetRelationName(td->tg_relation)),
					 errdetail("Its owner does not match the table's.")));
		rels = lappend(rels, irel);
		relids = lappend_oid(relids, ix->relid);
	}
	if (rels != NIL)
#if PG_VERSION_NUM >= 160000
		ExecuteTruncateGuts(rels, relids, NIL, DROP_RESTRICT, false, false);
#else
		ExecuteTruncateGuts(rels, relids, NIL, DROP_RESTRICT, false);
#endif
	foreach(lc, rels)
		table_close((Relation) lfirst(lc), NoLock);
	return PointerGetDatum(NULL);
}
