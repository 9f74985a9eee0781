/*
 * index_catalog.c
 *	  Global secondary indexes: create_index, drop_index and the keyspace
 *	  query.c reads an index by.  The layout of an index table (see index.h)
 *	  is index_layout.c's.
 *
 *	  An index is a table of its own, <base>__<index> in the base table's
 *	  schema, with an AUTO dependency on the base table so that a plain DROP
 *	  TABLE of the base drops it too, and a row in singletable.indexes.  Two
 *	  C triggers on the base table maintain every index of the table
 *	  (index_trigger.c); they exist while the table has an index.
 *
 *	  create_index and drop_index take SHARE ROW EXCLUSIVE on the base table:
 *	  writers wait for them and they wait for writers, so a backfill sees
 *	  every committed write and every later write finds the trigger.  With
 *	  online => true, create_index only creates the index, CREATING, and its
 *	  trigger under that lock, and leaves the backfill to a background worker
 *	  (index_online.c) that starts once the calling transaction ends.
 *	  drop_index of the last index takes ACCESS EXCLUSIVE instead, which
 *	  dropping the triggers needs, up front.  Readers of an index lock the
 *	  base table, then the index table (st_keyspace_for_index).
 *
 *	  The catalog rows are read by catalog.c (StTable.indexes); after
 *	  changing them this file calls st_table_invalidate().
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "access/htup_details.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "args.h"
#include "catalog.h"
#include "citus.h"
#include "errors.h"
#include "index.h"
#include "keys.h"
#include "query.h"

PG_FUNCTION_INFO_V1(st_index_catalog_changed);

static void
creating_error(StTable *table, StIndex *index)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("index \"%s\" of table \"%s\" is still being created",
					index->name, table->name),
			 errdetail("ValidationException: Cannot read from backfilling global secondary index: %s.",
					   index->name),
			 errhint("Wait until describe_table shows its IndexStatus as ACTIVE.")));
}

/*
 * The keyspace of index index_name of table relid, for a reader: the index
 * table, the btree over its key columns and the key attributes in btree
 * order.  Returns false when the table has no such index.
 *
 * Takes AccessShareLock on the base table, then on the index table (the
 * order DROP TABLE of the base takes them in), kept until the end of the
 * transaction.  The index is looked up again once the index table's lock is
 * granted, as RangeVarGetRelidExtended does for a name: the wait may have
 * been for a drop_index that dropped the table (then the index no longer
 * exists; opening the table found before the wait would fail with an
 * internal error) or that also created the index again under a new table
 * (then that one is locked in turn).  An index whose creation the read's
 * snapshot does not see does not exist for the read either.
 */
bool
st_keyspace_for_index(Oid relid, const char *index_name, StKeySpace *ks)
{
	StIndexLayout layout;
	StTable    *table;
	StIndex    *index;
	Oid			locked = InvalidOid;
	Relation	base;
	Relation	irel;

	LockRelationOid(relid, AccessShareLock);
	for (;;)
	{
		table = st_table_lookup(relid, false);
		index = st_table_find_index(table, index_name);
		if (index != NULL && index->relid == locked)
			break;
		if (OidIsValid(locked))
			UnlockRelationOid(locked, AccessShareLock);
		if (index == NULL)
			return false;
		locked = index->relid;
		/* accepts the invalidations of whatever we waited for */
		LockRelationOid(locked, AccessShareLock);
	}

	/*
	 * An index created by a transaction the read's snapshot does not see has
	 * no entry the read could see: it does not exist yet for this read, as
	 * DynamoDB does not read an index that is still being created.  An index
	 * still backfilling cannot be read either (DynamoDB's "Cannot read from
	 * backfilling global secondary index"), nor by a snapshot taken before
	 * its build made it ACTIVE: that snapshot does not see every entry.
	 */
	if (!TransactionIdIsCurrentTransactionId(index->xmin) &&
		XidInMVCCSnapshot(index->xmin, GetActiveSnapshot()))
	{
		if (!index->row_updated)
			return false;
		creating_error(table, index);
	}
	if (index->creating)
		creating_error(table, index);

	/* a table dropped by hand may have left its catalog row behind */
	irel = try_table_open(index->relid, NoLock);
	if (irel == NULL)
		return false;

	st_index_layout(table, index, &layout);
	memset(ks, 0, sizeof(StKeySpace));
	ks->table = table;
	ks->index = index;
	ks->relid = index->relid;

	/*
	 * Readers of an index check privileges on the base table only, then read
	 * the index table directly: make sure it is the table create_index made
	 * for this index (same owner, the layout's columns), as the maintenance
	 * trigger does before writing it, so that a catalog row pointing at
	 * someone else's table cannot expose that table.
	 */
	base = table_open(relid, NoLock);
	st_index_check_table(base, irel, index, &layout);
	table_close(base, NoLock);
	ks->btree = st_index_table_btree(irel);
	table_close(irel, NoLock);
	ks->pk_attr = index->pk_attr;
	ks->pk_type = index->pk_type;
	ks->sk_attr = index->sk_attr;
	ks->sk_type = index->sk_type;
	ks->nkeys = layout.ncols;
	for (int i = 0; i < layout.ncols; i++)
	{
		ks->key_attrs[i] = layout.attr[i];
		ks->key_types[i] = layout.type[i];
		ks->key_attnums[i] = (AttrNumber) (i + 2);
	}
	return true;
}

/*
 * DynamoDB's rules for a local secondary index index_name with keys
 * pk_attr, sk_attr on a table whose keys are table_pk, table_sk: the table
 * has a sort key, the index has the table's partition key and a sort key
 * of its own.  Also execute_table.c's, before CreateTable creates anything.
 */
void
st_index_check_local(const char *table_pk, const char *table_sk, const char *index_name,
					 const char *pk_attr, const char *sk_attr)
{
	if (table_sk == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a table without a sort key cannot have a local secondary index"),
				 errdetail("ValidationException: One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex.")));
	if (sk_attr == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("local secondary index \"%s\" needs a sort key", index_name),
				 errdetail("ValidationException: One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s.", index_name)));
	if (strcmp(pk_attr, table_pk) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("local secondary index \"%s\" must have the table's partition key \"%s\"",
						index_name, table_pk),
				 errdetail("ValidationException: One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s.",
						   index_name, pk_attr, table_pk)));
}

/* DynamoDB's rule for index names: 3 to 255 characters of [a-zA-Z0-9_.-]. */
static void
check_index_name(const char *name)
{
	size_t		len = strlen(name);

	if (len < 3 || len > 255)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("index name \"%s\" must be 3 to 255 characters long", name),
				 errdetail("ValidationException: IndexName must be at least 3 characters long and at most 255 characters long.")));
	for (const char *p = name; *p; p++)
	{
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("index name \"%s\" contains a character other than a-z, A-Z, 0-9, \"_\", \"-\" and \".\"", name),
					 errdetail("ValidationException: IndexName must satisfy regular expression pattern: [a-zA-Z0-9_.-]+.")));
	}
}

static void
check_key_attr_name(const char *name, const char *what)
{
	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what),
				 errdetail("ValidationException: Attribute names must be at least 1 character long.")));
	if (strlen(name) > 255)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is longer than 255 bytes", what),
				 errdetail("ValidationException: Key and projected attribute names must be at most 255 bytes long.")));
}

/*
 * An attribute has one type across the table's and its indexes' key
 * schemas (DynamoDB's AttributeDefinitions): raise when attr is already a
 * key of another type.
 */
static void
check_attr_type(StTable *t, const char *attr, StKeyType type)
{
	ListCell   *lc;
	const char *other = NULL;
	StKeyType	other_type = type;

	if (strcmp(attr, t->pk_attr) == 0)
	{
		other = "the table's partition key";
		other_type = t->pk_type;
	}
	else if (t->sk_attr && strcmp(attr, t->sk_attr) == 0)
	{
		other = "the table's sort key";
		other_type = t->sk_type;
	}
	if (other == NULL || other_type == type)
	{
		foreach(lc, t->indexes)
		{
			StIndex    *ix = lfirst(lc);

			if (strcmp(attr, ix->pk_attr) == 0 && ix->pk_type != type)
			{
				other = psprintf("the partition key of index \"%s\"", ix->name);
				other_type = ix->pk_type;
				break;
			}
			if (ix->sk_attr && strcmp(attr, ix->sk_attr) == 0 && ix->sk_type != type)
			{
				other = psprintf("the sort key of index \"%s\"", ix->name);
				other_type = ix->sk_type;
				break;
			}
		}
	}
	if (other != NULL && other_type != type)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key attribute \"%s\" is already defined with type %c", attr, (char) other_type),
				 errdetail("ValidationException: Attribute \"%s\" is %s, of type %c, and cannot also be of type %c.",
						   attr, other, (char) other_type, (char) type),
				 errhint("Use the same type for an attribute in every key schema of a table.")));
}

static Oid
rel_owner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/* Raise unless the current user owns relid (or is a member of its owner). */
void
st_index_check_owner(Oid relid)
{
	if (!st_owns_table(relid))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, get_rel_name(relid));
}

/*
 * Lock a singletable table against writers and index DDL (mode is SHARE ROW
 * EXCLUSIVE or stronger), then read its catalog facts.  Locking first makes
 * the facts current: the lock acquisition processes the invalidations of a
 * concurrent create_index.
 */
static StTable *
lock_base_table(Oid relid, LOCKMODE mode)
{
	LockRelationOid(relid, mode);
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid),
				 errdetail("ResourceNotFoundException: Requested resource not found.")));
	return st_table_lookup(relid, false);
}

static bool
trigger_exists(Oid relid)
{
	Datum		arg = ObjectIdGetDatum(relid);
	Oid			argtype = OIDOID;

	if (SPI_execute_with_args("SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid OPERATOR(pg_catalog.=) $1 "
							  "AND tgname OPERATOR(pg_catalog.=) '" ST_INDEX_TRIGGER_NAME "'::pg_catalog.name",
							  1, &argtype, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_trigger");
	return SPI_processed > 0;
}

/*
 * create_index(tbl regclass, index_name text, partition_key text,
 *              sort_key text, projection text, include text[],
 *              partition_key_type text, sort_key_type text,
 *              online boolean) RETURNS regclass
 *
 * Creates the index table, records the index, installs the maintenance
 * triggers when the table had no index yet and backfills the index, all in
 * the calling transaction.  Online, the index is recorded as CREATING and a
 * background worker backfills it after the calling transaction commits
 * (index_online.c); the call returns at once.  Returns the index table.
 */
static Datum
create_index_sql(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *index_name = st_text_arg(fcinfo, 1);
	char	   *pk_attr = st_text_arg(fcinfo, 2);
	char	   *sk_attr = st_text_arg(fcinfo, 3);
	char	   *projection = st_text_arg(fcinfo, 4);
	ArrayType  *include = PG_ARGISNULL(5) ? NULL : PG_GETARG_ARRAYTYPE_P(5);
	StKeyType	pk_type;
	StKeyType	sk_type = ST_KEY_S;
	List	   *include_list = NIL;
	StTable    *t;
	StIndex		newix;
	StIndexLayout layout;
	char	   *table_name;
	char	   *qualified;
	char	   *base_qualified;
	Oid			nsp;
	Oid			index_relid;
	StringInfoData sql;
	int64		skipped = 0;
	int64		indexed;
	StIndex    *ix;
	/* the 0.1 declaration, still in use until ALTER EXTENSION UPDATE, has no online */
	bool		online = PG_NARGS() > 8 && !PG_ARGISNULL(8) && PG_GETARG_BOOL(8);
	bool		local = PG_NARGS() > 9 && !PG_ARGISNULL(9) && PG_GETARG_BOOL(9);
	int			nsame = 0;
	ListCell   *ilc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table must not be null"),
				 errdetail("ValidationException: TableName is required.")));
	relid = PG_GETARG_OID(0);
	if (index_name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("index name must not be null"),
				 errdetail("ValidationException: IndexName is required.")));
	check_index_name(index_name);
	if (pk_attr == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("index partition key must not be null"),
				 errdetail("ValidationException: An index needs a partition (HASH) key.")));
	check_key_attr_name(pk_attr, "index partition key name");
	pk_type = st_parse_key_type(st_text_arg(fcinfo, 6), "index partition key");
	if (sk_attr)
	{
		check_key_attr_name(sk_attr, "index sort key name");
		if (strcmp(sk_attr, pk_attr) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("index partition key and sort key must be different attributes"),
					 errdetail("ValidationException: Both the Hash Key and the Range Key element in the KeySchema have the same name.")));
		sk_type = st_parse_key_type(st_text_arg(fcinfo, 7), "index sort key");
	}
	if (projection == NULL)
		projection = "ALL";
	if (strcmp(projection, "ALL") != 0 && strcmp(projection, "KEYS_ONLY") != 0 &&
		strcmp(projection, "INCLUDE") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unrecognized projection type \"%s\"", projection),
				 errdetail("ValidationException: ProjectionType must be ALL, KEYS_ONLY or INCLUDE.")));
	if (strcmp(projection, "INCLUDE") == 0)
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		if (include == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("projection INCLUDE needs the attributes to include"),
					 errdetail("ValidationException: NonKeyAttributes must be specified for ProjectionType INCLUDE."),
					 errhint("Pass include => ARRAY['attr', ...].")));
		if (ARR_NDIM(include) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("include must be a one-dimensional array"),
					 errdetail("ValidationException: NonKeyAttributes is a list of attribute names.")));
		deconstruct_array(include, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
		if (n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("projection INCLUDE needs at least one attribute to include"),
					 errdetail("ValidationException: NonKeyAttributes must not be empty for ProjectionType INCLUDE.")));
		if (n > ST_MAX_INCLUDE_ATTRS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("projection INCLUDE names %d attributes, more than the limit of %d", n, ST_MAX_INCLUDE_ATTRS),
					 errdetail("ValidationException: The number of projected attributes exceeds the limit of %d.", ST_MAX_INCLUDE_ATTRS)));
		for (int i = 0; i < n; i++)
		{
			char	   *a;
			ListCell   *lc;

			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("include must not contain null"),
						 errdetail("ValidationException: NonKeyAttributes must be attribute names.")));
			a = TextDatumGetCString(elems[i]);
			if (a[0] == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("include must not contain an empty attribute name"),
						 errdetail("ValidationException: Attribute names must be at least 1 character long.")));
			check_key_attr_name(a, "include attribute name");
			foreach(lc, include_list)
				if (strcmp(lfirst(lc), a) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("include names attribute \"%s\" twice", a),
							 errdetail("ValidationException: One or more parameter values were invalid: Duplicate provided NonKeyAttributes: %s.", a)));
			include_list = lappend(include_list, a);
		}
	}
	else if (include != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("include is allowed only with projection INCLUDE"),
				 errdetail("ValidationException: NonKeyAttributes can only be specified with ProjectionType INCLUDE; the projection is %s.", projection)));

	t = lock_base_table(relid, ShareRowExclusiveLock);
	st_index_check_owner(relid);
	if (st_table_find_index(t, index_name) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("index \"%s\" already exists on table \"%s\"", index_name, t->name),
				 errdetail("ValidationException: One or more parameter values were invalid: Index %s already exists.", index_name)));
	if (local)
		st_index_check_local(t->pk_attr, t->sk_attr, index_name, pk_attr, sk_attr);
	foreach(ilc, t->indexes)
		nsame += ((StIndex *) lfirst(ilc))->local == local;
	if (local && nsame >= ST_MAX_LOCAL_INDEXES_PER_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("table \"%s\" already has %d local secondary indexes", t->table_name,
						ST_MAX_LOCAL_INDEXES_PER_TABLE),
				 errdetail("ValidationException: One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of %d.",
						   ST_MAX_LOCAL_INDEXES_PER_TABLE)));
	if (!local && nsame >= ST_MAX_INDEXES_PER_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("table \"%s\" already has %d indexes", t->name, ST_MAX_INDEXES_PER_TABLE),
				 errdetail("LimitExceededException: A table can have at most %d global secondary indexes.", ST_MAX_INDEXES_PER_TABLE)));
	check_attr_type(t, pk_attr, pk_type);
	if (sk_attr)
		check_attr_type(t, sk_attr, sk_type);

	/* <table>__<index>, shortened with a hash when over 63 bytes (catalog.c) */
	table_name = st_mapped_relname(psprintf("%s__%s", t->table_name, index_name));
	nsp = get_rel_namespace(relid);
	if (OidIsValid(get_relname_relid(table_name, nsp)))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation \"%s\" already exists", table_name),
				 errdetail("ResourceInUseException: The table for index %s would be named %s, which is taken.", index_name, table_name)));
	qualified = quote_qualified_identifier(t->schema_name, table_name);
	base_qualified = quote_qualified_identifier(t->schema_name, t->table_name);

	memset(&newix, 0, sizeof(newix));
	newix.name = index_name;
	newix.pk_attr = pk_attr;
	newix.pk_type = pk_type;
	newix.sk_attr = sk_attr;
	newix.sk_type = sk_type;
	newix.projection = projection;
	newix.include = include_list;
	st_index_layout(t, &newix, &layout);

	initStringInfo(&sql);
	appendStringInfo(&sql, "CREATE %sTABLE %s (item pg_catalog.jsonb NOT NULL",
					 get_rel_persistence(relid) == RELPERSISTENCE_UNLOGGED ? "UNLOGGED " : "",
					 qualified);
	for (int i = 0; i < layout.ncols; i++)
		appendStringInfo(&sql, ", %s %s NOT NULL", layout.column[i],
						 st_key_column_type_sql(layout.type[i]));
	appendStringInfoString(&sql, ", PRIMARY KEY (");
	for (int i = 0; i < layout.ncols; i++)
		appendStringInfo(&sql, "%s%s", i ? ", " : "", layout.column[i]);
	appendStringInfoString(&sql, "))");

	/*
	 * The replica identity stays the primary key (DEFAULT), unlike a base
	 * table's FULL: an index table's changes are in the change stream only
	 * with include_indexes, and there without OldImage (their Keys come from
	 * the key columns, stream_decode.c).  FULL would log the whole old
	 * entry, a copy of the item under projection ALL, with every update and
	 * delete of it: a quarter of the WAL of a put on a table with two GSIs.
	 * A user who wants the old images sets FULL on the index table.
	 */

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create index table %s", qualified);
	index_relid = get_relname_relid(table_name, nsp);
	if (!OidIsValid(index_relid))
		elog(ERROR, "index table %s was not created", qualified);
	/* the index table belongs to the base table's owner, whoever created it */
	{
		Oid			owner = rel_owner(relid);

		if (owner != GetUserId() &&
			SPI_execute(psprintf("ALTER TABLE %s OWNER TO %s", qualified,
								 quote_identifier(GetUserNameFromId(owner, false))),
						false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "could not give index table %s to the table's owner", qualified);
	}

	/* the catalog row's trigger (index_catalog_changed) links the tables */
	{
		Oid			argtypes[9] = {OIDOID, TEXTOID, OIDOID, TEXTOID, CHAROID,
		TEXTOID, CHAROID, TEXTOID, TEXTARRAYOID};
		Datum		args[9];
		char		nulls[9] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};

		args[0] = ObjectIdGetDatum(relid);
		args[1] = CStringGetTextDatum(index_name);
		args[2] = ObjectIdGetDatum(index_relid);
		st_key_schema_args(args + 3, nulls + 3, pk_attr, pk_type, sk_attr, sk_type);
		args[7] = CStringGetTextDatum(projection);
		if (include_list != NIL)
			args[8] = PointerGetDatum(include);
		else
			nulls[8] = 'n';
		/* status is ACTIVE by default, and absent from a 0.1 catalog */
		if (SPI_execute_with_args(online || local ?
								  psprintf("INSERT INTO singletable.indexes (relid, index_name, index_relid, "
										   "partition_key, partition_key_type, sort_key, sort_key_type, projection, include, status, local) "
										   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '%s', %s)",
										   online ? "CREATING" : "ACTIVE", local ? "true" : "false") :
								  "INSERT INTO singletable.indexes (relid, index_name, index_relid, "
								  "partition_key, partition_key_type, sort_key, sort_key_type, projection, include) "
								  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
								  9, argtypes, args, nulls, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not record index %s", index_name);
	}

	/* a distributed table has none: its writes keep the index (citus.c) */
	if (!t->distributed && !trigger_exists(relid))
	{
		if (SPI_execute(psprintf("CREATE TRIGGER " ST_INDEX_TRIGGER_NAME
								 " AFTER INSERT OR UPDATE OR DELETE ON %s"
								 " FOR EACH ROW EXECUTE FUNCTION singletable.index_maintain()",
								 base_qualified), false, 0) != SPI_OK_UTILITY ||
			SPI_execute(psprintf("CREATE TRIGGER " ST_INDEX_TRUNCATE_TRIGGER_NAME
								 " AFTER TRUNCATE ON %s"
								 " FOR EACH STATEMENT EXECUTE FUNCTION singletable.index_truncate()",
								 base_qualified), false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "could not create the index triggers of %s", base_qualified);
	}
	SPI_finish();

	st_table_invalidate(relid);
	CommandCounterIncrement();
	t = st_table_lookup(relid, false);
	ix = st_table_find_index(t, index_name);
	if (ix == NULL)
		elog(ERROR, "index %s not found after creating it", index_name);
	if (online)
	{
		if (t->distributed)
			st_citus_distribute_index(t, ix);
		st_index_online_start(relid, index_relid, GetTopTransactionId());
		PG_RETURN_OID(index_relid);
	}
	indexed = t->distributed ? st_citus_create_index(t, ix, &skipped) : st_index_backfill(t, ix, &skipped);
	if (skipped > 0)
		ereport(NOTICE,
				(errmsg("index \"%s\": " INT64_FORMAT " items indexed, " INT64_FORMAT " items left out because of index key violations",
						index_name, indexed, skipped),
				 errdetail("Their index key attributes have the wrong type or an invalid value; writes to them fail until they are corrected.")));
	PG_RETURN_OID(index_relid);
}

ST_FUNCTION_HIDING_SQL(st_sql_create_index, create_index_sql)

static bool
drops_last_index(StTable *t, const char *index_name)
{
	return t != NULL && list_length(t->indexes) == 1 &&
		st_table_find_index(t, index_name) != NULL;
}

/*
 * drop_index(tbl regclass, index_name text) RETURNS void: drops the index
 * table and the catalog row; the table's last index takes the maintenance
 * triggers with it.
 *
 * Dropping a trigger takes ACCESS EXCLUSIVE on the table.  Upgrading to it
 * from SHARE ROW EXCLUSIVE would deadlock with a transaction that has read
 * the table and then writes it (it waits for our lock, we wait for its
 * read), so the last index is dropped under ACCESS EXCLUSIVE from the
 * start.  Whether the index is the last one is known only under the lock:
 * guess from the cached facts, and when the guess was SHARE ROW EXCLUSIVE
 * but the index turns out to be the last, let go and take the stronger
 * lock instead, before anything was done under the weaker one.
 */
static Datum
drop_index_sql(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *index_name = st_text_arg(fcinfo, 1);
	StTable    *t;
	StIndex    *ix;
	char	   *iname;
	char	   *qualified;
	char	   *base_qualified;
	bool		last;
	LOCKMODE	mode;
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2];

	if (PG_ARGISNULL(0) || index_name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table and index name must not be null"),
				 errdetail("ValidationException: TableName and IndexName are required.")));
	relid = PG_GETARG_OID(0);
	/* no lock for whoever may not drop it anyway */
	st_index_check_owner(relid);
	mode = drops_last_index(st_table_lookup(relid, true), index_name) ?
		AccessExclusiveLock : ShareRowExclusiveLock;
	t = lock_base_table(relid, mode);
	if (mode != AccessExclusiveLock && drops_last_index(t, index_name))
	{
		UnlockRelationOid(relid, mode);
		mode = AccessExclusiveLock;
		t = lock_base_table(relid, mode);
	}
	st_index_check_owner(relid);
	ix = st_table_find_index(t, index_name);
	if (ix == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("index \"%s\" of table \"%s\" does not exist", index_name, t->name),
				 errdetail("ResourceNotFoundException: Requested resource not found: Index: %s not found.", index_name)));
	iname = get_rel_name(ix->relid);
	qualified = iname ? quote_qualified_identifier(get_namespace_name(get_rel_namespace(ix->relid)), iname) : NULL;
	base_qualified = quote_qualified_identifier(t->schema_name, t->table_name);
	/* the last index takes the triggers with it; a distributed table has none (citus.c) */
	last = list_length(t->indexes) == 1 && !t->distributed;
	Assert(!last || mode == AccessExclusiveLock);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = ObjectIdGetDatum(relid);
	args[1] = CStringGetTextDatum(index_name);
	if (SPI_execute_with_args("DELETE FROM singletable.indexes WHERE relid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass "
							  "AND index_name OPERATOR(pg_catalog.=) $2",
							  2, argtypes, args, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not remove index %s from the catalog", index_name);
	if (qualified &&
		SPI_execute(psprintf("DROP TABLE %s", qualified), false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not drop index table %s", qualified);
	if (last)
	{
		SPI_execute(psprintf("DROP TRIGGER IF EXISTS " ST_INDEX_TRIGGER_NAME " ON %s", base_qualified), false, 0);
		SPI_execute(psprintf("DROP TRIGGER IF EXISTS " ST_INDEX_TRUNCATE_TRIGGER_NAME " ON %s", base_qualified), false, 0);
	}
	SPI_finish();
	st_table_invalidate(relid);
	PG_RETURN_VOID();
}

ST_FUNCTION_HIDING_SQL(st_sql_drop_index, drop_index_sql)

/*
 * index_catalog_changed() RETURNS trigger: AFTER INSERT OR UPDATE OR DELETE
 * FOR EACH ROW on singletable.indexes.  Invalidates the cached facts of the
 * base table, so that a row written by hand or by pg_restore takes effect,
 * and for a new row records the AUTO dependency of the index table on its
 * base table, so that DROP TABLE of the base drops the index table.  Doing
 * it here rather than in create_index also restores the dependency when
 * pg_restore reloads the catalog rows (pg_dump does not keep it).  The
 * caller must own the index table: a row naming someone else's table must
 * not make it disappear with one's own.
 */
static void
invalidate_if_exists(Oid relid)
{
	/* a row deleted because its table was dropped names no relation */
	if (SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		st_table_invalidate(relid);
}

Datum
st_index_catalog_changed(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	bool		isnull1;
	bool		isnull3;
	Oid			relid;
	Oid			index_relid;
	ObjectAddress depender;
	ObjectAddress referenced;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("singletable.index_catalog_changed() must be an AFTER ROW trigger")));

	/*
	 * Anyone may attach this function to a table of their own: make sure the
	 * rows are singletable.indexes rows before reading OIDs out of them.
	 */
	if (RelationGetNamespace(td->tg_relation) != get_namespace_oid("singletable", true) ||
		strcmp(RelationGetRelationName(td->tg_relation), "indexes") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("singletable.index_catalog_changed() must be a trigger on singletable.indexes")));
	desc = RelationGetDescr(td->tg_relation);
	relid = DatumGetObjectId(heap_getattr(td->tg_trigtuple, 1, desc, &isnull1));
	if (!isnull1)
		invalidate_if_exists(relid);
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		relid = DatumGetObjectId(heap_getattr(td->tg_newtuple, 1, desc, &isnull1));
		if (!isnull1)
			invalidate_if_exists(relid);
	}
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		/*
		 * Re-pointing a row at another table needs its ownership as much as
		 * a new row does (the row-level security policy of the catalog
		 * checks it too).
		 */
		bool		oldnull;
		Oid			old_index_relid = DatumGetObjectId(heap_getattr(td->tg_trigtuple, 3, desc, &oldnull));

		index_relid = DatumGetObjectId(heap_getattr(td->tg_newtuple, 3, desc, &isnull3));
		if (!isnull3 && (oldnull || index_relid != old_index_relid) &&
			SearchSysCacheExists1(RELOID, ObjectIdGetDatum(index_relid)))
			st_index_check_owner(index_relid);
		return PointerGetDatum(NULL);
	}
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		return PointerGetDatum(NULL);

	index_relid = DatumGetObjectId(heap_getattr(td->tg_trigtuple, 3, desc, &isnull3));
	if (isnull1 || isnull3 ||
		!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)) ||
		!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(index_relid)))
		return PointerGetDatum(NULL);
	if (index_relid == relid)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a table cannot be its own index table")));
	st_index_check_owner(index_relid);
	ObjectAddressSet(depender, RelationRelationId, index_relid);
	ObjectAddressSet(referenced, RelationRelationId, relid);
	recordDependencyOn(&depender, &referenced, DEPENDENCY_AUTO);
	return PointerGetDatum(NULL);
}
