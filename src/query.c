/*
 * query.c
 *	  Reads of many items: query (one page), query_items (every page, as a
 *	  set) and scan (one page of a table or index, optionally one segment of
 *	  a parallel scan), and st_keyspace_for_table().
 *
 *	  A key condition becomes ScanKeys on the keyspace's btree (partition
 *	  key equality, sort key bounds), so a page costs what the page reads,
 *	  whatever the size of the table: no SQL text and no planner on this
 *	  path.  begins_with(sk, p) is the range [p, successor(p)) in byte
 *	  order.  A start key becomes one more bound, a btree row comparison over
 *	  the key columns after the partition key, so a page resumes exactly
 *	  after the last item evaluated even over equal index keys.  Scans walk
 *	  the keyspace's btree in key order; a segment is the set of partition
 *	  keys whose hash modulo total_segments is the segment number, tested on
 *	  the index tuple before the heap is read.
 *
 *	  When row-level security applies to the caller, the same bounds become
 *	  a SQL query read through an SPI cursor, so policies are honoured; the
 *	  page logic is shared.
 *
 *	  The expression language (key condition, filter, projection) belongs to
 *	  expr_*.c, key conversion to keys.c, the catalog to catalog.c, index
 *	  keyspaces to index_catalog.c.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/genam.h"
#include "access/nbtree.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "args.h"
#include "catalog.h"
#include "errors.h"
#include "expr.h"
#include "items.h"
#include "keys.h"
#include "plans.h"
#include "query.h"
#include "singletable.h"
#include "typedjson.h"


Size		st_last_page_bytes = 0;
Size		st_last_page_fetched_blocks = 0;
bool		st_measure_page = false;
bool		st_read_all_attributes = false;
List	   *st_key_not_indexable = NIL;

/* A page stops once the items it read add up to this many bytes. */
#define ST_PAGE_MAX_BYTES	(1024 * 1024)

/* Rows an SPI cursor fetches at a time (row-level security path) */
#define ST_SPI_FETCH		100

/* Upper bound of simple bounds: pk =, two sort key bounds, a start bound */
#define ST_MAX_BOUNDS		4

/* One bound on one btree column: column <strategy> value */
typedef struct KeyBound
{
	int			col;			/* 1-based btree column */
	StrategyNumber strategy;
	Datum		value;
} KeyBound;

/* What one call reads, parsed and validated, before anything is opened. */
typedef struct ReadRequest
{
	StKeySpace	ks;

	/* bounds on the btree columns, in column order */
	KeyBound	bounds[ST_MAX_BOUNDS];
	int			nbounds;
	/* start key: (columns row_first ..) > (row_values) (or < backward) */
	int			row_first;		/* 0 when no row bound */
	int			row_ncols;
	StrategyNumber row_strategy;
	Datum		row_values[ST_MAX_KEYSPACE_KEYS];
	bool		empty;			/* nothing can match: read nothing */

	ScanDirection dir;
	int64		limit;			/* items evaluated; 0 = no limit */
	Size		max_bytes;		/* 0 = no limit */
	int			segment;		/* -1 = no segments */
	int			total_segments;

	StExprContext cx;
	StExpr	   *filter;
	StExpr	   *projection;

	/*
	 * Reading a local secondary index for attributes it does not project:
	 * each item comes from the table, by the base keys at these btree
	 * columns (0-based; base_sk_col -1 when the table has no sort key).
	 */
	bool		fetch_base;
	bool		all_attributes; /* whole items, else the projected ones */
	bool		select_all;		/* execute()'s Select ALL_ATTRIBUTES on an index */
	int			base_pk_col;
	int			base_sk_col;

	/*
	 * A query whose key condition names the partition key: a start key
	 * whose partition key is of another type then lies outside the queried
	 * partition ("The provided starting key is invalid"), where one whose
	 * condition names no key attribute does not match the schema.
	 */
	bool		pk_in_condition;

	/* legacy KeyConditions' attributes under a non-key operator */
	List	   *not_indexable;
} ReadRequest;

/* A source of rows in key order: a btree scan, or an SPI cursor. */
typedef struct Reader
{
	ReadRequest *req;
	bool		use_spi;

	/* direct */
	Relation	heap;
	Relation	btree;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	ScanKeyData scankeys[ST_MAX_BOUNDS + 1];
	ScanKeyData rowkeys[ST_MAX_KEYSPACE_KEYS];
	int			nscankeys;

	MemoryContext segcxt;		/* for segment hashing, reset per row */

	/* SPI */
	Portal		portal;
	uint64		spi_pos;
	uint64		spi_count;

	/* the current row */
	Datum		item;
	bool		item_isnull;
	Datum		keys[ST_MAX_KEYSPACE_KEYS];	/* see reader_keys */
	bool		keys_valid;
} Reader;

/* Where a read puts the items it returns. */
typedef struct ItemSink
{
	/* page mode: the Items array being assembled (see page_add_item) */
	StringInfoData items;		/* the array's data area */
	StringInfoData entries;		/* its JEntry words */
	int			nitems;
	/* set mode */
	Tuplestorestate *tupstore;
	TupleDesc	tupdesc;
} ItemSink;

/* Results of a read */
typedef struct ReadResult
{
	int64		count;
	int64		scanned;
	bool		stopped;		/* stopped by limit or size: LastEvaluatedKey */
	Jsonb	   *last_key;
} ReadResult;


static int	segment_of(Datum pk, StKeyType type, int total_segments);

/* ------------------------------------------------------------------------
 * Keyspaces and key types
 * ------------------------------------------------------------------------
 */

/*
 * The keyspace of a base table: its primary key btree over (pk[, sk]).
 */
void
st_keyspace_for_table(StTable *table, StKeySpace *ks)
{
	memset(ks, 0, sizeof(StKeySpace));
	ks->table = table;
	ks->index = NULL;
	ks->relid = table->relid;
	ks->btree = table->pkey_index;
	ks->pk_attr = table->pk_attr;
	ks->pk_type = table->pk_type;
	ks->sk_attr = table->sk_attr;
	ks->sk_type = table->sk_type;
	ks->nkeys = table->sk_attr ? 2 : 1;
	ks->key_attrs[0] = table->pk_attr;
	ks->key_types[0] = table->pk_type;
	ks->key_attnums[0] = ST_ATTNUM_PK;
	if (table->sk_attr)
	{
		ks->key_attrs[1] = table->sk_attr;
		ks->key_types[1] = table->sk_type;
		ks->key_attnums[1] = ST_ATTNUM_SK;
	}
}

/* The btree operator function of a key type for a strategy. */
static RegProcedure
key_op_proc(StKeyType type, StrategyNumber strategy)
{
	static const RegProcedure s[] = {F_TEXT_LT, F_TEXT_LE, F_TEXTEQ, F_TEXT_GE, F_TEXT_GT};
	static const RegProcedure n[] = {F_NUMERIC_LT, F_NUMERIC_LE, F_NUMERIC_EQ, F_NUMERIC_GE, F_NUMERIC_GT};
	static const RegProcedure b[] = {F_BYTEALT, F_BYTEALE, F_BYTEAEQ, F_BYTEAGE, F_BYTEAGT};

	Assert(strategy >= 1 && strategy <= BTMaxStrategyNumber);
	switch (type)
	{
		case ST_KEY_S:
			return s[strategy - 1];
		case ST_KEY_N:
			return n[strategy - 1];
		case ST_KEY_B:
			return b[strategy - 1];
	}
	return InvalidOid;
}

static int
key_compare(StKeyType type, Datum a, Datum b)
{
	return DatumGetInt32(OidFunctionCall2Coll(st_key_cmp_proc(type), st_key_collation(type), a, b));
}

static const char *
strategy_sql(StrategyNumber strategy)
{
	/* schema-qualified: the caller's search_path must not pick the operator */
	static const char *const ops[] = {
		"OPERATOR(pg_catalog.<)", "OPERATOR(pg_catalog.<=)", "OPERATOR(pg_catalog.=)",
		"OPERATOR(pg_catalog.>=)", "OPERATOR(pg_catalog.>)"
	};

	return ops[strategy - 1];
}

static const char *
key_type_name(StKeyType type)
{
	return type == ST_KEY_S ? "S" : type == ST_KEY_N ? "N" : "B";
}

/*
 * The value of a key condition is of the key's type: checked before the
 * operator, as DynamoDB does.
 */
static void
check_condition_type(JsonbValue *v, const char *attr, StKeyType type)
{
	JsonbValue	scalar;

	if (!st_key_scalar(v, type, &scalar))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key condition compares key attribute \"%s\" of type %s with a value of type %s",
						attr, key_type_name(type), st_value_type_name(v)),
				 errdetail("ValidationException: One or more parameter values were invalid: Condition parameter type does not match schema type.")));
}

/*
 * The key column Datum of a value in a key condition.  A value of the
 * wrong type is DynamoDB's "Condition parameter type does not match schema
 * type"; keys.c checks the rest (empty, too long, bad base64, bad number).
 */
static Datum
condition_key_datum(JsonbValue *v, const char *attr, StKeyType type, bool is_partition)
{
	check_condition_type(v, attr, type);
	return st_key_datum_from_value(v, attr, type,
								   is_partition ? ST_MAX_PARTITION_KEY_BYTES : ST_MAX_SORT_KEY_BYTES,
								   is_partition);
}

/*
 * The smallest byte string greater than every string starting with the
 * given bytes (a text or bytea Datum), or false when there is none (the
 * prefix is all 0xFF bytes).  Byte order is the order of both C-collated
 * text and bytea.
 */
static bool
prefix_successor(Datum prefix, Datum *result)
{
	struct varlena *p = PG_DETOAST_DATUM_PACKED(prefix);
	const unsigned char *src = (const unsigned char *) VARDATA_ANY(p);
	int			len = VARSIZE_ANY_EXHDR(p);
	struct varlena *r;

	while (len > 0 && src[len - 1] == 0xFF)
		len--;
	if (len == 0)
		return false;
	r = palloc(VARHDRSZ + len);
	SET_VARSIZE(r, VARHDRSZ + len);
	memcpy(VARDATA(r), src, len);
	((unsigned char *) VARDATA(r))[len - 1]++;
	*result = PointerGetDatum(r);
	return true;
}

static void
add_bound(ReadRequest *req, int col, StrategyNumber strategy, Datum value)
{
	Assert(req->nbounds < ST_MAX_BOUNDS);
	req->bounds[req->nbounds].col = col;
	req->bounds[req->nbounds].strategy = strategy;
	req->bounds[req->nbounds].value = value;
	req->nbounds++;
}

/* ------------------------------------------------------------------------
 * Arguments
 * ------------------------------------------------------------------------
 */

/*
 * Resolve the table (and index) into req->ks and check that the caller may
 * read it.
 */
static void
resolve_keyspace(ReadRequest *req, FunctionCallInfo fcinfo, int index_argno)
{
	StTable    *table;
	char	   *index_name;
	AclResult	aclresult;

	table = st_table_arg(fcinfo, 0);

	/*
	 * Reading an index is reading its table: the base table's rights decide,
	 * checked before any index table is opened or locked.
	 */
	aclresult = pg_class_aclcheck(table->relid, GetUserId(), ACL_SELECT);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_TABLE, table->table_name);
	index_name = st_text_arg(fcinfo, index_argno);
	if (index_name == NULL)
		st_keyspace_for_table(table, &req->ks);
	else
	{
		/* false also when a drop_index this read waited for dropped it */
		if (!st_keyspace_for_index(table->relid, index_name, &req->ks))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("index \"%s\" of table \"%s\" does not exist",
							index_name, table->table_name),
					 errdetail("ValidationException: The table does not have the specified index: %s.",
							   index_name)));
	}
}

/*
 * Reading a local secondary index that does not project every attribute:
 * does the read need items from the table (DynamoDB fetches them for a
 * local index)?  It does for Select ALL_ATTRIBUTES (execute(), through
 * st_read_all_attributes) and for a projection or filter naming an
 * attribute the index does not project.  Then set up the base key columns.
 */
static void
decide_fetch_base(ReadRequest *req, bool all_attributes)
{
	StKeySpace *ks = &req->ks;
	StIndex    *ix = ks->index;
	const char **projected;
	int			n = 0;
	ListCell   *lc;

	req->select_all = all_attributes;
	if (ix == NULL || !ix->local || strcmp(ix->projection, "ALL") == 0)
		return;
	projected = palloc(sizeof(char *) * (4 + list_length(ix->include)));
	projected[n++] = ix->pk_attr;
	projected[n++] = ix->sk_attr;
	projected[n++] = ks->table->pk_attr;
	projected[n++] = ks->table->sk_attr;
	foreach(lc, ix->include)
		projected[n++] = lfirst(lc);
	req->all_attributes = all_attributes;
	req->fetch_base = all_attributes ||
		(req->projection && st_expr_names_other_attr(req->projection, projected, n)) ||
		(req->filter && st_expr_names_other_attr(req->filter, projected, n));
	req->base_pk_col = req->base_sk_col = -1;
	for (int i = 0; i < ks->nkeys; i++)
	{
		if (strcmp(ks->key_attrs[i], ks->table->pk_attr) == 0)
			req->base_pk_col = i;
		else if (ks->table->sk_attr && strcmp(ks->key_attrs[i], ks->table->sk_attr) == 0)
			req->base_sk_col = i;
	}
	Assert(req->base_pk_col >= 0);
}

/*
 * The item of the current row of a read of a local secondary index, from
 * the table (NULL when the table's row-level security hides it).
 */
static Jsonb *
fetch_base_item(ReadRequest *req, const Datum *keys)
{
	Datum		base_keys[2];

	base_keys[0] = keys[req->base_pk_col];
	base_keys[1] = req->base_sk_col >= 0 ? keys[req->base_sk_col] : (Datum) 0;
	return st_fetch_item(req->ks.table, base_keys);
}

/*
 * Does row-level security apply to this read?  Then it must go through
 * SQL.  An index table is read through SQL when it has policies of its own;
 * when only the base table does, reading the index would bypass them.
 */
static bool
read_needs_sql(ReadRequest *req)
{
	StKeySpace *ks = &req->ks;
	bool		base_rls;

	/* Citus keeps the rows elsewhere: only SQL finds them */
	if (ks->table->distributed)
		return true;
	base_rls = ks->table->row_security &&
		check_enable_rls(ks->table->relid, InvalidOid, false) == RLS_ENABLED;
	if (ks->index == NULL)
		return base_rls;
	if (check_enable_rls(ks->relid, InvalidOid, false) == RLS_ENABLED)
		return true;
	if (base_rls)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot read index \"%s\" of table \"%s\" under row-level security",
						ks->index->name, ks->table->table_name),
				 errdetail("Row-level security applies to the table, and the index table \"%s\" has no policies of its own.",
						   get_rel_name(ks->relid)),
				 errhint("Enable row-level security with the same policies on the index table, or query the base table.")));
	return false;
}

/* "limit": 1 .. ST_MAX_LIMIT, DynamoDB's Limit (an integer of at least 1) */
static int64
limit_arg(FunctionCallInfo fcinfo, int n)
{
	int64		limit;

	if (PG_ARGISNULL(n))
		return 0;
	limit = PG_GETARG_INT64(n);
	if (limit < 1 || limit > ST_MAX_LIMIT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("limit must be between 1 and %d, not " INT64_FORMAT, ST_MAX_LIMIT, limit),
				 errdetail("ValidationException: 1 validation error detected: Value '" INT64_FORMAT "' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d.",
						   limit, ST_MAX_LIMIT)));
	return limit;
}

/*
 * DynamoDB's wordings of a start key that does not fit the keyspace: only
 * "The provided starting key is invalid" for a query or an index read whose
 * start key lacks the attributes it needs; with ": The provided key element
 * does not match the schema" for a table scan, and for an index read whose
 * index keys are right but not the table's; that sentence alone for a key
 * attribute of the query or index of another type.
 */
typedef enum StartKeyProblem
{
	START_KEY_INVALID,
	START_KEY_INVALID_SCHEMA,
	START_KEY_SCHEMA
} StartKeyProblem;

/* typed is the key attribute of another type, -1 when attributes are missing */
static void
start_key_error(ReadRequest *req, StartKeyProblem problem, int typed)
{
	StKeySpace *ks = &req->ks;
	StringInfoData attrs;

	initStringInfo(&attrs);
	for (int i = 0; i < ks->nkeys; i++)
		appendStringInfo(&attrs, "%s\"%s\"", i > 0 ? ", " : "", ks->key_attrs[i]);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 typed >= 0 ?
			 errmsg("start_key attribute \"%s\" must be of type %c",
					ks->key_attrs[typed], (char) ks->key_types[typed]) :
			 errmsg("start_key must hold exactly the key attributes %s", attrs.data),
			 problem == START_KEY_INVALID ?
			 errdetail("ValidationException: The provided starting key is invalid.") :
			 problem == START_KEY_SCHEMA ?
			 errdetail("ValidationException: The provided key element does not match the schema.") :
			 errdetail("ValidationException: The provided starting key is invalid: The provided key element does not match the schema."),
			 errhint("Pass the LastEvaluatedKey of the previous page.")));
}

/*
 * A start key holds exactly the keyspace's key attributes: DynamoDB checks
 * their number first.
 */
static void
check_start_key_count(ReadRequest *req, Jsonb *start, bool is_query)
{
	bool		table_scan = req->ks.index == NULL && !is_query;

	if (JB_ROOT_IS_SCALAR(start) || !JB_ROOT_IS_OBJECT(start) ||
		JB_ROOT_COUNT(start) != req->ks.nkeys)
		start_key_error(req, table_scan ? START_KEY_INVALID_SCHEMA : START_KEY_INVALID, -1);
}

/*
 * Check the start key's attribute at key column i: present and of its
 * type.  The keyspace's own key attributes (an index's, or a query's) come
 * first; the table's after them in an index keyspace.
 */
static void
check_start_key_attr(ReadRequest *req, Jsonb *start, int i, bool is_query)
{
	StKeySpace *ks = &req->ks;
	/* the index's own key attributes come first in an index keyspace */
	int			nown = ks->index ? (ks->sk_attr ? 2 : 1) : ks->nkeys;
	bool		other = (ks->index == NULL && !is_query) || i >= nown;
	JsonbValue	v;
	JsonbValue	scalar;

	if (st_get_attr(start, ks->key_attrs[i], &v) == NULL)
		start_key_error(req, other ? START_KEY_INVALID_SCHEMA : START_KEY_INVALID, -1);
	if (!st_key_scalar(&v, ks->key_types[i], &scalar))
		start_key_error(req, other ? START_KEY_INVALID_SCHEMA :
						(i == 0 && req->pk_in_condition) ? START_KEY_INVALID : START_KEY_SCHEMA, i);
}

/*
 * Parse a start key of the right size (check_start_key_count): the
 * keyspace's key attributes, of their types, from column first on (those
 * before it were checked in DynamoDB's order by the caller).  Fills
 * values[0..nkeys-1] with the key column Datums.
 */
static void
parse_start_key(ReadRequest *req, Jsonb *start, Datum *values, bool is_query, int first)
{
	StKeySpace *ks = &req->ks;
	JsonbValue	v;

	for (int i = first; i < ks->nkeys; i++)
		check_start_key_attr(req, start, i, is_query);
	for (int i = 0; i < ks->nkeys; i++)
	{
		st_get_attr(start, ks->key_attrs[i], &v);
		values[i] = st_key_datum_from_value(&v, ks->key_attrs[i], ks->key_types[i],
											i == 0 ? ST_MAX_PARTITION_KEY_BYTES : ST_MAX_SORT_KEY_BYTES,
											i == 0);
	}
}

/*
 * A query's start key must satisfy the key condition's sort key bounds
 * (those on btree column 2), as DynamoDB checks it.
 */
static void
check_start_in_range(ReadRequest *req, Datum sk)
{
	for (int i = 0; i < req->nbounds; i++)
	{
		KeyBound   *b = &req->bounds[i];
		int			c;
		bool		ok;

		if (b->col != 2)
			continue;
		c = key_compare(req->ks.key_types[1], sk, b->value);
		ok = b->strategy == BTLessStrategyNumber ? c < 0 :
			b->strategy == BTLessEqualStrategyNumber ? c <= 0 :
			b->strategy == BTEqualStrategyNumber ? c == 0 :
			b->strategy == BTGreaterEqualStrategyNumber ? c >= 0 : c > 0;
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("start_key is outside the sort key range of the key condition"),
					 errdetail("ValidationException: The provided starting key does not match the range key predicate.")));
	}
}

/*
 * Add the bound "key columns first..nkeys after the start key" in scan
 * direction.
 */
static void
add_start_bound(ReadRequest *req, const Datum *values, int first)
{
	StrategyNumber strategy = ScanDirectionIsBackward(req->dir) ?
		BTLessStrategyNumber : BTGreaterStrategyNumber;
	int			ncols = req->ks.nkeys - first + 1;

	if (ncols <= 0)
	{
		/* the start key is the partition's only item: nothing follows */
		req->empty = true;
		return;
	}
	if (ncols == 1)
	{
		add_bound(req, first, strategy, values[first - 1]);
		return;
	}
	req->row_first = first;
	req->row_ncols = ncols;
	req->row_strategy = strategy;
	for (int i = 0; i < ncols; i++)
		req->row_values[i] = values[first - 1 + i];
}

static void
missed_key_element(const char *attr, const char *element)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("key condition on \"%s\" does not match the key schema", attr),
			 errdetail("ValidationException: Query condition missed key schema element: %s.", element)));
}

static void
key_condition_not_supported(ReadRequest *req, const char *attr)
{
	StKeySpace *ks = &req->ks;

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("key condition on \"%s\" does not match the key schema", attr),
			 errdetail("ValidationException: Query key condition not supported."),
			 ks->sk_attr ?
			 errhint("The partition key \"%s\" takes an equality; the sort key \"%s\" takes the other conditions.",
					 ks->pk_attr, ks->sk_attr) :
			 ks->index ?
			 errhint("The key of this index is the partition key \"%s\" alone; use a filter for other attributes.",
					 ks->pk_attr) :
			 errhint("The key of this table is the partition key \"%s\" alone; use a filter for other attributes.",
					 ks->pk_attr)));
}

/*
 * A legacy KeyConditions operator that no key takes (NULL, IN ...) on key
 * attribute attr, refused where DynamoDB's walk of the key schema reaches it.
 */
static void
check_indexable(ReadRequest *req, const char *attr)
{
	ListCell   *lc;

	foreach(lc, req->not_indexable)
		if (strcmp((char *) lfirst(lc), attr) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("key condition on \"%s\" uses an operator no key takes", attr),
					 errdetail("ValidationException: Attempted conditional constraint is not an indexable operation."),
					 errhint("A key takes EQ, LE, LT, GE, GT, BEGINS_WITH or BETWEEN; use QueryFilter for the others.")));
}

/*
 * The parser returns an equality first, but only the schema says which
 * condition is on the partition key.
 */
static void
order_key_condition(ReadRequest *req, StKeyCondition *kc)
{
	StKeyCondition swapped;

	if (kc->sk_op == ST_KEYOP_NONE || strcmp(kc->pk_attr, req->ks.pk_attr) == 0 ||
		strcmp(kc->sk_attr, req->ks.pk_attr) != 0)
		return;
	swapped.pk_attr = kc->sk_attr;
	swapped.pk_op = kc->sk_op;
	swapped.pk_value = kc->sk_value;
	swapped.pk_value2 = kc->sk_value2;
	swapped.sk_attr = kc->pk_attr;
	swapped.sk_op = kc->pk_op;
	swapped.sk_value = kc->pk_value;
	swapped.sk_value2 = kc->pk_value2;
	*kc = swapped;
}

/*
 * The partition key's condition: an equality on the keyspace's partition
 * key, and nothing else on a keyspace without a sort key.  Adds its bound
 * and returns the partition key Datum.
 */
static Datum
bind_partition_condition(ReadRequest *req, StKeyCondition *kc)
{
	StKeySpace *ks = &req->ks;
	Datum		pk;

	if (ks->sk_attr == NULL && kc->sk_op != ST_KEYOP_NONE)
		key_condition_not_supported(req, kc->sk_attr);
	if (strcmp(kc->pk_attr, ks->pk_attr) != 0)
		missed_key_element(kc->pk_attr, ks->pk_attr);
	check_indexable(req, kc->pk_attr);
	check_condition_type(&kc->pk_value, kc->pk_attr, ks->pk_type);
	if (kc->pk_op == ST_KEYOP_BETWEEN)
		check_condition_type(&kc->pk_value2, kc->pk_attr, ks->pk_type);
	if (kc->pk_op != ST_KEYOP_EQ)
		key_condition_not_supported(req, kc->pk_attr);
	pk = condition_key_datum(&kc->pk_value, kc->pk_attr, ks->pk_type, true);
	add_bound(req, 1, BTEqualStrategyNumber, pk);
	return pk;
}

/* The sort key's condition, if any, as bounds on btree column 2. */
static void
bind_sort_condition(ReadRequest *req, StKeyCondition *kc)
{
	StKeySpace *ks = &req->ks;
	const char *sk_attr = kc->sk_attr;
	Datum		v1;
	Datum		v2;

	if (kc->sk_op == ST_KEYOP_NONE)
		return;
	if (strcmp(sk_attr, ks->sk_attr) != 0)
		missed_key_element(sk_attr, ks->sk_attr);
	check_indexable(req, sk_attr);
	if (kc->sk_op == ST_KEYOP_BEGINS_WITH && ks->sk_type == ST_KEY_N)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("begins_with cannot be applied to number sort key \"%s\"", sk_attr),
				 errdetail("ValidationException: Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N.")));
	v1 = condition_key_datum(&kc->sk_value, sk_attr, ks->sk_type, false);
	switch (kc->sk_op)
	{
		case ST_KEYOP_EQ:
			add_bound(req, 2, BTEqualStrategyNumber, v1);
			break;
		case ST_KEYOP_LT:
			add_bound(req, 2, BTLessStrategyNumber, v1);
			break;
		case ST_KEYOP_LE:
			add_bound(req, 2, BTLessEqualStrategyNumber, v1);
			break;
		case ST_KEYOP_GT:
			add_bound(req, 2, BTGreaterStrategyNumber, v1);
			break;
		case ST_KEYOP_GE:
			add_bound(req, 2, BTGreaterEqualStrategyNumber, v1);
			break;
		case ST_KEYOP_BETWEEN:
			v2 = condition_key_datum(&kc->sk_value2, sk_attr, ks->sk_type, false);
			if (key_compare(ks->sk_type, v1, v2) > 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("lower bound of BETWEEN is greater than its upper bound"),
						 errdetail("ValidationException: Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound.")));
			add_bound(req, 2, BTGreaterEqualStrategyNumber, v1);
			add_bound(req, 2, BTLessEqualStrategyNumber, v2);
			break;
		case ST_KEYOP_BEGINS_WITH:
			add_bound(req, 2, BTGreaterEqualStrategyNumber, v1);
			if (prefix_successor(v1, &v2))
				add_bound(req, 2, BTLessStrategyNumber, v2);
			break;
		case ST_KEYOP_NONE:
			break;
	}
}

/*
 * Select ALL_ATTRIBUTES (from execute()) on a global secondary index that
 * does not project them all: DynamoDB refuses it, after the start key's
 * checks of the index's own key attributes.
 */
static void
check_select_all(ReadRequest *req)
{
	StIndex    *ix = req->ks.index;

	if (req->select_all && ix && !ix->local && strcmp(ix->projection, "ALL") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid request field \"Select\": index \"%s\" does not project all attributes", ix->name),
				 errdetail("ValidationException: One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL.",
						   ix->name)));
}

/*
 * query(tbl, key_condition, names, values, index, filter, projection,
 *       limit, forward, start_key)
 */
static void
parse_query_args(ReadRequest *req, FunctionCallInfo fcinfo)
{
	char	   *key_condition;
	char	   *filter;
	char	   *projection;
	StKeyCondition *kc;
	Datum		pk;
	Jsonb	   *start;
	bool		all_attributes = st_read_all_attributes;
	List	   *not_indexable = st_key_not_indexable;

	st_read_all_attributes = false;
	st_key_not_indexable = NIL;
	memset(req, 0, sizeof(ReadRequest));
	req->segment = -1;
	req->not_indexable = not_indexable;
	resolve_keyspace(req, fcinfo, 4);

	key_condition = st_text_arg(fcinfo, 1);
	if (key_condition == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("key_condition must not be null"),
				 errdetail("ValidationException: Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")));
	filter = st_text_arg(fcinfo, 5);
	projection = st_text_arg(fcinfo, 6);
	req->limit = limit_arg(fcinfo, 7);
	req->dir = (PG_ARGISNULL(8) || PG_GETARG_BOOL(8)) ?
		ForwardScanDirection : BackwardScanDirection;

	st_expr_context_init(&req->cx, st_jsonb_arg(fcinfo, 2), st_jsonb_arg(fcinfo, 3));
	kc = st_parse_query_key_condition(&req->cx, key_condition);
	if (filter)
		req->filter = st_parse_condition(&req->cx, filter, "filter");
	if (projection)
		req->projection = st_parse_projection(&req->cx, projection);
	st_expr_check_unused(&req->cx);
	decide_fetch_base(req, all_attributes);

	/*
	 * DynamoDB's order: the start key's size, then per key attribute of
	 * the keyspace its start key value and its condition, then the rest of
	 * the start key and its bounds, then the paths of the projection and
	 * filter.
	 */
	start = PG_ARGISNULL(9) ? NULL : PG_GETARG_JSONB_P(9);
	req->pk_in_condition = strcmp(kc->pk_attr, req->ks.pk_attr) == 0 ||
		(kc->sk_op != ST_KEYOP_NONE && strcmp(kc->sk_attr, req->ks.pk_attr) == 0);
	if (start)
	{
		check_start_key_count(req, start, true);
		check_start_key_attr(req, start, 0, true);
	}
	order_key_condition(req, kc);
	pk = bind_partition_condition(req, kc);
	if (start && req->ks.sk_attr)
		check_start_key_attr(req, start, 1, true);
	bind_sort_condition(req, kc);
	if (start)
	{
		Datum		values[ST_MAX_KEYSPACE_KEYS];

		parse_start_key(req, start, values, true, req->ks.sk_attr ? 2 : 1);
		/* the sort key's range first, as DynamoDB checks them */
		if (req->ks.nkeys > 1)
			check_start_in_range(req, values[1]);
		/* with a sort key condition, DynamoDB words it as a single-row query */
		if (key_compare(req->ks.pk_type, values[0], pk) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("start_key is not in the partition of the key condition"),
					 kc->sk_op != ST_KEYOP_NONE ?
					 errdetail("ValidationException: The query can return at most one row and cannot be restarted.") :
					 errdetail("ValidationException: The provided starting key is outside query boundaries based on provided conditions.")));
		add_start_bound(req, values, 2);
	}
	st_expr_check_key_paths(req->ks.table, req->projection, "projection");
	if (req->filter)
	{
		const char *keys[2] = {req->ks.pk_attr, req->ks.sk_attr};
		const char *key = st_expr_names_attr(req->filter, keys, 2);

		if (key)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the filter of a query cannot name key attribute \"%s\"", key),
					 errdetail("ValidationException: Filter Expression can only contain non-primary key attributes: Primary key attribute: %s.", key),
					 errhint("Put conditions on the key attributes in the key condition.")));
	}
	check_select_all(req);
	st_expr_check_key_paths(req->ks.table, req->filter, "filter");
}

/*
 * scan(tbl, filter, names, values, projection, limit, start_key, segment,
 *      total_segments, index)
 */
static void
parse_scan_args(ReadRequest *req, FunctionCallInfo fcinfo)
{
	char	   *filter;
	char	   *projection;
	Jsonb	   *start_key;
	int			nown;
	bool		all_attributes = st_read_all_attributes;

	st_read_all_attributes = false;
	memset(req, 0, sizeof(ReadRequest));
	req->dir = ForwardScanDirection;
	req->segment = -1;
	resolve_keyspace(req, fcinfo, 9);

	filter = st_text_arg(fcinfo, 1);
	projection = st_text_arg(fcinfo, 4);
	req->limit = limit_arg(fcinfo, 5);

	st_check_scan_segments(!PG_ARGISNULL(7), PG_ARGISNULL(7) ? 0 : PG_GETARG_INT32(7),
						   !PG_ARGISNULL(8), PG_ARGISNULL(8) ? 0 : PG_GETARG_INT32(8));
	if (!PG_ARGISNULL(8))
	{
		req->segment = PG_GETARG_INT32(7);
		req->total_segments = PG_GETARG_INT32(8);
	}

	st_expr_context_init(&req->cx, st_jsonb_arg(fcinfo, 2), st_jsonb_arg(fcinfo, 3));
	if (filter)
		req->filter = st_parse_condition(&req->cx, filter, "filter");
	if (projection)
		req->projection = st_parse_projection(&req->cx, projection);
	st_expr_check_unused(&req->cx);
	decide_fetch_base(req, all_attributes);
	start_key = PG_ARGISNULL(6) ? NULL : PG_GETARG_JSONB_P(6);

	/* DynamoDB checks an index's own key attributes before Select */
	nown = req->ks.index ? (req->ks.sk_attr ? 2 : 1) : 0;
	if (start_key)
	{
		check_start_key_count(req, start_key, false);
		for (int i = 0; i < nown; i++)
			check_start_key_attr(req, start_key, i, false);
	}
	check_select_all(req);
	if (start_key)
	{
		Datum		start[ST_MAX_KEYSPACE_KEYS];

		parse_start_key(req, start_key, start, false, nown);
		if (req->segment >= 0 &&
			segment_of(start[0], req->ks.pk_type, req->total_segments) != req->segment)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("start_key is not in segment %d of %d", req->segment, req->total_segments),
					 errdetail("ValidationException: The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: %d Segment: %d.",
							   req->total_segments, req->segment),
					 errhint("Pass the LastEvaluatedKey of the previous page of the same segment.")));
		add_start_bound(req, start, 1);
	}
	st_expr_check_key_paths(req->ks.table, req->projection, "projection");
	st_expr_check_key_paths(req->ks.table, req->filter, "filter");
}

/* ------------------------------------------------------------------------
 * Readers
 * ------------------------------------------------------------------------
 */

/* The segment of a partition key value: a hash of its bytes (its value for numbers). */
static int
segment_of(Datum pk, StKeyType type, int total_segments)
{
	uint32		h;

	if (type == ST_KEY_N)
		h = DatumGetUInt32(DirectFunctionCall1(hash_numeric, pk));
	else
	{
		struct varlena *v = PG_DETOAST_DATUM_PACKED(pk);

		h = DatumGetUInt32(hash_any((const unsigned char *) VARDATA_ANY(v),
									VARSIZE_ANY_EXHDR(v)));
	}
	return (int) (h % (uint32) total_segments);
}

/* Is the partition key value in the requested segment? */
static bool
in_segment(Reader *r, Datum pk)
{
	ReadRequest *req = r->req;
	MemoryContext old;
	int			segment;

	if (r->segcxt == NULL)
		r->segcxt = AllocSetContextCreate(CurrentMemoryContext, "singletable segment",
										  ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(r->segcxt);
	segment = segment_of(pk, req->ks.pk_type, req->total_segments);
	MemoryContextSwitchTo(old);
	MemoryContextReset(r->segcxt);
	return segment == req->segment;
}

static void
reader_open_direct(Reader *r)
{
	ReadRequest *req = r->req;
	StKeySpace *ks = &req->ks;
	int			n = 0;

	for (int i = 0; i < req->nbounds; i++)
	{
		KeyBound   *b = &req->bounds[i];
		StKeyType	type = ks->key_types[b->col - 1];

		ScanKeyEntryInitialize(&r->scankeys[n++], 0, b->col, b->strategy,
							   InvalidOid, st_key_collation(type),
							   key_op_proc(type, b->strategy), b->value);
	}
	if (req->row_first > 0)
	{
		ScanKey		header = &r->scankeys[n++];

		for (int i = 0; i < req->row_ncols; i++)
		{
			int			col = req->row_first + i;
			StKeyType	type = ks->key_types[col - 1];

			ScanKeyEntryInitialize(&r->rowkeys[i], SK_ROW_MEMBER, col, req->row_strategy,
								   InvalidOid, st_key_collation(type),
								   st_key_cmp_proc(type), req->row_values[i]);
		}
		r->rowkeys[req->row_ncols - 1].sk_flags |= SK_ROW_END;
		memset(header, 0, sizeof(ScanKeyData));
		header->sk_flags = SK_ROW_HEADER;
		header->sk_attno = req->row_first;
		header->sk_strategy = req->row_strategy;
		header->sk_argument = PointerGetDatum(r->rowkeys);
	}
	r->nscankeys = n;

	r->heap = table_open(ks->relid, AccessShareLock);
	r->btree = index_open(ks->btree, AccessShareLock);
	r->slot = table_slot_create(r->heap, NULL);
	r->scan = st_index_beginscan(r->heap, r->btree, GetActiveSnapshot(), n, 0);
	/* segments are tested on the index tuple, before the heap is read */
	if (req->segment >= 0)
		r->scan->xs_want_itup = true;
	index_rescan(r->scan, r->scankeys, n, NULL, 0);
}

static bool
reader_next_direct(Reader *r)
{
	ReadRequest *req = r->req;

	for (;;)
	{
		/* entries of other segments and dead tuples are skipped here */
		CHECK_FOR_INTERRUPTS();
		if (!r->scan->xs_heap_continue)
		{
			ItemPointer tid = index_getnext_tid(r->scan, req->dir);

			if (tid == NULL)
				return false;
			if (req->segment >= 0)
			{
				bool		isnull;
				Datum		pk = index_getattr(r->scan->xs_itup, 1, r->scan->xs_itupdesc, &isnull);

				if (isnull || !in_segment(r, pk))
					continue;
			}
		}
		if (index_fetch_heap(r->scan, r->slot))
			break;
	}
	/* the keys only when asked for (reader_keys): most rows need the item alone */
	slot_getsomeattrs(r->slot, ST_ATTNUM_ITEM);
	r->item = r->slot->tts_values[ST_ATTNUM_ITEM - 1];
	r->item_isnull = r->slot->tts_isnull[ST_ATTNUM_ITEM - 1];
	r->keys_valid = false;
	return true;
}

/* The key column values of the current row. */
static const Datum *
reader_keys(Reader *r)
{
	StKeySpace *ks = &r->req->ks;

	if (!r->keys_valid)
	{
		slot_getsomeattrs(r->slot, ks->key_attnums[ks->nkeys - 1]);
		for (int i = 0; i < ks->nkeys; i++)
			r->keys[i] = r->slot->tts_values[ks->key_attnums[i] - 1];
		r->keys_valid = true;
	}
	return r->keys;
}

static void
reader_close_direct(Reader *r)
{
	index_endscan(r->scan);
	ExecDropSingleTupleTableSlot(r->slot);
	index_close(r->btree, NoLock);
	table_close(r->heap, NoLock);
}

static char *
param_sql(StKeySpace *ks, int col, int paramno)
{
	if (ks->key_types[col - 1] == ST_KEY_S)
		return psprintf("$%d COLLATE pg_catalog.\"C\"", paramno);
	return psprintf("$%d", paramno);
}

/*
 * The same read as SQL, through an SPI cursor, so that row-level security
 * applies.  The caller is connected to SPI.
 */
static void
reader_open_spi(Reader *r)
{
	ReadRequest *req = r->req;
	StKeySpace *ks = &req->ks;
	StringInfoData sql;
	Oid			argtypes[ST_MAX_BOUNDS + ST_MAX_KEYSPACE_KEYS];
	Datum		args[ST_MAX_BOUNDS + ST_MAX_KEYSPACE_KEYS];
	int			nargs = 0;
	char	   *cols[ST_MAX_KEYSPACE_KEYS];
	bool		backward = ScanDirectionIsBackward(req->dir);

	for (int i = 0; i < ks->nkeys; i++)
		cols[i] = (char *) quote_identifier(get_attname(ks->relid, ks->key_attnums[i], false));

	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT item");
	for (int i = 0; i < ks->nkeys; i++)
		appendStringInfo(&sql, ", %s", cols[i]);
	appendStringInfo(&sql, " FROM %s WHERE true",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(ks->relid)),
												get_rel_name(ks->relid)));
	for (int i = 0; i < req->nbounds; i++)
	{
		KeyBound   *b = &req->bounds[i];

		argtypes[nargs] = st_key_type_oid(ks->key_types[b->col - 1]);
		args[nargs] = b->value;
		nargs++;
		appendStringInfo(&sql, " AND %s %s %s", cols[b->col - 1],
						 strategy_sql(b->strategy), param_sql(ks, b->col, nargs));
	}
	if (req->row_first > 0)
	{
		appendStringInfoString(&sql, " AND (");
		for (int i = 0; i < req->row_ncols; i++)
			appendStringInfo(&sql, "%s%s", i > 0 ? ", " : "", cols[req->row_first - 1 + i]);
		appendStringInfo(&sql, ") %s (", strategy_sql(req->row_strategy));
		for (int i = 0; i < req->row_ncols; i++)
		{
			int			col = req->row_first + i;

			argtypes[nargs] = st_key_type_oid(ks->key_types[col - 1]);
			args[nargs] = req->row_values[i];
			nargs++;
			appendStringInfo(&sql, "%s%s", i > 0 ? ", " : "", param_sql(ks, col, nargs));
		}
		appendStringInfoChar(&sql, ')');
	}
	appendStringInfoString(&sql, " ORDER BY ");
	for (int i = 0; i < ks->nkeys; i++)
		appendStringInfo(&sql, "%s%s%s", i > 0 ? ", " : "", cols[i], backward ? " DESC" : "");
	/* a read stops after limit rows (segments skip rows after the fetch) */
	if (req->limit > 0 && req->segment < 0)
		appendStringInfo(&sql, " LIMIT " INT64_FORMAT, req->limit);

	r->portal = SPI_cursor_open(NULL, st_sql_plan(sql.data, nargs, argtypes), args, NULL, true);
	if (r->portal == NULL)
		elog(ERROR, "could not open cursor for \"%s\": %s", sql.data, SPI_result_code_string(SPI_result));
	r->spi_pos = 0;
	r->spi_count = 0;
}

static bool
reader_next_spi(Reader *r)
{
	ReadRequest *req = r->req;
	StKeySpace *ks = &req->ks;
	HeapTuple	tuple;
	TupleDesc	tupdesc;

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (r->spi_pos >= r->spi_count)
		{
			if (SPI_tuptable)
				SPI_freetuptable(SPI_tuptable);
			SPI_cursor_fetch(r->portal, true, ST_SPI_FETCH);
			r->spi_pos = 0;
			r->spi_count = SPI_processed;
			if (r->spi_count == 0)
				return false;
		}
		tuple = SPI_tuptable->vals[r->spi_pos++];
		tupdesc = SPI_tuptable->tupdesc;
		for (int i = 0; i < ks->nkeys; i++)
		{
			bool		isnull;

			r->keys[i] = SPI_getbinval(tuple, tupdesc, i + 2, &isnull);
		}
		r->keys_valid = true;
		if (req->segment >= 0 && !in_segment(r, r->keys[0]))
			continue;
		r->item = SPI_getbinval(tuple, tupdesc, 1, &r->item_isnull);
		return true;
	}
}

static void
reader_open(Reader *r, ReadRequest *req, bool use_spi)
{
	memset(r, 0, sizeof(Reader));
	r->req = req;
	r->use_spi = use_spi;
	if (req->empty)
		return;
	if (use_spi)
		reader_open_spi(r);
	else
		reader_open_direct(r);
}

static bool
reader_next(Reader *r)
{
	CHECK_FOR_INTERRUPTS();
	if (r->req->empty)
		return false;
	return r->use_spi ? reader_next_spi(r) : reader_next_direct(r);
}

static void
reader_close(Reader *r)
{
	if (r->segcxt)
		MemoryContextDelete(r->segcxt);
	if (r->req->empty)
		return;
	if (r->use_spi)
		SPI_cursor_close(r->portal);
	else
		reader_close_direct(r);
}

/* ------------------------------------------------------------------------
 * Pages
 * ------------------------------------------------------------------------
 */

/*
 * A page is assembled directly in jsonb's binary format: each item's stored
 * container is copied once into the Items array, instead of being expanded
 * into JsonbValues and serialized again (pushJsonbValue), which would cost
 * more than reading the items.  The layout is jsonb_util.c's: a container is
 * a header word (count and kind), one JEntry per child (every
 * JB_OFFSET_STRIDE'th holding the end offset of its child's data, the others
 * its length), then the children's data; a child container or numeric
 * starts at a 4-byte boundary, and the padding before it counts in its
 * length.  An object's keys come first, sorted by length then bytes.
 */
static void
pad_to_int(StringInfo buf)
{
	int			padlen = INTALIGN(buf->len) - buf->len;

	if (padlen > 0)
		appendBinaryStringInfo(buf, "\0\0\0", padlen);
}

static void
append_uint32(StringInfo buf, uint32 v)
{
	appendBinaryStringInfo(buf, (char *) &v, sizeof(uint32));
}

/* A buffer of size bytes, allocated once (initStringInfo's are 1 KB). */
static void
init_buffer(StringInfo buf, int size)
{
	buf->data = palloc(size);
	buf->maxlen = size;
	buf->len = 0;
	buf->data[0] = '\0';
	buf->cursor = 0;
}

static void
page_init(ItemSink *sink)
{
	/* a page of 20 items of a few hundred bytes fits without regrowing */
	init_buffer(&sink->items, 8192);
	initStringInfo(&sink->entries);
	sink->nitems = 0;
}

/*
 * Append an item (an object) to the page's Items array: its padding and
 * container in one copy.
 */
static void
page_add_item(ItemSink *sink, Jsonb *item)
{
	int			start = sink->items.len;
	int			padlen = INTALIGN(start) - start;
	Size		datalen = VARSIZE(item) - VARHDRSZ;
	uint32		len;
	JEntry		entry;

	if (JB_ROOT_IS_SCALAR(item) || !JB_ROOT_IS_OBJECT(item))
		elog(ERROR, "item is not a JSON object");
	if (start + padlen + datalen > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("total size of jsonb array elements exceeds the maximum of %u bytes",
						JENTRY_OFFLENMASK)));
	/* the data area starts 4-byte aligned, so aligning within it suffices */
	enlargeStringInfo(&sink->items, padlen + datalen);
	memset(sink->items.data + start, 0, padlen);
	memcpy(sink->items.data + start + padlen, &item->root, datalen);
	sink->items.len += padlen + datalen;
	sink->items.data[sink->items.len] = '\0';
	len = sink->items.len - start;
	if (sink->nitems % JB_OFFSET_STRIDE == 0)
		entry = JENTRY_ISCONTAINER | JENTRY_HAS_OFF | sink->items.len;
	else
		entry = JENTRY_ISCONTAINER | len;
	append_uint32(&sink->entries, entry);
	sink->nitems++;
}

/*
 * An upper bound of st_item_page_size(item, any sort key) from the item's
 * jsonb size v alone.  Per attribute that measure counts one byte for the
 * name and at most its value's data plus 3 (a string's length prefix),
 * where the jsonb holds two 4-byte JEntries besides the name and the data
 * (nested values likewise: a JEntry per element against one counted byte);
 * so the attributes' sum and the sort key's size are each at most v, and
 * the measure, 2 + sum + (1 + (1 + sum) / 3072) * (18 + sort key), grows
 * with both.
 */
static Size
item_page_size_bound(Jsonb *item)
{
	uint64		v = VARSIZE(item);

	return (Size) (2 + v + (1 + (1 + v) / 3072) * (18 + v));
}

/*
 * The page sizes (st_item_page_size) of the page's items first.. (the
 * first starting where the page's data area was start bytes long), read
 * back from the page.
 */
static Size
page_items_page_size(ItemSink *sink, int first, int start, const char *sort_key)
{
	const JEntry *entries = (const JEntry *) sink->entries.data;
	uint32		prev_end = start;
	Size		size = 0;

	for (int i = first; i < sink->nitems; i++)
	{
		uint32		offlen = JBE_OFFLENFLD(entries[i]);
		uint32		end = JBE_HAS_OFF(entries[i]) ? offlen : prev_end + offlen;
		uint32		from = INTALIGN(prev_end);
		Jsonb	   *item = palloc(VARHDRSZ + end - from);

		CHECK_FOR_INTERRUPTS();
		SET_VARSIZE(item, VARHDRSZ + end - from);
		memcpy(&item->root, sink->items.data + from, end - from);
		size += st_item_page_size(item, sort_key);
		pfree(item);
		prev_end = end;
	}
	return size;
}

/*
 * The page as jsonb: {"Count": n, "Items": [...], "ScannedCount": n[,
 * "LastEvaluatedKey": {...}]} (in jsonb's key order).
 */
static Jsonb *
page_finish(ItemSink *sink, ReadResult *res)
{
	static const char *const keys[] = {"Count", "Items", "ScannedCount", "LastEvaluatedKey"};
	int			npairs = res->stopped ? 4 : 3;
	JEntry		entries[8];
	StringInfoData buf;
	int			entries_at;
	int			data_at;
	int			start;

	/* one allocation: the rest (keys, counts, headers, paddings) is under 256 bytes */
	init_buffer(&buf, 256 + sink->entries.len + sink->items.len +
				(res->stopped ? VARSIZE(res->last_key) : 0));
	appendStringInfoSpaces(&buf, VARHDRSZ);
	append_uint32(&buf, JB_FOBJECT | npairs);
	entries_at = buf.len;
	appendStringInfoSpaces(&buf, 2 * npairs * sizeof(JEntry));
	data_at = buf.len;

	for (int i = 0; i < npairs; i++)
	{
		int			len = strlen(keys[i]);

		appendBinaryStringInfo(&buf, keys[i], len);
		entries[i] = (i % JB_OFFSET_STRIDE == 0) ?
			(JENTRY_ISSTRING | JENTRY_HAS_OFF | (buf.len - data_at)) : (JENTRY_ISSTRING | len);
	}
	for (int i = 0; i < npairs; i++)
	{
		start = buf.len;
		pad_to_int(&buf);
		if (i == 0 || i == 2)
		{
			Numeric		n = int64_to_numeric(i == 0 ? res->count : res->scanned);

			appendBinaryStringInfo(&buf, (char *) n, VARSIZE(n));
			entries[npairs + i] = JENTRY_ISNUMERIC | (buf.len - start);
		}
		else if (i == 1)
		{
			append_uint32(&buf, JB_FARRAY | sink->nitems);
			appendBinaryStringInfo(&buf, sink->entries.data, sink->entries.len);
			appendBinaryStringInfo(&buf, sink->items.data, sink->items.len);
			entries[npairs + i] = JENTRY_ISCONTAINER | (buf.len - start);
		}
		else
		{
			appendBinaryStringInfo(&buf, (char *) &res->last_key->root,
								   VARSIZE(res->last_key) - VARHDRSZ);
			entries[npairs + i] = JENTRY_ISCONTAINER | (buf.len - start);
		}
		if (buf.len - data_at > JENTRY_OFFLENMASK)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("total size of jsonb object elements exceeds the maximum of %u bytes",
							JENTRY_OFFLENMASK)));
	}
	memcpy(buf.data + entries_at, entries, 2 * npairs * sizeof(JEntry));
	SET_VARSIZE(buf.data, buf.len);
	return (Jsonb *) buf.data;
}

/* The key of the reader's current row as a JSON object. */
static Jsonb *
current_key(Reader *r)
{
	StKeySpace *ks = &r->req->ks;
	const Datum *keys = reader_keys(r);
	JsonbParseState *state = NULL;
	JsonbValue	v;
	JsonbPair	pairs[ST_MAX_KEYSPACE_KEYS];
	int			n = 0;

	/*
	 * Strings and numbers make the object directly; a binary key's value is
	 * a container, which only pushJsonbValue takes.
	 */
	for (; n < ks->nkeys && ks->key_types[n] != ST_KEY_B; n++)
	{
		pairs[n].key.type = jbvString;
		pairs[n].key.val.string.val = (char *) ks->key_attrs[n];
		pairs[n].key.val.string.len = strlen(ks->key_attrs[n]);
		st_key_datum_to_jsonbvalue(keys[n], ks->key_types[n], &pairs[n].value);
		pairs[n].order = n;
	}
	if (n == ks->nkeys)
		return st_object_from_pairs(pairs, n);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < ks->nkeys; i++)
	{
		st_push_key(&state, ks->key_attrs[i]);
		pushJsonbValue(&state, WJB_VALUE, st_key_datum_to_jsonbvalue(keys[i], ks->key_types[i], &v));
	}
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

/*
 * Read items until the reader ends, the limit of items evaluated is
 * reached, or the items read add up to max_bytes; put those that pass the
 * filter, projected, into the sink.  Per-item work happens in a memory
 * context reset per item; the sink's data lives in the caller's context.
 *
 * The page limit counts each item as DynamoDB's does (st_item_page_size),
 * and the item that reaches max_bytes still belongs to the page, so every
 * page makes progress.  When execute() asks (st_measure_page), the page
 * is measured for ConsumedCapacity: st_last_page_bytes adds up DynamoDB's
 * sizes of the items (or index entries) read, st_last_page_fetched_blocks
 * the 4 KB blocks of each item a local index read fetched from the table.
 *
 * When every item read goes to the page as it is (no filter, projection or
 * fetch from the table), items are measured only once the upper bounds of
 * those not yet measured could reach max_bytes, then read back from the
 * page: the page ends at the same item, and a page of small items measures
 * none.
 */
static void
run_read(ReadRequest *req, Reader *r, ItemSink *sink, ReadResult *res)
{
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext itemcxt;
	Size		bytes = 0;
	Size		fetched_blocks = 0;
	Size		page_bytes = 0;
	bool		bound_sizes = req->max_bytes > 0 && sink->tupstore == NULL &&
		req->filter == NULL && req->projection == NULL && !req->fetch_base;
	Size		unmeasured_bound = 0;
	int			unmeasured_first = 0;
	int			unmeasured_start = 0;

	memset(res, 0, sizeof(ReadResult));
	itemcxt = AllocSetContextCreate(outer, "singletable read item", ALLOCSET_DEFAULT_SIZES);
	while (reader_next(r))
	{
		Jsonb	   *item;
		Jsonb	   *out = NULL;

		if (r->item_isnull)
			continue;			/* cannot happen: item is NOT NULL */
		res->scanned++;

		MemoryContextSwitchTo(itemcxt);
		/* NULL: the table's row-level security hides the item */
		item = req->fetch_base ? fetch_base_item(req, reader_keys(r)) : DatumGetJsonbP(r->item);
		if (st_measure_page)
		{
			bytes += st_item_size(req->fetch_base ? DatumGetJsonbP(r->item) : item);
			if (req->fetch_base && item)
				fetched_blocks += (st_item_size(item) + 4095) / 4096;
		}
		if (bound_sizes)
			unmeasured_bound += item_page_size_bound(item);
		else if (req->max_bytes > 0)
			page_bytes += st_item_page_size(item ? item : DatumGetJsonbP(r->item),
											req->ks.table->sk_attr);
		if (item && (req->filter == NULL || st_eval_condition(&req->cx, req->filter, item)))
			out = req->projection ? st_apply_projection(&req->cx, req->projection, item) :
				req->fetch_base && !req->all_attributes ? DatumGetJsonbP(r->item) : item;
		MemoryContextSwitchTo(outer);

		if (out)
		{
			res->count++;
			if (sink->tupstore)
			{
				Datum		value = JsonbPGetDatum(out);
				bool		isnull = false;

				tuplestore_putvalues(sink->tupstore, sink->tupdesc, &value, &isnull);
			}
			else
				page_add_item(sink, out);
		}
		if (bound_sizes && page_bytes + unmeasured_bound >= req->max_bytes)
		{
			page_bytes += page_items_page_size(sink, unmeasured_first, unmeasured_start,
											   req->ks.table->sk_attr);
			unmeasured_bound = 0;
			unmeasured_first = sink->nitems;
			unmeasured_start = sink->items.len;
		}
		MemoryContextReset(itemcxt);

		if ((req->limit > 0 && res->scanned >= req->limit) ||
			(req->max_bytes > 0 && page_bytes >= req->max_bytes))
		{
			res->stopped = true;
			res->last_key = current_key(r);
			break;
		}
	}
	MemoryContextDelete(itemcxt);
	st_last_page_bytes = bytes;
	st_last_page_fetched_blocks = fetched_blocks;
}

/*
 * Open a reader for the request (through SPI when row-level security
 * applies), run it into the sink, close it.
 */
static void
run_reader(ReadRequest *req, ItemSink *sink, ReadResult *res)
{
	MemoryContext outer = CurrentMemoryContext;
	bool		use_spi = !req->empty && read_needs_sql(req);
	Reader		r;

	if (use_spi)
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		MemoryContextSwitchTo(outer);
	}
	reader_open(&r, req, use_spi);
	/* opening an SPI cursor leaves SPI's memory current: results go to ours */
	MemoryContextSwitchTo(outer);
	run_read(req, &r, sink, res);
	reader_close(&r);
	if (use_spi)
	{
		SPI_finish();
		MemoryContextSwitchTo(outer);
	}
}

/*
 * Read one page: {"Items": [...], "Count": n, "ScannedCount": n,
 * "LastEvaluatedKey": {...}}, the last only when the page stopped at the
 * limit or the size limit.
 */
static Jsonb *
read_page(ReadRequest *req)
{
	ItemSink	sink;
	ReadResult	res;

	req->max_bytes = ST_PAGE_MAX_BYTES;
	memset(&sink, 0, sizeof(sink));
	page_init(&sink);
	run_reader(req, &sink, &res);
#ifdef USE_ASSERT_CHECKING
	{
		/* the hand-assembled page must be exactly what jsonb_in would build */
		Jsonb	   *page = page_finish(&sink, &res);
		Datum		txt = DirectFunctionCall1(jsonb_out, JsonbPGetDatum(page));
		Jsonb	   *again = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, txt));

		Assert(VARSIZE(page) == VARSIZE(again) && memcmp(page, again, VARSIZE(page)) == 0);
		return page;
	}
#endif
	return page_finish(&sink, &res);
}

/* ------------------------------------------------------------------------
 * SQL functions
 * ------------------------------------------------------------------------
 */

/*
 * singletable.query(tbl, key_condition, names, values, index, filter,
 *                   projection, limit, forward, start_key) -> jsonb page
 */
static Datum
query(PG_FUNCTION_ARGS)
{
	ReadRequest req;

	parse_query_args(&req, fcinfo);
	PG_RETURN_JSONB_P(read_page(&req));
}

ST_FUNCTION_HIDING_SQL(st_sql_query, query)

/*
 * singletable.query_items(same arguments) -> SETOF jsonb: every page of
 * the query, one row per item returned.  limit caps the items evaluated in
 * all (as the sum of the pages' limits would); no size limit applies.  The
 * rows go to a tuplestore, which spills to disk past work_mem.
 */
static Datum
query_items(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ReadRequest req;
	ItemSink	sink;
	ReadResult	res;

	parse_query_args(&req, fcinfo);
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	memset(&sink, 0, sizeof(sink));
	sink.tupstore = rsinfo->setResult;
	sink.tupdesc = rsinfo->setDesc;

	run_reader(&req, &sink, &res);
	return (Datum) 0;
}

ST_FUNCTION_HIDING_SQL(st_sql_query_items, query_items)

/*
 * singletable.scan(tbl, filter, names, values, projection, limit,
 *                  start_key, segment, total_segments, index) -> jsonb page
 */
static Datum
scan(PG_FUNCTION_ARGS)
{
	ReadRequest req;

	parse_scan_args(&req, fcinfo);
	PG_RETURN_JSONB_P(read_page(&req));
}

ST_FUNCTION_HIDING_SQL(st_sql_scan, scan)

/*
 * A parallel scan's Segment and TotalSegments (has_*: given), checked as
 * DynamoDB does: both or neither, TotalSegments in range, Segment below it.
 */
void
st_check_scan_segments(bool has_segment, int32 segment, bool has_total, int32 total)
{
	if (has_segment && !has_total)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("segment and total_segments must be given together"),
				 errdetail("ValidationException: The TotalSegments parameter is required but was not present in the request when Segment parameter is present.")));
	if (has_total && !has_segment)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("segment and total_segments must be given together"),
				 errdetail("ValidationException: The Segment parameter is required but was not present in the request when parameter TotalSegments is present.")));
	if (!has_total)
		return;
	if (total < 1 || total > ST_MAX_TOTAL_SEGMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("total_segments must be between 1 and %d, not %d", ST_MAX_TOTAL_SEGMENTS, total),
				 errdetail("ValidationException: 1 validation error detected: Value '%d' at 'totalSegments' failed to satisfy constraint: Member must have value between 1 and %d.",
						   total, ST_MAX_TOTAL_SEGMENTS)));
	if (segment < 0 || segment >= total)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("segment must be between 0 and total_segments - 1 (%d), not %d", total - 1, segment),
				 errdetail("ValidationException: The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d.",
						   segment, total)));
}
