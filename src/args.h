/*
 * args.h
 *	  Reading the arguments of the SQL-callable functions (args.c): optional
 *	  arguments as NULL pointers (the table argument: st_table_arg,
 *	  declared in catalog.h with the catalog).
 *	  A required argument that is NULL raises 22004 null_value_not_allowed.
 */
#ifndef SINGLETABLE_ARGS_H
#define SINGLETABLE_ARGS_H

#include "fmgr.h"
#include "utils/jsonb.h"

extern Jsonb *st_jsonb_arg(FunctionCallInfo fcinfo, int n);
extern char *st_text_arg(FunctionCallInfo fcinfo, int n);

#endif							/* SINGLETABLE_ARGS_H */
