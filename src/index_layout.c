/*
 * index_layout.c
 *	  What the components that read and maintain an index need to know of
 *	  it, apart from its DDL (index_catalog.c): the key columns of its index
 *	  table (StIndexLayout, see index.h), the table's btree, and the
 *	  progress of its online build that describe_table shows (the build
 *	  itself is index_online.c's).
 *
 *	  Calls nothing else of the extension, so catalog.c, index_catalog.c,
 *	  index_trigger.c, index_backfill.c and index_online.c all depend on it
 *	  without a circle between them.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/rel.h"
#include "utils/relcache.h"

#include "catalog.h"
#include "index.h"

/*
 * The key columns of an index table: the index keys, then those base keys
 * that are not already index keys (an index key named like a base key has
 * its type, so the value is the same).
 */
void
st_index_layout(StTable *table, StIndex *index, StIndexLayout *layout)
{
	int			n = 0;

	layout->column[n] = "gsi_pk";
	layout->attr[n] = index->pk_attr;
	layout->type[n] = index->pk_type;
	layout->source[n++] = ST_IXCOL_INDEX_PK;
	if (index->sk_attr)
	{
		layout->column[n] = "gsi_sk";
		layout->attr[n] = index->sk_attr;
		layout->type[n] = index->sk_type;
		layout->source[n++] = ST_IXCOL_INDEX_SK;
	}
	if (strcmp(table->pk_attr, index->pk_attr) != 0 &&
		(index->sk_attr == NULL || strcmp(table->pk_attr, index->sk_attr) != 0))
	{
		layout->column[n] = "pk";
		layout->attr[n] = table->pk_attr;
		layout->type[n] = table->pk_type;
		layout->source[n++] = ST_IXCOL_BASE_PK;
	}
	if (table->sk_attr &&
		strcmp(table->sk_attr, index->pk_attr) != 0 &&
		(index->sk_attr == NULL || strcmp(table->sk_attr, index->sk_attr) != 0))
	{
		layout->column[n] = "sk";
		layout->attr[n] = table->sk_attr;
		layout->type[n] = table->sk_type;
		layout->source[n++] = ST_IXCOL_BASE_SK;
	}
	layout->ncols = n;
}

/* The btree (primary key) of an index table. */
Oid
st_index_table_btree(Relation irel)
{
#if PG_VERSION_NUM >= 180000
	Oid			btree = RelationGetPrimaryKeyIndex(irel, false);
#else
	Oid			btree = RelationGetPrimaryKeyIndex(irel);
#endif

	if (!OidIsValid(btree))
		elog(ERROR, "index table \"%s\" has no primary key",
			 RelationGetRelationName(irel));
	return btree;
}

/*
 * The progress of the online build of index table index_relid, read from
 * singletable.index_builds; false when the index was never built online
 * (or its build row was not restored).
 */
bool
st_index_build_progress(Oid index_relid, StBuildProgress *progress)
{
	Datum		arg = ObjectIdGetDatum(index_relid);
	Oid			argtype = REGCLASSOID;
	bool		found;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT items_total, items_done, index_key_violations, finished_at IS NOT NULL "
							  "FROM singletable.index_builds WHERE index_relid OPERATOR(pg_catalog.=) $1",
							  1, &argtype, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the index build");
	found = SPI_processed > 0;
	if (found)
	{
		HeapTuple	row = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;

		progress->items_total = DatumGetInt64(SPI_getbinval(row, desc, 1, &isnull));
		progress->items_done = DatumGetInt64(SPI_getbinval(row, desc, 2, &isnull));
		progress->violations = DatumGetInt64(SPI_getbinval(row, desc, 3, &isnull));
		progress->finished = DatumGetBool(SPI_getbinval(row, desc, 4, &isnull));
	}
	SPI_finish();
	return found;
}
