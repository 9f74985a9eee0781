/*
 * items.h
 *	  Single-item reads and writes (items.c), shared with the batch and
 *	  transaction operations and the event store, which write items the
 *	  same way.
 */
#ifndef SINGLETABLE_ITEMS_H
#define SINGLETABLE_ITEMS_H

#include "access/genam.h"
#include "executor/tuptable.h"
#include "utils/relcache.h"

#include "catalog.h"
#include "expr.h"

typedef enum StReturnValues
{
	ST_RETURN_NONE = 0,
	ST_RETURN_ALL_OLD,
	ST_RETURN_UPDATED_OLD,
	ST_RETURN_ALL_NEW,
	ST_RETURN_UPDATED_NEW
} StReturnValues;

/* which return values an operation allows (bit i = StReturnValues i) */
#define ST_RV_PUT_DELETE	((1 << ST_RETURN_NONE) | (1 << ST_RETURN_ALL_OLD))
#define ST_RV_ALL			0x1f

typedef enum StWriteKind
{
	ST_WRITE_PUT,
	ST_WRITE_UPDATE,
	ST_WRITE_DELETE
} StWriteKind;

/*
 * One single-item write, as st_write_item() applies it.  For a PUT the
 * caller has checked the item with st_validate_item(): the direct write
 * path (items_direct.c) relies on it instead of the table's CHECK
 * constraint.
 */
typedef struct StWriteRequest
{
	StWriteKind kind;
	StTable    *table;
	Jsonb	   *item;			/* PUT: the new item */
	Jsonb	   *key;			/* UPDATE/DELETE: the key object */
	Datum		keys[2];		/* key column Datums; PUT: (Datum) 0 when the
								 * caller left them to the write */
	List	   *key_attrs;		/* UPDATE: the table's key attribute names */
	StExprContext *cx;
	StExpr	   *condition;		/* or NULL */
	StExpr	   *update;			/* UPDATE: or NULL */
	StReturnValues return_values;
	bool		old_on_failure; /* a failed condition reports the old item,
								 * typed (execute()'s
								 * ReturnValuesOnConditionCheckFailure) */
} StWriteRequest;

extern Jsonb *st_write_item(StWriteRequest *req);
extern Jsonb *st_fetch_item(StTable *t, Datum *keys);

/*
 * Reads of many items by key from one table (batch_get): the privilege
 * check, the relations and the index scan are set up at the first read and
 * serve every read until st_item_reader_end.  See items.c.
 */
typedef struct StItemReader
{
	StTable    *table;
	bool		started;		/* the first read has checked and opened */
	bool		direct;			/* reads use the scan below, not SPI */
	Relation	heap;
	Relation	index;
	TupleTableSlot *slot;
	IndexScanDesc scan;			/* one key's lookup per read, or ... */
	struct StKeyCursor *cursor; /* ... for many keys, runs of them at once */
	bool		many;
} StItemReader;

extern void st_item_reader_init(StItemReader *r, StTable *t, bool many);
extern Jsonb *st_item_reader_fetch(StItemReader *r, Datum *keys);
extern void st_item_reader_end(StItemReader *r);
extern void st_parse_key_arg(StTable *t, Jsonb *key, Datum *keys);
extern Jsonb *st_spi_first_jsonb(MemoryContext outer);
extern List *st_key_attr_list(StTable *t);
extern StReturnValues st_parse_return_values(text *arg, const char *operation, int allowed);
extern void st_condition_failed(Jsonb *old_item);

/* items_direct.c */
extern bool st_put_items_direct(StTable *t, int n, Jsonb *const *items, const Datum *keys);
extern bool st_insert_items_direct(StTable *t, Jsonb **items, int nitems);
typedef enum StDirectUpdate
{
	ST_DIRECT_NOT_APPLIED,		/* the caller runs its UPDATE statement */
	ST_DIRECT_UNCHANGED,		/* no such item, or the function refused */
	ST_DIRECT_UPDATED
} StDirectUpdate;
/* the new item for the old one, or NULL to leave it */
typedef Jsonb *(*StItemUpdateFn) (Jsonb *old_item, void *arg);
extern StDirectUpdate st_update_item_direct(StTable *t, Datum *keys,
											StItemUpdateFn fn, void *arg);

#endif							/* SINGLETABLE_ITEMS_H */
