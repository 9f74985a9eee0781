/*
 * execute_errors.h
 *	  execute(..., raise_errors => false): DynamoDB's error body instead of a
 *	  raised error (execute_errors.c), and the hand-over by which the code
 *	  that raises an error passes on the body fields only it knows (a failed
 *	  condition's old item, a cancelled transaction's CancellationReasons).
 */
#ifndef SINGLETABLE_EXECUTE_ERRORS_H
#define SINGLETABLE_EXECUTE_ERRORS_H

#include "utils/jsonb.h"

/* One request of execute(): returns the response body, or raises. */
typedef Jsonb *(*StRequestRunner) (void *arg);

extern Jsonb *st_execute_catching(StRequestRunner run, void *arg);
extern Jsonb *st_unknown_operation_body(void);

/*
 * Called just before raising the error with this SQLSTATE and DETAIL:
 * message is DynamoDB's, fields (a jsonb object, or NULL) go into the body
 * beside __type and message.  A no-op unless execute(raise_errors => false)
 * is running.
 */
extern void st_error_fields_attach(int sqlerrcode, const char *detail,
								   const char *message, Jsonb *fields);

#endif							/* SINGLETABLE_EXECUTE_ERRORS_H */
