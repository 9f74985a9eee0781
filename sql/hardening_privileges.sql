-- Hardening: every SQL-callable function of the extension, called by a role
-- that holds no privilege on anything (only USAGE on the schema, so that
-- table names resolve), either refuses or touches nothing; called by a role
-- that lacks one table privilege, it does nothing that plain SQL would
-- refuse that role.
--
-- The functions are listed from pg_proc, so a function added later without
-- a case below fails the coverage check.  Each case runs in a subtransaction
-- that is rolled back afterwards, so a case that wrongly succeeds cannot
-- disturb the next one.  Around each case the test takes the state a call
-- could change: the owner's items one by one, its index table, the
-- extension's catalog tables, the relations and triggers of the schema, the
-- replication slot.  The items, events and snapshots carry a secret that
-- must not show in a result or an error message unless the role may read
-- them.  The same cases run as the table's owner show that the state and
-- the secret do see each case's writes and reads.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE ROLE st_hp_owner;
CREATE ROLE st_hp_nobody;
CREATE ROLE st_hp_no_select;
CREATE ROLE st_hp_no_insert;
CREATE ROLE st_hp_no_update;
CREATE ROLE st_hp_no_delete;
CREATE SCHEMA hp_test;
GRANT USAGE ON SCHEMA hp_test TO st_hp_owner, st_hp_nobody, st_hp_no_select, st_hp_no_insert,
	st_hp_no_update, st_hp_no_delete;
GRANT CREATE ON SCHEMA hp_test TO st_hp_owner;

-- The owner's data: a table with items, a GSI, an event stream with a
-- snapshot and events by type, and pending changes in a slot.
SELECT 'init' FROM pg_create_logical_replication_slot('st_hp_slot', 'singletable');
SET ROLE st_hp_owner;
SELECT singletable.create_table('hp_test.app');
SELECT singletable.create_index('hp_test.app', 'GSI1', 'GSI1PK', 'GSI1SK');
SELECT singletable.put_item('hp_test.app', '{"PK": "USER#1", "SK": "PROFILE", "GSI1PK": "STATUS#open",
	"GSI1SK": "1", "secret": "s3cr3t-1"}');
SELECT singletable.put_item('hp_test.app', '{"PK": "USER#2", "SK": "PROFILE", "GSI1PK": "STATUS#open",
	"GSI1SK": "2", "secret": "s3cr3t-2", "n": 1}');
SELECT singletable.events_by_type('hp_test.app');
SELECT singletable.append_events('hp_test.app', 'STREAM#1',
	'[{"eventType": "Opened", "eventData": {"secret": "s3cr3t-event"}}]', 0);
SELECT singletable.save_snapshot('hp_test.app', 'STREAM#1', 1, '{"secret": "s3cr3t-snapshot"}');
CREATE FUNCTION hp_test.handler(record jsonb) RETURNS void LANGUAGE plpgsql AS $$BEGIN END$$;
GRANT INSERT, UPDATE, DELETE ON hp_test.app TO st_hp_no_select;
GRANT SELECT, UPDATE, DELETE ON hp_test.app TO st_hp_no_insert;
GRANT SELECT, INSERT, DELETE ON hp_test.app TO st_hp_no_update;
GRANT SELECT, INSERT, UPDATE ON hp_test.app TO st_hp_no_delete;
RESET ROLE;

-- The state a call may change: the owner's items (key -> item), and a
-- fingerprint of the index table and of everything else a call must not
-- change (the extension's catalog tables, the relations of the schema, the
-- triggers of the table, the replication slot).  A table gone is a change.
CREATE FUNCTION hp_test.state() RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
	RETURN jsonb_build_object(
		'items', (SELECT jsonb_object_agg(pk || ' ' || sk, item) FROM hp_test.app),
		'index', (SELECT md5(string_agg(i::text, ',' ORDER BY i::text)) FROM hp_test."app__GSI1" i),
		'rest', md5(concat_ws('|',
			(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM singletable.tables t),
			(SELECT string_agg(i::text, ',' ORDER BY i::text) FROM singletable.indexes i),
			(SELECT string_agg(e::text, ',' ORDER BY e::text) FROM singletable.event_type_indexes e),
			(SELECT string_agg(s::text, ',' ORDER BY s::text) FROM singletable.stream_checkpoints s),
			(SELECT string_agg(concat(c.relname, c.relkind, c.relowner::regrole), ',' ORDER BY c.relname)
			   FROM pg_class c WHERE c.relnamespace = 'hp_test'::regnamespace),
			(SELECT string_agg(concat(t.tgname, t.tgenabled), ',' ORDER BY t.tgname)
			   FROM pg_trigger t WHERE t.tgrelid = 'hp_test.app'::regclass),
			(SELECT string_agg(concat(s.slot_name, s.confirmed_flush_lsn), ',' ORDER BY s.slot_name)
			   FROM pg_replication_slots s))));
EXCEPTION WHEN undefined_table THEN
	RETURN jsonb_build_object('gone', SQLERRM);
END
$$;
-- the owner writes once more, so the slot has records pending; time to
-- live is on, and one item has expired
SET ROLE st_hp_owner;
SELECT singletable.put_item('hp_test.app', '{"PK": "USER#3", "SK": "PROFILE", "secret": "s3cr3t-3"}');
SELECT singletable.update_time_to_live('hp_test.app', 'expires');
SELECT singletable.put_item('hp_test.app', jsonb_build_object('PK', 'USER#4', 'SK', 'PROFILE',
	'secret', 's3cr3t-4', 'expires', extract(epoch FROM now())::bigint - 60));
RESET ROLE;
SELECT jsonb_typeof(s -> 'items') AS items, s ->> 'index' ~ '^[0-9a-f]{32}$' AS index, s ->> 'rest' ~ '^[0-9a-f]{32}$' AS rest
  FROM hp_test.state() s;

-- One or more cases per function (fn), plus writes to the catalog tables
-- (fn NULL).  A case is a query, or any other statement.  pure: the
-- function takes no table, so whether it runs or is refused does not matter
-- (the expression helpers may be PUBLIC or not).
CREATE TABLE hp_test.cases (ord serial, fn name, label text NOT NULL, query text NOT NULL,
	pure boolean NOT NULL DEFAULT false);
INSERT INTO hp_test.cases (fn, label, query, pure) VALUES
-- keys and typed JSON: values in, values out
('item_check', '', $q$SELECT singletable.item_check('{"PK": "a"}')$q$, true),
('key_s', '', $q$SELECT singletable.key_s('{"PK": "a"}', 'PK', true)$q$, true),
('key_n', '', $q$SELECT singletable.key_n('{"PK": 1}', 'PK', true)$q$, true),
('key_b', '', $q$SELECT singletable.key_b('{"PK": "AQ=="}', 'PK', true)$q$, true),
('to_dynamodb_json', '', $q$SELECT singletable.to_dynamodb_json('{"a": 1}')$q$, true),
('from_dynamodb_json', '', $q$SELECT singletable.from_dynamodb_json('{"a": {"N": "1"}}')$q$, true),
('to_dynamodb_value', '', $q$SELECT singletable.to_dynamodb_value('1')$q$, true),
('from_dynamodb_value', '', $q$SELECT singletable.from_dynamodb_value('{"N": "1"}')$q$, true),
('to_dynamodb_json_text', '', $q$SELECT singletable.to_dynamodb_json_text('{"a": 1}')$q$, true),
('matches', '', $q$SELECT singletable.matches('{"a": 1}', 'a = :v', "values" => '{":v": 1}')$q$, true),
('apply_update', '', $q$SELECT singletable.apply_update('{"a": 1}', 'SET a = :v', "values" => '{":v": 2}')$q$, true),
('project', '', $q$SELECT singletable.project('{"a": 1, "b": 2}', 'a')$q$, true),
('key_condition', '', $q$SELECT singletable.key_condition('PK = :p', "values" => '{":p": "a"}')$q$, true),
-- tables
('create_table', '', $q$SELECT singletable.create_table('hp_test.mine')$q$, false),
('create_table', 'temporary', $q$SELECT singletable.create_table('pg_temp.mine')$q$, false),
('drop_table', '', $q$SELECT singletable.drop_table('hp_test.app')$q$, false),
('distribute_table', '', $q$SELECT singletable.distribute_table('hp_test.app')$q$, false),
('sync_workers', '', $q$SELECT singletable.sync_workers()$q$, false),
('rebuild_indexes', '', $q$SELECT singletable.rebuild_indexes('hp_test.app')$q$, false),
('describe_table', '', $q$SELECT singletable.describe_table('hp_test.app')$q$, false),
('list_tables', '', $q$SELECT * FROM singletable.list_tables()$q$, false),
('table_named', '', $q$SELECT singletable.table_named('hp_test.app')$q$, false),
('forget_dropped_tables', 'direct call', $q$SELECT singletable.forget_dropped_tables()$q$, false),
-- indexes
('create_index', '', $q$SELECT singletable.create_index('hp_test.app', 'GSI2', 'n')$q$, false),
('drop_index', '', $q$SELECT singletable.drop_index('hp_test.app', 'GSI1')$q$, false),
('create_index', 'online', $q$SELECT singletable.create_index('hp_test.app', 'GSI2', 'n', online => true)$q$, false),
('resume_index_builds', '', $q$SELECT singletable.resume_index_builds()$q$, false),
('index_maintain', 'direct call', $q$SELECT singletable.index_maintain()$q$, false),
('index_truncate', 'direct call', $q$SELECT singletable.index_truncate()$q$, false),
('index_catalog_changed', 'direct call', $q$SELECT singletable.index_catalog_changed()$q$, false),
('index_tables_follow', 'direct call', $q$SELECT singletable.index_tables_follow()$q$, false),
('index_tables_follow', 'rename base table', $q$ALTER TABLE hp_test.app RENAME TO app_renamed$q$, false),
-- items
('put_item', '', $q$SELECT singletable.put_item('hp_test.app', '{"PK": "USER#1", "SK": "PROFILE"}')$q$, false),
('put_item', 'condition', $q$SELECT singletable.put_item('hp_test.app', '{"PK": "USER#1", "SK": "PROFILE"}',
	'attribute_exists(PK)')$q$, false),
('put_item', 'ALL_OLD', $q$SELECT singletable.put_item('hp_test.app', '{"PK": "USER#1", "SK": "PROFILE"}',
	return_values => 'ALL_OLD')$q$, false),
('put_item', 'new item, condition, ALL_OLD', $q$SELECT singletable.put_item('hp_test.app', '{"PK": "USER#9", "SK": "PROFILE"}',
	'attribute_not_exists(PK)', return_values => 'ALL_OLD')$q$, false),
('get_item', '', $q$SELECT singletable.get_item('hp_test.app', '{"PK": "USER#1", "SK": "PROFILE"}')$q$, false),
('get_item', 'projection', $q$SELECT singletable.get_item('hp_test.app', '{"PK": "USER#1", "SK": "PROFILE"}', 'PK')$q$, false),
('update_item', '', $q$SELECT singletable.update_item('hp_test.app', '{"PK": "USER#1", "SK": "PROFILE"}',
	'SET n = :n', "values" => '{":n": 5}')$q$, false),
('update_item', 'condition, ALL_NEW', $q$SELECT singletable.update_item('hp_test.app', '{"PK": "USER#2", "SK": "PROFILE"}',
	'SET n = n + :n', 'attribute_exists(PK)', "values" => '{":n": 1}', return_values => 'ALL_NEW')$q$, false),
('update_item', 'new item', $q$SELECT singletable.update_item('hp_test.app', '{"PK": "USER#9", "SK": "PROFILE"}',
	'SET n = :n', "values" => '{":n": 5}')$q$, false),
('delete_item', '', $q$SELECT singletable.delete_item('hp_test.app', '{"PK": "USER#1", "SK": "PROFILE"}')$q$, false),
('delete_item', 'condition', $q$SELECT singletable.delete_item('hp_test.app', '{"PK": "USER#2", "SK": "PROFILE"}',
	'attribute_exists(PK)')$q$, false),
('delete_item', 'ALL_OLD', $q$SELECT singletable.delete_item('hp_test.app', '{"PK": "USER#2", "SK": "PROFILE"}',
	return_values => 'ALL_OLD')$q$, false),
-- queries and scans
('query', '', $q$SELECT singletable.query('hp_test.app', 'PK = :p', "values" => '{":p": "USER#1"}')$q$, false),
('query', 'index', $q$SELECT singletable.query('hp_test.app', 'GSI1PK = :g', "values" => '{":g": "STATUS#open"}',
	index => 'GSI1')$q$, false),
('query', 'projection PK', $q$SELECT singletable.query('hp_test.app', 'PK = :p', "values" => '{":p": "USER#1"}',
	projection => 'PK')$q$, false),
('query_items', '', $q$SELECT * FROM singletable.query_items('hp_test.app', 'PK = :p', "values" => '{":p": "USER#1"}')$q$, false),
('query_items', 'index', $q$SELECT * FROM singletable.query_items('hp_test.app', 'GSI1PK = :g',
	"values" => '{":g": "STATUS#open"}', index => 'GSI1')$q$, false),
('scan', '', $q$SELECT singletable.scan('hp_test.app')$q$, false),
('scan', 'index', $q$SELECT singletable.scan('hp_test.app', index => 'GSI1')$q$, false),
('scan', 'segment', $q$SELECT singletable.scan('hp_test.app', segment => 0, total_segments => 2)$q$, false),
('scan', 'filter', $q$SELECT singletable.scan('hp_test.app', 'begins_with(secret, :s)', "values" => '{":s": "s3"}')$q$, false),
-- batches and transactions
('batch_get', '', $q$SELECT singletable.batch_get('{"hp_test.app": {"Keys": [{"PK": "USER#1", "SK": "PROFILE"}]}}')$q$, false),
('batch_write', 'put', $q$SELECT singletable.batch_write('{"hp_test.app": [{"PutRequest": {"Item": {"PK": "USER#9", "SK": "P"}}}]}')$q$, false),
('batch_write', 'delete', $q$SELECT singletable.batch_write('{"hp_test.app": [{"DeleteRequest": {"Key": {"PK": "USER#1", "SK": "PROFILE"}}}]}')$q$, false),
('transact_get', '', $q$SELECT singletable.transact_get('[{"Get": {"TableName": "hp_test.app",
	"Key": {"PK": "USER#1", "SK": "PROFILE"}}}]')$q$, false),
('transact_write', 'Put', $q$SELECT singletable.transact_write('[{"Put": {"TableName": "hp_test.app",
	"Item": {"PK": "USER#9", "SK": "P"}}}]')$q$, false),
('transact_write', 'Put, condition', $q$SELECT singletable.transact_write('[{"Put": {"TableName": "hp_test.app",
	"Item": {"PK": "USER#1", "SK": "PROFILE"}, "ConditionExpression": "attribute_exists(PK)"}}]')$q$, false),
('transact_write', 'Update', $q$SELECT singletable.transact_write('[{"Update": {"TableName": "hp_test.app",
	"Key": {"PK": "USER#1", "SK": "PROFILE"}, "UpdateExpression": "SET n = :n", "ExpressionAttributeValues": {":n": 7}}}]')$q$, false),
('transact_write', 'Delete', $q$SELECT singletable.transact_write('[{"Delete": {"TableName": "hp_test.app",
	"Key": {"PK": "USER#1", "SK": "PROFILE"}}}]')$q$, false),
('transact_write', 'ConditionCheck', $q$SELECT singletable.transact_write('[{"ConditionCheck": {"TableName": "hp_test.app",
	"Key": {"PK": "USER#1", "SK": "PROFILE"}, "ConditionExpression": "secret = :s",
	"ExpressionAttributeValues": {":s": "x"}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]')$q$, false),
-- the event store
('append_events', '', $q$SELECT singletable.append_events('hp_test.app', 'STREAM#1', '[{"eventType": "Closed"}]', 1)$q$, false),
('append_events', 'new stream', $q$SELECT singletable.append_events('hp_test.app', 'STREAM#9', '[{"eventType": "Opened"}]')$q$, false),
('read_stream', '', $q$SELECT * FROM singletable.read_stream('hp_test.app', 'STREAM#1')$q$, false),
('stream_version', '', $q$SELECT singletable.stream_version('hp_test.app', 'STREAM#1')$q$, false),
('save_snapshot', '', $q$SELECT singletable.save_snapshot('hp_test.app', 'STREAM#1', 1, '{"state": 2}')$q$, false),
('load_stream', '', $q$SELECT singletable.load_stream('hp_test.app', 'STREAM#1')$q$, false),
('events_by_type', 'enable', $q$SELECT singletable.events_by_type('hp_test.app', partition_key => 'TypePK')$q$, false),
('events_by_type', 'disable', $q$SELECT singletable.events_by_type('hp_test.app', false)$q$, false),
-- the change stream
('apply_changes', '', $q$SELECT singletable.apply_changes('st_hp_slot', 'hp_test.handler(jsonb)')$q$, false),
-- time to live
('update_time_to_live', '', $q$SELECT singletable.update_time_to_live('hp_test.app', 'expires', false)$q$, false),
('describe_time_to_live', '', $q$SELECT singletable.describe_time_to_live('hp_test.app')$q$, false),
('is_expired', '', $q$SELECT singletable.is_expired('{"ttl": 1}', 'ttl')$q$, true),
('expire_items', '', $q$SELECT singletable.expire_items('hp_test.app')$q$, false),
('wal_commit_time', '', $q$SELECT singletable.wal_commit_time(pg_current_wal_lsn(), '0/0') IS NULL$q$, true),
-- the DynamoDB wire shape, every operation
('execute', 'GetItem', $q$SELECT singletable.execute('GetItem', '{"TableName": "hp_test.app",
	"Key": {"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}}')$q$, false),
('execute', 'PutItem', $q$SELECT singletable.execute('PutItem', '{"TableName": "hp_test.app",
	"Item": {"PK": {"S": "USER#9"}, "SK": {"S": "P"}}}')$q$, false),
('execute', 'DeleteItem', $q$SELECT singletable.execute('DeleteItem', '{"TableName": "hp_test.app",
	"Key": {"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}, "ReturnValues": "ALL_OLD"}')$q$, false),
('execute', 'UpdateItem', $q$SELECT singletable.execute('UpdateItem', '{"TableName": "hp_test.app",
	"Key": {"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}, "UpdateExpression": "SET n = :n",
	"ExpressionAttributeValues": {":n": {"N": "1"}}, "ReturnValues": "ALL_NEW"}')$q$, false),
('execute', 'Query', $q$SELECT singletable.execute('Query', '{"TableName": "hp_test.app",
	"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": {"S": "USER#1"}}}')$q$, false),
('execute', 'Query index', $q$SELECT singletable.execute('Query', '{"TableName": "hp_test.app", "IndexName": "GSI1",
	"KeyConditionExpression": "GSI1PK = :g", "ExpressionAttributeValues": {":g": {"S": "STATUS#open"}}}')$q$, false),
('execute', 'Scan', $q$SELECT singletable.execute('Scan', '{"TableName": "hp_test.app"}')$q$, false),
('execute', 'BatchGetItem', $q$SELECT singletable.execute('BatchGetItem', '{"RequestItems": {"hp_test.app":
	{"Keys": [{"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}]}}}')$q$, false),
('execute', 'BatchWriteItem', $q$SELECT singletable.execute('BatchWriteItem', '{"RequestItems": {"hp_test.app":
	[{"DeleteRequest": {"Key": {"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}}}]}}')$q$, false),
('execute', 'TransactWriteItems', $q$SELECT singletable.execute('TransactWriteItems', '{"TransactItems": [{"Put":
	{"TableName": "hp_test.app", "Item": {"PK": {"S": "USER#9"}, "SK": {"S": "P"}}}}]}')$q$, false),
('execute', 'TransactGetItems', $q$SELECT singletable.execute('TransactGetItems', '{"TransactItems": [{"Get":
	{"TableName": "hp_test.app", "Key": {"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}}}]}')$q$, false),
('execute', 'CreateTable', $q$SELECT singletable.execute('CreateTable', '{"TableName": "hp_test.mine",
	"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
	"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}')$q$, false),
('execute', 'DeleteTable', $q$SELECT singletable.execute('DeleteTable', '{"TableName": "hp_test.app"}')$q$, false),
('execute', 'DescribeTable', $q$SELECT singletable.execute('DescribeTable', '{"TableName": "hp_test.app"}')$q$, false),
('execute', 'ListTables', $q$SELECT singletable.execute('ListTables', '{}')$q$, false),
('execute', 'UpdateTable create', $q$SELECT singletable.execute('UpdateTable', '{"TableName": "hp_test.app",
	"AttributeDefinitions": [{"AttributeName": "n", "AttributeType": "N"}],
	"GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "GSI2",
		"KeySchema": [{"AttributeName": "n", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]}')$q$, false),
('execute', 'UpdateTable delete', $q$SELECT singletable.execute('UpdateTable', '{"TableName": "hp_test.app",
	"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "GSI1"}}]}')$q$, false),
('execute', 'UpdateTimeToLive', $q$SELECT singletable.execute('UpdateTimeToLive', '{"TableName": "hp_test.app",
	"TimeToLiveSpecification": {"Enabled": false, "AttributeName": "expires"}}')$q$, false),
('execute', 'DescribeTimeToLive', $q$SELECT singletable.execute('DescribeTimeToLive', '{"TableName": "hp_test.app"}')$q$, false),
-- forged catalog rows, and re-pointing or removing the owner's
(NULL, 'INSERT singletable.tables', $q$INSERT INTO singletable.tables (relid, partition_key, partition_key_type)
	VALUES ('hp_test.app', 'X', 'S')$q$, false),
(NULL, 'UPDATE singletable.tables', $q$UPDATE singletable.tables SET partition_key = 'X'$q$, false),
(NULL, 'DELETE singletable.tables', $q$DELETE FROM singletable.tables$q$, false),
(NULL, 'INSERT singletable.indexes', $q$INSERT INTO singletable.indexes (relid, index_name, index_relid,
	partition_key, partition_key_type) VALUES ('hp_test.app', 'GSI9', 'hp_test.cases', 'n', 'S')$q$, false),
(NULL, 'UPDATE singletable.indexes', $q$UPDATE singletable.indexes SET index_relid = 'hp_test.cases'$q$, false),
(NULL, 'DELETE singletable.indexes', $q$DELETE FROM singletable.indexes$q$, false),
(NULL, 'INSERT singletable.event_type_indexes', $q$INSERT INTO singletable.event_type_indexes
	VALUES ('hp_test.app', 'X', 'Y')$q$, false),
(NULL, 'UPDATE singletable.event_type_indexes', $q$UPDATE singletable.event_type_indexes SET partition_key = 'X'$q$, false),
(NULL, 'DELETE singletable.event_type_indexes', $q$DELETE FROM singletable.event_type_indexes$q$, false),
(NULL, 'INSERT singletable.stream_checkpoints', $q$INSERT INTO singletable.stream_checkpoints
	VALUES ('st_hp_slot', '99999999999999999999', 'FFFFFFFF/0')$q$, false),
(NULL, 'UPDATE singletable.stream_checkpoints', $q$UPDATE singletable.stream_checkpoints SET lsn = 'FFFFFFFF/0'$q$, false),
-- the views of index builds and of the stream, and what they leave out
(NULL, 'SELECT singletable.index_progress', $q$SELECT count(*) FROM singletable.index_progress$q$, false),
(NULL, 'SELECT index_builds.resume_after', $q$SELECT resume_after FROM singletable.index_builds$q$, false),
(NULL, 'SELECT singletable.streams', $q$SELECT slot_name, confirmed_commit_time IS NULL FROM singletable.streams$q$, false),
-- a role with no schema of its own can still make temporary tables: one
-- shaped like a singletable table cannot be registered either, and the
-- index triggers on it find no index to write
(NULL, 'register a temporary table', $q$DO $d$BEGIN
	CREATE TEMP TABLE forged (item jsonb, pk text COLLATE "C", sk text COLLATE "C", PRIMARY KEY (pk, sk));
	INSERT INTO singletable.tables (relid, partition_key, partition_key_type, sort_key, sort_key_type)
		VALUES ('pg_temp.forged', 'PK', 'S', 'SK', 'S');
END$d$$q$, false),
(NULL, 'index triggers on an own table', $q$DO $d$BEGIN
	CREATE TEMP TABLE forged (item jsonb, pk text COLLATE "C", sk text COLLATE "C", PRIMARY KEY (pk, sk));
	CREATE TRIGGER m AFTER INSERT OR UPDATE OR DELETE ON forged FOR EACH ROW
		EXECUTE FUNCTION singletable.index_maintain();
	CREATE TRIGGER t AFTER TRUNCATE ON forged FOR EACH STATEMENT EXECUTE FUNCTION singletable.index_truncate();
	INSERT INTO forged VALUES ('{"PK": "USER#1", "SK": "PROFILE"}', 'USER#1', 'PROFILE');
	DELETE FROM forged;
	TRUNCATE forged;
END$d$$q$, false);

-- Every function of the schema has a case, every case names a function of
-- the schema, and a name with overloads has a case per overload at least.
SELECT p.proname AS function_without_case FROM pg_proc p
 WHERE p.pronamespace = 'singletable'::regnamespace
EXCEPT SELECT fn FROM hp_test.cases;
SELECT fn AS case_without_function FROM hp_test.cases WHERE fn IS NOT NULL
EXCEPT SELECT proname FROM pg_proc WHERE pronamespace = 'singletable'::regnamespace;
SELECT p.proname, count(*) AS overloads FROM pg_proc p
 WHERE p.pronamespace = 'singletable'::regnamespace
 GROUP BY p.proname HAVING count(*) > (SELECT count(*) FROM hp_test.cases c WHERE c.fn = p.proname);

-- Run every case as a role.  The outcome of a case is
--   refused      it failed with 42501 insufficient_privilege
--   error XXXXX  it failed with another SQLSTATE
--   ok           it returned, changed nothing and showed no secret
-- or what it did, of
--   inserted, updated, deleted   items of the owner's table
--   altered      anything else: the catalog, the relations of the schema,
--                the slot, or the index table without an item changed
--   read         a secret showed in its result or error message
-- A function that takes no table touches nothing, whether it runs, is
-- refused or fails (the expression helpers may be PUBLIC or not).
CREATE FUNCTION hp_test.run_cases(who name) RETURNS TABLE (ord int, outcome text)
LANGUAGE plpgsql AS $$
DECLARE
	c record;
	b jsonb;
	a jsonb;
	result text;
	code text;
	msg text;
	detail text;
	hint text;
	n bigint;
	did text[];
BEGIN
	FOR c IN SELECT * FROM hp_test.cases ORDER BY 1 LOOP
		b := hp_test.state();
		result := NULL;
		code := NULL;
		msg := NULL;
		BEGIN
			EXECUTE format('SET ROLE %I', who);
			BEGIN
				IF c.query ~* '^select' THEN
					EXECUTE format('SELECT string_agg(r::text, '','') FROM (%s) r', c.query) INTO result;
				ELSE
					EXECUTE c.query;
					GET DIAGNOSTICS n = ROW_COUNT;
					result := n || ' rows';
				END IF;
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
					detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
				msg := concat_ws(' ', msg, detail, hint);
			END;
			RESET ROLE;
			a := hp_test.state();
			-- roll the case back, whatever it did
			RAISE EXCEPTION USING ERRCODE = 'HP000';
		EXCEPTION WHEN SQLSTATE 'HP000' THEN
			NULL;
		END;
		did := ARRAY[]::text[];
		IF EXISTS (SELECT FROM jsonb_object_keys(a -> 'items') k WHERE NOT (b -> 'items') ? k) THEN
			did := did || 'inserted'::text;
		END IF;
		IF EXISTS (SELECT FROM jsonb_each(a -> 'items') e WHERE b -> 'items' -> e.key <> e.value) THEN
			did := did || 'updated'::text;
		END IF;
		IF EXISTS (SELECT FROM jsonb_object_keys(b -> 'items') k WHERE NOT (a -> 'items') ? k) THEN
			did := did || 'deleted'::text;
		END IF;
		IF a ? 'gone' OR a -> 'rest' <> b -> 'rest' OR
		   (a -> 'index' <> b -> 'index' AND a -> 'items' = b -> 'items') THEN
			did := did || 'altered'::text;
		END IF;
		IF concat(result, msg) LIKE '%s3cr3t%' THEN
			did := did || 'read'::text;
		END IF;
		ord := c.ord;
		outcome := CASE
			WHEN did <> '{}' THEN array_to_string(did, ', ')
			WHEN c.pure AND coalesce(code, '') !~ '^XX' THEN 'touches nothing'
			WHEN code = '42501' THEN 'refused'
			WHEN code IS NOT NULL THEN 'error ' || code
			ELSE 'ok' END;
		RETURN NEXT;
	END LOOP;
END
$$;

-- The roles: one with no privileges at all, one per table privilege that
-- has every other, and the owner, whose outcomes show what each case does
-- when it is allowed to.
CREATE TABLE hp_test.roles (rank int, who name, heading text);
INSERT INTO hp_test.roles VALUES (1, 'st_hp_nobody', 'nobody'), (2, 'st_hp_no_select', '-SELECT'),
	(3, 'st_hp_no_insert', '-INSERT'), (4, 'st_hp_no_update', '-UPDATE'), (5, 'st_hp_no_delete', '-DELETE'),
	(6, 'st_hp_owner', 'owner');
CREATE TABLE hp_test.outcomes AS
SELECT r.who, o.* FROM hp_test.roles r, hp_test.run_cases(r.who) o;

SELECT coalesce(c.fn, '(statement)') AS function, c.label AS "case",
	   max(o.outcome) FILTER (WHERE r.rank = 1) AS nobody,
	   max(o.outcome) FILTER (WHERE r.rank = 2) AS "-SELECT",
	   max(o.outcome) FILTER (WHERE r.rank = 3) AS "-INSERT",
	   max(o.outcome) FILTER (WHERE r.rank = 4) AS "-UPDATE",
	   max(o.outcome) FILTER (WHERE r.rank = 5) AS "-DELETE",
	   max(o.outcome) FILTER (WHERE r.rank = 6) AS owner
  FROM hp_test.cases c JOIN hp_test.outcomes o USING (ord) JOIN hp_test.roles r USING (who)
 GROUP BY c.ord, c.fn, c.label ORDER BY c.ord;

-- What must never happen, whatever the case: an internal error; a role that
-- does not own the table altering anything; a role reading or writing items
-- without SELECT (every call names its items by key, as a WHERE clause
-- would), or writing them without the privilege plain SQL would need.
SELECT o.who, coalesce(c.fn, '(statement)') AS function, c.label AS "case", o.outcome AS violation
  FROM hp_test.cases c JOIN hp_test.outcomes o USING (ord)
 WHERE o.outcome LIKE 'error XX%'
	OR (o.outcome LIKE '%altered%' AND NOT pg_has_role(o.who, 'st_hp_owner', 'USAGE'))
	OR (o.outcome ~ 'read|inserted|updated|deleted' AND NOT has_table_privilege(o.who, 'hp_test.app', 'SELECT'))
	OR (o.outcome LIKE '%inserted%' AND NOT has_table_privilege(o.who, 'hp_test.app', 'INSERT'))
	OR (o.outcome LIKE '%updated%' AND NOT has_table_privilege(o.who, 'hp_test.app', 'UPDATE'))
	OR (o.outcome LIKE '%deleted%' AND NOT has_table_privilege(o.who, 'hp_test.app', 'DELETE'))
 ORDER BY o.who, c.ord;

-- The owner's data is as it was.
SELECT count(*) AS items FROM hp_test.app;
SELECT count(*) AS index_items FROM hp_test."app__GSI1";

-- Clean up.
SELECT pg_drop_replication_slot('st_hp_slot');
DROP SCHEMA hp_test CASCADE;
DROP ROLE st_hp_owner, st_hp_nobody, st_hp_no_select, st_hp_no_insert, st_hp_no_update, st_hp_no_delete;
