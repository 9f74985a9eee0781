-- singletable upgrade script from 0.1 to 0.2.
-- Each change to src/sql/*.sql since 0.1 that an existing installation needs
-- is repeated here; test/t/90_upgrade.pl checks that an upgraded database
-- has the same extension objects as a fresh 0.2 installation.

\echo Use "ALTER EXTENSION singletable UPDATE TO '0.2'" to load this file. \quit

-- execute() gains raise_errors (src/sql/80_batch.sql).
DROP FUNCTION singletable.execute(text, jsonb);
-- raise_errors => false returns DynamoDB's error body for DynamoDB-level
-- errors, the request's effects rolled back (README: execute).
CREATE FUNCTION singletable.execute(operation text, request jsonb,
                                    raise_errors boolean DEFAULT true) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'st_sql_execute'
	LANGUAGE C VOLATILE;
