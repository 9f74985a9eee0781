-- A NULL where an argument is required: the functions that are not
-- STRICT report SQLSTATE 22004 (null_value_not_allowed), the code
-- PostgreSQL itself uses; STRICT functions return NULL without running.
-- Each line is: the call, then the SQLSTATE it raised (or its result).
SET client_min_messages = warning;
CREATE SCHEMA null_arguments;
SET search_path = null_arguments, public;
SELECT singletable.create_table('null_arguments.t') IS NOT NULL AS created;

CREATE FUNCTION outcome(call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	EXECUTE 'SELECT (' || call || ')::text' INTO r;
	RETURN rpad(call, 72) || ' -> ' || coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
	RETURN rpad(call, 72) || ' -> ' || SQLSTATE;
END
$$;

SELECT outcome(c) FROM (VALUES
	-- tables
	($$singletable.create_table(NULL)$$),
	($$singletable.create_table('null_arguments.u', NULL)$$),
	($$singletable.drop_table(NULL)$$),
	($$singletable.describe_table(NULL)$$),
	-- indexes
	($$singletable.create_index(NULL, 'gsi1', 'GPK')$$),
	($$singletable.create_index('null_arguments.t', NULL, 'GPK')$$),
	($$singletable.create_index('null_arguments.t', 'gsi1', NULL)$$),
	($$singletable.drop_index(NULL, 'gsi1')$$),
	($$singletable.drop_index('null_arguments.t', NULL)$$),
	-- items
	($$singletable.put_item(NULL, '{"PK": "a", "SK": "b"}')$$),
	($$singletable.put_item('null_arguments.t', NULL)$$),
	($$singletable.get_item(NULL, '{"PK": "a", "SK": "b"}')$$),
	($$singletable.get_item('null_arguments.t', NULL)$$),
	($$singletable.delete_item(NULL, '{"PK": "a", "SK": "b"}')$$),
	($$singletable.delete_item('null_arguments.t', NULL)$$),
	($$singletable.update_item(NULL, '{"PK": "a", "SK": "b"}')$$),
	($$singletable.update_item('null_arguments.t', NULL)$$),
	-- queries and scans
	($$singletable.query(NULL, 'PK = :p', "values" => '{":p": "a"}')$$),
	($$singletable.query('null_arguments.t', NULL)$$),
	($$(SELECT count(*) FROM singletable.query_items(NULL, 'PK = :p', "values" => '{":p": "a"}'))$$),
	($$(SELECT count(*) FROM singletable.query_items('null_arguments.t', NULL))$$),
	($$singletable.scan(NULL)$$),
	-- expressions: a NULL expression gives NULL, a NULL item is "no item"
	($$singletable.matches('{}', NULL)$$),
	($$singletable.matches(NULL, 'attribute_exists(a)')$$),
	($$singletable.apply_update('{}', NULL)$$),
	($$singletable.apply_update(NULL, 'SET a = :v', "values" => '{":v": 1}')$$),
	($$singletable.project('{}', NULL)$$),
	($$singletable.project(NULL, 'a')$$),
	($$singletable.key_condition(NULL)$$),
	-- batches and transactions
	($$singletable.batch_get(NULL)$$),
	($$singletable.batch_write(NULL)$$),
	($$singletable.transact_write(NULL)$$),
	($$singletable.transact_get(NULL)$$),
	-- the event store
	($$singletable.append_events(NULL, 's', '[{"eventType": "x"}]')$$),
	($$singletable.append_events('null_arguments.t', NULL, '[{"eventType": "x"}]')$$),
	($$singletable.append_events('null_arguments.t', 's', NULL)$$),
	($$(SELECT count(*) FROM singletable.read_stream(NULL, 's'))$$),
	($$(SELECT count(*) FROM singletable.read_stream('null_arguments.t', NULL))$$),
	($$singletable.stream_version(NULL, 's')$$),
	($$singletable.stream_version('null_arguments.t', NULL)$$),
	($$singletable.save_snapshot(NULL, 's', 1, '{}')$$),
	($$singletable.save_snapshot('null_arguments.t', NULL, 1, '{}')$$),
	($$singletable.save_snapshot('null_arguments.t', 's', NULL, '{}')$$),
	($$singletable.save_snapshot('null_arguments.t', 's', 1, NULL)$$),
	($$singletable.load_stream(NULL, 's')$$),
	($$singletable.load_stream('null_arguments.t', NULL)$$),
	($$singletable.events_by_type(NULL)$$),
	-- streams
	($$singletable.apply_changes(NULL, 'pg_catalog.now()')$$),
	($$singletable.apply_changes('s', NULL)$$),
	-- time to live
	($$singletable.update_time_to_live(NULL, 'ttl')$$),
	($$singletable.update_time_to_live('null_arguments.t', NULL)$$),
	($$singletable.update_time_to_live('null_arguments.t', 'ttl', NULL)$$),
	($$singletable.expire_items(NULL)$$),
	-- the DynamoDB wire shape: a NULL operation or request is refused as
	-- any other bad request, ValidationException 22023
	($$singletable.execute(NULL, '{}')$$),
	($$singletable.execute('ListTables', NULL)$$),
	-- STRICT functions: NULL in, NULL out
	($$singletable.item_check(NULL)$$),
	($$singletable.key_s(NULL, 'PK', true)$$),
	($$singletable.to_dynamodb_json(NULL)$$),
	($$singletable.from_dynamodb_json(NULL)$$),
	($$singletable.to_dynamodb_value(NULL)$$),
	($$singletable.from_dynamodb_value(NULL)$$),
	($$singletable.to_dynamodb_json_text(NULL)$$),
	($$singletable.describe_time_to_live(NULL)$$),
	($$singletable.is_expired(NULL, 'ttl')$$),
	($$singletable.wal_commit_time(NULL, NULL)$$)
) AS calls(c);

DROP SCHEMA null_arguments CASCADE;
