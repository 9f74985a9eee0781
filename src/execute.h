/*
 * execute.h
 *	  What the three files of execute() share.  execute.c (the entry point,
 *	  the operations table, the item, query, batch and transaction
 *	  operations) calls down into execute_constraints.c (DynamoDB's
 *	  request constraints), execute_legacy.c (the legacy parameters
 *	  rewritten into expressions) and execute_table.c (the table
 *	  operations); none calls back into execute.c.
 */
#ifndef SINGLETABLE_EXECUTE_H
#define SINGLETABLE_EXECUTE_H

#include "nodes/pg_list.h"
#include "utils/jsonb.h"

#include "singletable.h"

/*
 * execute_legacy.c: the placeholders (#lgN, :lgN) that the rewritten legacy
 * parameters of one request refer to, collected while rewriting.
 */
typedef struct StLegacy
{
	int			n;				/* placeholders made so far */
	JsonbParseState *names;		/* {"#lgN": "attr"} being built */
	JsonbParseState *values;	/* {":lgN": typed value} being built */
	bool		used;

	/*
	 * KeyConditions' attributes under an operator DynamoDB has but not on
	 * keys (NE, IN ...), rewritten as equalities: query() refuses them once
	 * it reaches them in the key schema (st_key_not_indexable)
	 */
	List	   *not_indexable;
} StLegacy;

extern void st_legacy_init(StLegacy *lg);
extern char *st_legacy_conditions(StLegacy *lg, JsonbContainer *conds,
								  const char *field, const char *op,
								  bool key_only);
extern const char *st_legacy_conditional_operator(JsonbContainer *r, bool conditions);
extern JsonbContainer *st_legacy_object(JsonbContainer *r, const char *name);
extern char *st_legacy_projection(StLegacy *lg, List *attrs);
extern char *st_legacy_attribute_updates(StLegacy *lg, JsonbContainer *updates);
extern void st_legacy_check_no_mix(JsonbContainer *r);
extern void st_legacy_placeholders(JsonbContainer *r, StLegacy *lg,
								   Jsonb **names, Jsonb **values);

/* execute_capacity.c: ReturnConsumedCapacity, counted with DynamoDB's rules */
typedef enum StCapacityMode
{
	ST_CAPACITY_NONE,
	ST_CAPACITY_TOTAL,
	ST_CAPACITY_INDEXES
} StCapacityMode;

typedef struct StCapacity
{
	StCapacityMode mode;
	List	   *entries;		/* one per table, in order of first use */
} StCapacity;

extern void st_capacity_init(StCapacity *c, JsonbContainer *r);
extern void st_capacity_read(StCapacity *c, Oid relid, const char *index,
							 Size bytes, bool consistent, double factor);
extern void st_capacity_write(StCapacity *c, Oid relid, Jsonb *old_item,
							  Jsonb *new_item, double factor);
extern Jsonb *st_capacity_response(StCapacity *c, Jsonb *response, bool as_list);

/* execute_constraints.c: DynamoDB's constraint list, per operation */
extern void st_request_constraints(const char *operation, JsonbContainer *r);

/* execute_table.c: the table operations */
extern Jsonb *st_op_create_table(JsonbContainer *r);
extern Jsonb *st_op_delete_table(JsonbContainer *r);
extern Jsonb *st_op_describe_table(JsonbContainer *r);
extern Jsonb *st_op_list_tables(JsonbContainer *r);
extern Jsonb *st_op_update_table(JsonbContainer *r);

#endif							/* SINGLETABLE_EXECUTE_H */
