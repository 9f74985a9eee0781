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
/* IdempotentParameterMismatchException / TransactionConflictException */
#define ST_ERRCODE_TRANSACTION_CONFLICT		MAKE_SQLSTATE('S','T','0','0','5')

#endif							/* SINGLETABLE_ERRORS_H */
