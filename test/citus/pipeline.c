/*
 * pipeline.c
 *	  A test client for test/citus/04_sole_put.pl: runs SQL statements over
 *	  the extended query protocol, as a driver does, and prints each one's
 *	  outcome ("ok" or the error's SQLSTATE and message) on stdout; notices
 *	  go to stderr.
 *
 *	  pipeline CONNINFO prepared SQL...   each statement prepared, then run
 *	                                      by PQexecPrepared (Bind, Describe,
 *	                                      Execute and Sync in one write, as
 *	                                      pgbench -M prepared does)
 *	  pipeline CONNINFO pipeline SQL...   every statement sent in libpq's
 *	                                      pipeline mode before one Sync
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpq-fe.h"

static void
print_result(PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		printf("ok\n");
	else if (st == PGRES_PIPELINE_ABORTED)
		printf("aborted\n");
	else
		printf("error %s %s", PQresultErrorField(res, PG_DIAG_SQLSTATE), PQresultErrorMessage(res));
}

int
main(int argc, char **argv)
{
	PGconn	   *conn;
	PGresult   *res;

	if (argc < 4)
	{
		fprintf(stderr, "usage: %s CONNINFO prepared|pipeline SQL...\n", argv[0]);
		return 2;
	}
	conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		fprintf(stderr, "%s", PQerrorMessage(conn));
		return 1;
	}
	if (strcmp(argv[2], "prepared") == 0)
	{
		for (int i = 3; i < argc; i++)
		{
			res = PQprepare(conn, "", argv[i], 0, NULL);
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
			{
				print_result(res);
				PQclear(res);
				continue;
			}
			PQclear(res);
			res = PQexecPrepared(conn, "", 0, NULL, NULL, NULL, 0);
			print_result(res);
			PQclear(res);
		}
	}
	else if (strcmp(argv[2], "pipeline") == 0)
	{
		int			pending = argc - 3;

		if (!PQenterPipelineMode(conn))
			return 1;
		for (int i = 3; i < argc; i++)
			if (!PQsendQueryParams(conn, argv[i], 0, NULL, NULL, NULL, NULL, 0))
				return 1;
		if (!PQpipelineSync(conn))
			return 1;
		/* each statement's result, then NULL; then the Sync's */
		while (pending > 0)
		{
			res = PQgetResult(conn);
			if (res == NULL)
			{
				pending--;
				continue;
			}
			print_result(res);
			PQclear(res);
		}
		while ((res = PQgetResult(conn)) != NULL && PQresultStatus(res) != PGRES_PIPELINE_SYNC)
			PQclear(res);
		PQclear(res);
		PQexitPipelineMode(conn);
	}
	else
		return 2;
	PQfinish(conn);
	return 0;
}
