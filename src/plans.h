/*
 * plans.h
 *	  Kept SPI plans per table (plans.c), prepared once per table and
 *	  statement and kept until the table's definition changes.
 */
#ifndef SINGLETABLE_PLANS_H
#define SINGLETABLE_PLANS_H

#include "executor/spi.h"

struct StTable;					/* catalog.h */

/*
 * A component names its statements by its builder function and a kind
 * number; st_item_plan() serves the item statements every writer shares.
 */
#define ST_PLAN_MAX_ARGS 8
typedef char *(*StPlanBuilder) (struct StTable *table, int kind, Oid *argtypes, int *nargs);

typedef enum StItemStatement
{
	ST_STMT_UPSERT,				/* INSERT (item) .. ON CONFLICT DO UPDATE; $1 item */
	ST_STMT_UPSERT_MANY,		/* the same over unnest($1 jsonb[]) */
	ST_STMT_INSERT_IF_ABSENT,	/* INSERT .. ON CONFLICT DO NOTHING; $1 item */
	ST_STMT_LOCK,				/* SELECT item .. FOR UPDATE; $1[, $2] key */
	ST_STMT_UPDATE,				/* UPDATE .. SET item = $n; key, then item */
	ST_STMT_DELETE,				/* DELETE .. RETURNING item; key */
	ST_STMT_DELETE_QUIET,		/* DELETE without RETURNING; key */
	ST_STMT_SELECT				/* SELECT item; key */
} StItemStatement;

extern SPIPlanPtr st_table_plan(struct StTable *table, StPlanBuilder build, int kind);
extern SPIPlanPtr st_item_plan(struct StTable *table, StItemStatement stmt);
extern SPIPlanPtr st_sql_plan(const char *sql, int nargs, Oid *argtypes);

#endif							/* SINGLETABLE_PLANS_H */
