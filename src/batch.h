/*
 * batch.h
 *	  Many-item operations in DynamoDB's request shape: batch_get and
 *	  batch_write (batch.c), transact_write and transact_get (transact.c),
 *	  and execute(), the DynamoDB wire request/response entry point
 *	  (execute.c), which calls the others.
 *
 *	  Each core function takes the request as DynamoDB shapes it (plain JSON
 *	  items, or typed JSON when "typed" is true, as execute() passes them)
 *	  and returns the response in DynamoDB's shape.  Requests are read with
 *	  the helpers of request.h.
 */
#ifndef SINGLETABLE_BATCH_H
#define SINGLETABLE_BATCH_H

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* batch.c: the operations */
extern Jsonb *st_batch_get(JsonbContainer *request_items, bool typed);
extern Jsonb *st_batch_write(JsonbContainer *request_items, bool typed);

/* transact.c */
extern Jsonb *st_transact_write(JsonbContainer *items, bool typed);
extern Jsonb *st_transact_write_idempotent(Jsonb *items, const char *token, bool typed);
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

#endif							/* SINGLETABLE_BATCH_H */
