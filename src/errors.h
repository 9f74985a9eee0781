/*
 * errors.h
 *	  The SQLSTATEs singletable raises, defined once.  Each names the DynamoDB
 *	  exception it mirrors; README.md lists the same table for users.
 *
 *	  Standard codes are used where one fits:
 *	    22023 invalid_parameter_value   ValidationException (bad item, key, argument)
 *	    42601 syntax_error              ValidationException (malformed expression;
 *	                                    the message gives the position)
 *	    54000 program_limit_exceeded    ValidationException (key or item too large,
 *	                                    batch or transaction over its limit)
 *	    22003 numeric_value_out_of_range ValidationException (number DynamoDB
 *	                                    cannot store: > 38 digits or out of range)
 *	    42P01 undefined_table           ResourceNotFoundException
 *	    42704 undefined_object          ValidationException (unknown index)
 *	    42P07 duplicate_table           ResourceInUseException
 *	    42710 duplicate_object          ValidationException (duplicate index name)
 *	    55000 object_not_in_prerequisite_state  ValidationException (an index
 *	                                    table altered by hand no longer fits)
 *	    XX001 data_corrupted            InternalServerError (an event store
 *	                                    VERSION or SNAPSHOT# item edited by hand)
 *	  Codes of our own, in class ST, for what SQL has no code for:
 */
#ifndef SINGLETABLE_ERRORS_H
#define SINGLETABLE_ERRORS_H

/* ConditionalCheckFailedException: a condition expression was false */
#define ST_ERRCODE_CONDITIONAL_CHECK_FAILED	MAKE_SQLSTATE('S','T','0','0','1')
/* TransactionCanceledException: transact_write cancelled, reasons in DETAIL */
#define ST_ERRCODE_TRANSACTION_CANCELED		MAKE_SQLSTATE('S','T','0','0','2')
/* event store: expected_version did not match the stream's version */
#define ST_ERRCODE_VERSION_CONFLICT			MAKE_SQLSTATE('S','T','0','0','3')
/* event store: eventIds already stored at other positions */
#define ST_ERRCODE_DUPLICATE_EVENT			MAKE_SQLSTATE('S','T','0','0','4')
/* TransactionConflictException: a write kept losing races */
#define ST_ERRCODE_TRANSACTION_CONFLICT		MAKE_SQLSTATE('S','T','0','0','5')
/* IdempotentParameterMismatchException: a ClientRequestToken reused for another request */
#define ST_ERRCODE_IDEMPOTENT_MISMATCH		MAKE_SQLSTATE('S','T','0','0','6')

/* errors.c: call a SQL-callable function, keeping its own SQL out of its errors */
#include "fmgr.h"
extern Datum st_call_hiding_sql(PGFunction fn, FunctionCallInfo fcinfo);

/* Define the SQL-callable function sqlname as fn run by st_call_hiding_sql. */
#define ST_FUNCTION_HIDING_SQL(sqlname, fn) \
	PG_FUNCTION_INFO_V1(sqlname); \
	Datum \
	sqlname(PG_FUNCTION_ARGS) \
	{ \
		return st_call_hiding_sql(fn, fcinfo); \
	}

#endif							/* SINGLETABLE_ERRORS_H */
