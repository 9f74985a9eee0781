/*
 * batch.h
 *	  Many-item operations in DynamoDB's request shape: batch_get and
 *	  batch_write (batch.c), transact_write and transact_get (transact.c),
 *	  and execute(), the DynamoDB wire request/response entry point
 *	  (execute.c), which calls the others.
 *
 *	  Each core function takes the request as DynamoDB shapes it (plain JSON
 *	  items, or typed JSON when "typed" is true, as execute() passes them)
 *	  and returns the response in DynamoDB's shape.  batch.c also holds the
 *	  small helpers for reading request objects that all three files share:
 *	  every malformed request raises ValidationException (22023) naming the
 *	  field, before anything is written.
 */
#ifndef SINGLETABLE_BATCH_H
#define SINGLETABLE_BATCH_H

#include "items.h"
#include "singletable.h"

/* batch.c: the operations */
extern Jsonb *st_batch_get(JsonbContainer *request_items, bool typed);
extern Jsonb *st_batch_write(JsonbContainer *request_items, bool typed);

/* transact.c */
extern Jsonb *st_transact_write(JsonbContainer *items, bool typed);
extern Jsonb *st_transact_get(JsonbContainer *items, bool typed);

/*
 * batch.c: the size of the items a read returns, against a limit in bytes,
 * measured as DynamoDB measures items (st_item_size).  An item's jsonb is
 * never smaller than that measure, so items are measured one by one only
 * once their jsonb sizes together pass the limit.
 */
typedef struct StReadBudget
{
	Size		limit;
	Size		used;			/* jsonb sizes; exact sizes once measured */
	bool		measured;
	List	   *items;			/* the items added while not measured */
} StReadBudget;

extern void st_read_budget_init(StReadBudget *budget, int limit);
extern bool st_read_budget_add(StReadBudget *budget, Jsonb *item);

/* batch.c: request helpers */
extern StTable *st_table_by_name(const char *name);
extern void st_check_fields(JsonbContainer *obj, const char *const *allowed,
							const char *where);
extern bool st_field(JsonbContainer *obj, const char *name, JsonbValue *out);
extern char *st_field_string(JsonbContainer *obj, const char *name,
							 const char *where, bool required);
extern JsonbContainer *st_field_object(JsonbContainer *obj, const char *name,
									   const char *where, bool required);
extern JsonbContainer *st_field_array(JsonbContainer *obj, const char *name,
									  const char *where, bool required);
extern Jsonb *st_field_jsonb(JsonbContainer *obj, const char *name,
							 const char *where, bool required);
extern Jsonb *st_plain_item(Jsonb *item, bool typed);
extern Jsonb *st_out_item(Jsonb *item, bool typed);
extern void st_push_item(JsonbParseState **state, JsonbIteratorToken tok, Jsonb *item);
extern void st_push_key(JsonbParseState **state, const char *key);
extern void st_push_string(JsonbParseState **state, JsonbIteratorToken tok, const char *s);
extern char *st_key_string(StTable *t, Datum *keys);
extern List *st_attributes_to_get(JsonbContainer *obj, const char *where);
#if PG_VERSION_NUM >= 180000
pg_noreturn extern void st_validation_error(const char *where, const char *fmt,...) pg_attribute_printf(2, 3);
#else
extern void st_validation_error(const char *where, const char *fmt,...) pg_attribute_printf(2, 3) pg_attribute_noreturn();
#endif

#endif							/* SINGLETABLE_BATCH_H */
