-- Security: the functions run with the caller's rights, honour table
-- privileges and row-level security (tenant isolation by key prefix, on base
-- tables and their index tables), and a caller's search_path cannot hijack
-- the statements they run, whether a plan is prepared under it or before it.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE SCHEMA security_test;
SET search_path = security_test;
CREATE ROLE st_sec_owner;
CREATE ROLE st_sec_tenant_a;
CREATE ROLE st_sec_tenant_b;
CREATE ROLE st_sec_reader;
CREATE ROLE st_sec_nobody;
CREATE ROLE st_sec_replicator REPLICATION;
GRANT USAGE ON SCHEMA security_test TO st_sec_owner, st_sec_tenant_a, st_sec_tenant_b,
	st_sec_reader, st_sec_nobody, st_sec_replicator;
GRANT CREATE ON SCHEMA security_test TO st_sec_owner;

--
-- 1. search_path.  Schema "evil" shadows every operator, type and function
-- the extension's statements use, each raising "hijacked" when called.
--
CREATE SCHEMA evil;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
DO $$
DECLARE
	t text;
	op text;
BEGIN
	FOREACH t IN ARRAY ARRAY['text', 'numeric', 'bytea', 'name', 'oid', 'int8', 'pg_lsn', 'jsonb'] LOOP
		EXECUTE format('CREATE FUNCTION evil.cmp(a pg_catalog.%1$s, b pg_catalog.%1$s) RETURNS boolean '
					   'LANGUAGE plpgsql AS $f$BEGIN RAISE EXCEPTION ''hijacked: evil operator on %1$s''; END$f$', t);
		FOREACH op IN ARRAY ARRAY['=', '<>', '<', '<=', '>', '>='] LOOP
			EXECUTE format('CREATE OPERATOR evil.%s (LEFTARG = pg_catalog.%s, RIGHTARG = pg_catalog.%2$s, FUNCTION = evil.cmp)', op, t);
		END LOOP;
	END LOOP;
END
$$;
CREATE FUNCTION evil.plus(a pg_catalog.int8, b pg_catalog.int8) RETURNS pg_catalog.int8
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: evil +'; END$$;
CREATE OPERATOR evil.+ (LEFTARG = pg_catalog.int8, RIGHTARG = pg_catalog.int8, FUNCTION = evil.plus);
CREATE FUNCTION evil.concat(a pg_catalog.jsonb, b pg_catalog.jsonb) RETURNS pg_catalog.jsonb
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: evil ||'; END$$;
CREATE OPERATOR evil.|| (LEFTARG = pg_catalog.jsonb, RIGHTARG = pg_catalog.jsonb, FUNCTION = evil.concat);
CREATE FUNCTION evil.field(a pg_catalog.jsonb, b pg_catalog.text) RETURNS pg_catalog.jsonb
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: evil ->'; END$$;
CREATE OPERATOR evil.-> (LEFTARG = pg_catalog.jsonb, RIGHTARG = pg_catalog.text, FUNCTION = evil.field);
CREATE FUNCTION evil.field_text(a pg_catalog.jsonb, b pg_catalog.text) RETURNS pg_catalog.text
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: evil ->>'; END$$;
CREATE OPERATOR evil.->> (LEFTARG = pg_catalog.jsonb, RIGHTARG = pg_catalog.text, FUNCTION = evil.field_text);
CREATE FUNCTION evil.item_check(item pg_catalog.jsonb) RETURNS boolean
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: evil.item_check'; END$$;
CREATE FUNCTION evil.key_s(item pg_catalog.jsonb, attr pg_catalog.text, p boolean) RETURNS pg_catalog.text
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: evil.key_s'; END$$;
CREATE FUNCTION evil.unnest(a anyarray) RETURNS SETOF anyelement
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: evil.unnest'; END$$;
CREATE FUNCTION evil.now() RETURNS timestamptz
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: evil.now'; END$$;
CREATE FUNCTION evil.jsonb_build_object(a pg_catalog.text, b pg_catalog.int8) RETURNS pg_catalog.jsonb
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hijacked: evil.jsonb_build_object'; END$$;
CREATE TYPE evil.jsonb AS (hijacked int);
CREATE TYPE evil.text AS (hijacked int);
CREATE TYPE evil.int8 AS (hijacked int);
CREATE TYPE evil.regclass AS (hijacked int);
CREATE TYPE evil.pg_lsn AS (hijacked int);
CREATE COLLATION evil."C" (locale = 'C');

-- The trap works: unqualified SQL under this search_path is hijacked.
SET search_path = evil, pg_catalog, security_test;
SELECT 'a'::pg_catalog.text = 'a';
SELECT '{"a": 1}'::pg_catalog.jsonb ->> 'a';
SELECT '{}'::jsonb;
RESET search_path;
SET search_path = security_test;

-- Table "kept" is used once under a plain search_path, so its statements
-- are prepared and kept, then under the evil one (a kept plan is parsed
-- again when the search_path changes); table "fresh" only under the evil
-- one.  Every call must behave as usual.
SET ROLE st_sec_owner;
SELECT singletable.create_table('kept');
SELECT singletable.create_index('kept', 'GSI1', 'GSI1PK', 'GSI1SK');
SELECT singletable.put_item('kept', '{"PK": "a", "SK": "1", "GSI1PK": "g", "GSI1SK": "1", "n": 1}');
SELECT singletable.put_item('kept', '{"PK": "a", "SK": "2", "n": 2}', 'attribute_not_exists(PK)', return_values => 'ALL_OLD');
SELECT singletable.update_item('kept', '{"PK": "a", "SK": "2"}', 'SET n = n + :one', 'n = :two',
	"values" => '{":one": 1, ":two": 2}', return_values => 'ALL_NEW');
SELECT singletable.delete_item('kept', '{"PK": "a", "SK": "2"}', 'attribute_exists(PK)', return_values => 'ALL_OLD');
SELECT singletable.get_item('kept', '{"PK": "a", "SK": "1"}');
SELECT singletable.query('kept', 'PK = :p AND SK >= :s', "values" => '{":p": "a", ":s": "0"}', "limit" => 1);
SELECT singletable.query('kept', 'GSI1PK = :g', "values" => '{":g": "g"}', index => 'GSI1');
SELECT singletable.scan('kept', 'n = :n', "values" => '{":n": 1}');
SELECT singletable.batch_write('{"security_test.kept": [{"PutRequest": {"Item": {"PK": "b", "SK": "1"}}},
	{"DeleteRequest": {"Key": {"PK": "b", "SK": "2"}}}]}');
SELECT singletable.batch_get('{"security_test.kept": {"Keys": [{"PK": "a", "SK": "1"}]}}');
SELECT singletable.transact_write('[{"Put": {"TableName": "security_test.kept", "Item": {"PK": "c", "SK": "1"},
	"ConditionExpression": "attribute_not_exists(PK)"}}]');
SELECT singletable.transact_get('[{"Get": {"TableName": "security_test.kept", "Key": {"PK": "c", "SK": "1"}}}]');
SELECT singletable.append_events('kept', 'S#1', '[{"eventType": "Opened"}]', 0);
SELECT singletable.save_snapshot('kept', 'S#1', 1, '{"open": true}');
SELECT singletable.stream_version('kept', 'S#1');
SELECT count(*) FROM singletable.read_stream('kept', 'S#1');
SELECT singletable.execute('GetItem', '{"TableName": "security_test.kept", "Key": {"PK": {"S": "a"}, "SK": {"S": "1"}}}');

SET search_path = evil, pg_catalog, security_test;
SELECT singletable.put_item('kept', '{"PK": "a", "SK": "1", "GSI1PK": "g", "GSI1SK": "1", "n": 1}');
SELECT singletable.put_item('kept', '{"PK": "a", "SK": "2", "n": 2}', 'attribute_not_exists(PK)', return_values => 'ALL_OLD');
SELECT singletable.update_item('kept', '{"PK": "a", "SK": "2"}', 'SET n = n + :one', 'n = :two',
	"values" => '{":one": 1, ":two": 2}', return_values => 'ALL_NEW');
SELECT singletable.delete_item('kept', '{"PK": "a", "SK": "2"}', 'attribute_exists(PK)', return_values => 'ALL_OLD');
SELECT singletable.get_item('kept', '{"PK": "a", "SK": "1"}');
SELECT singletable.query('kept', 'PK = :p AND SK >= :s', "values" => '{":p": "a", ":s": "0"}', "limit" => 1);
SELECT singletable.query('kept', 'GSI1PK = :g', "values" => '{":g": "g"}', index => 'GSI1');
SELECT singletable.scan('kept', 'n = :n', "values" => '{":n": 1}');
SELECT singletable.batch_write('{"security_test.kept": [{"PutRequest": {"Item": {"PK": "b", "SK": "1"}}},
	{"DeleteRequest": {"Key": {"PK": "b", "SK": "2"}}}]}');
SELECT singletable.batch_get('{"security_test.kept": {"Keys": [{"PK": "a", "SK": "1"}]}}');
SELECT singletable.transact_write('[{"Delete": {"TableName": "security_test.kept", "Key": {"PK": "c", "SK": "1"},
	"ConditionExpression": "attribute_exists(PK)"}}]');
SELECT singletable.transact_get('[{"Get": {"TableName": "security_test.kept", "Key": {"PK": "a", "SK": "1"}}}]');
SELECT singletable.append_events('kept', 'S#1', '[{"eventType": "Deposited"}]', 1);
SELECT singletable.save_snapshot('kept', 'S#1', 2, '{"open": true}');
SELECT singletable.stream_version('kept', 'S#1');
SELECT count(*) FROM singletable.read_stream('kept', 'S#1');
SELECT singletable.load_stream('kept', 'S#1') OPERATOR(pg_catalog.->) 'version';
SELECT singletable.execute('GetItem', '{"TableName": "security_test.kept", "Key": {"PK": {"S": "a"}, "SK": {"S": "1"}}}');

SELECT singletable.create_table('security_test.fresh');
SELECT singletable.create_index('security_test.fresh', 'GSI1', 'GSI1PK');
SELECT singletable.put_item('security_test.fresh', '{"PK": "a", "SK": "1", "GSI1PK": "g"}');
SELECT singletable.put_item('security_test.fresh', '{"PK": "a", "SK": "2"}', 'attribute_not_exists(PK)');
SELECT singletable.update_item('security_test.fresh', '{"PK": "a", "SK": "2"}', 'SET n = :one', "values" => '{":one": 1}', return_values => 'ALL_NEW');
SELECT singletable.delete_item('security_test.fresh', '{"PK": "a", "SK": "2"}', return_values => 'ALL_OLD');
SELECT singletable.get_item('security_test.fresh', '{"PK": "a", "SK": "1"}');
SELECT singletable.query('security_test.fresh', 'PK = :p', "values" => '{":p": "a"}');
SELECT singletable.query('security_test.fresh', 'GSI1PK = :g', "values" => '{":g": "g"}', index => 'GSI1');
SELECT singletable.scan('security_test.fresh');
SELECT singletable.batch_write('{"security_test.fresh": [{"PutRequest": {"Item": {"PK": "b", "SK": "1"}}}]}');
SELECT singletable.batch_get('{"security_test.fresh": {"Keys": [{"PK": "b", "SK": "1"}]}}');
SELECT singletable.transact_write('[{"Update": {"TableName": "security_test.fresh", "Key": {"PK": "b", "SK": "1"},
	"UpdateExpression": "SET m = :m", "ConditionExpression": "attribute_exists(PK)",
	"ExpressionAttributeValues": {":m": 1}}}]');
SELECT singletable.transact_get('[{"Get": {"TableName": "security_test.fresh", "Key": {"PK": "b", "SK": "1"}}}]');
SELECT singletable.append_events('security_test.fresh', 'S#1', '[{"eventType": "Opened"}, {"eventType": "Closed"}]', 0);
SELECT singletable.execute('PutItem', '{"TableName": "security_test.fresh", "Item": {"PK": {"S": "x"}, "SK": {"S": "1"}}}');
SELECT singletable.execute('Query', '{"TableName": "security_test.fresh", "KeyConditionExpression": "PK = :p",
	"ExpressionAttributeValues": {":p": {"S": "x"}}}');
SELECT singletable.execute('Scan', '{"TableName": "security_test.fresh", "FilterExpression": "PK = :x",
	"ExpressionAttributeValues": {":x": {"S": "x"}}}');
SELECT singletable.execute('ListTables', '{"ExclusiveStartTableName": "fresh"}');
SELECT singletable.execute('CreateTable', '{"TableName": "security_test.wire",
	"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
	"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}') OPERATOR(pg_catalog.->) 'TableDescription' OPERATOR(pg_catalog.->) 'TableName';
SELECT singletable.execute('DeleteTable', '{"TableName": "security_test.wire"}') OPERATOR(pg_catalog.->) 'TableDescription' OPERATOR(pg_catalog.->) 'TableName';
SELECT singletable.drop_index('security_test.fresh', 'GSI1');
SELECT singletable.describe_table('security_test.fresh') OPERATOR(pg_catalog.->) 'KeySchema';
RESET search_path;
SET search_path = security_test;

-- What the evil search_path created is built from pg_catalog's types and
-- the extension's functions only.
SELECT a.attname, a.atttypid::regtype, a.attcollation::regcollation, pg_get_expr(d.adbin, d.adrelid) AS generated
  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid = 'security_test.fresh'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'security_test.fresh'::regclass AND contype = 'c';
SELECT item - '{eventId,timestamp}'::text[] FROM security_test.fresh ORDER BY pk, sk;
SELECT singletable.drop_table('security_test.fresh');
RESET ROLE;

-- apply_changes reads its slot with schema-qualified SQL too, and says
-- clearly who may call it.
CREATE TABLE feed_seen (record jsonb);
GRANT INSERT ON feed_seen TO st_sec_replicator;
CREATE FUNCTION feed_handler(r jsonb) RETURNS void LANGUAGE sql
	SET search_path = pg_catalog AS $$ INSERT INTO security_test.feed_seen VALUES (r) $$;
SELECT 'init' FROM pg_create_logical_replication_slot('st_sec_slot', 'singletable');
SELECT singletable.put_item('kept', '{"PK": "feed", "SK": "1"}');
SET ROLE st_sec_nobody;
SELECT singletable.apply_changes('st_sec_slot', 'security_test.feed_handler(jsonb)');
SET ROLE st_sec_replicator;
SET search_path = evil, pg_catalog, security_test;
SELECT singletable.apply_changes('st_sec_slot', 'security_test.feed_handler(pg_catalog.jsonb)',
	options => '{tables,security_test.kept}');
RESET search_path;
RESET ROLE;
SET search_path = security_test;
SELECT record->'dynamodb'->'Keys' FROM feed_seen;
SELECT pg_drop_replication_slot('st_sec_slot');

--
-- 2. Privileges: a role without any privilege on a table gets a permission
-- error from every entry point, and nothing changes.
--
SET ROLE st_sec_owner;
SELECT singletable.create_table('app');
SELECT singletable.create_index('app', 'GSI1', 'GSI1PK', 'GSI1SK');
SELECT singletable.put_item('app', '{"PK": "TENANT#a#USER#1", "SK": "PROFILE", "GSI1PK": "STATUS#open", "GSI1SK": "a1", "name": "Ann"}');
SELECT singletable.put_item('app', '{"PK": "TENANT#a#USER#2", "SK": "PROFILE", "GSI1PK": "STATUS#open", "GSI1SK": "a2", "name": "Al"}');
SELECT singletable.put_item('app', '{"PK": "TENANT#b#USER#1", "SK": "PROFILE", "GSI1PK": "STATUS#open", "GSI1SK": "b1", "name": "Bea"}');
SELECT singletable.append_events('app', 'TENANT#b#STREAM#1', '[{"eventType": "Opened"}]', 0);
RESET ROLE;
CREATE FUNCTION app_state() RETURNS TABLE (pk text, sk text, item jsonb) LANGUAGE sql AS $$
	SELECT pk, sk, item - '{eventId,timestamp}'::text[] FROM security_test.app ORDER BY pk, sk $$;
CREATE FUNCTION index_state() RETURNS TABLE (gsi_pk text, gsi_sk text, pk text) LANGUAGE sql AS $$
	SELECT gsi_pk, gsi_sk, pk FROM security_test."app__GSI1" ORDER BY gsi_pk, gsi_sk $$;
SELECT * FROM app_state();

SET ROLE st_sec_nobody;
SELECT singletable.put_item('app', '{"PK": "TENANT#a#USER#9", "SK": "PROFILE"}');
SELECT singletable.get_item('app', '{"PK": "TENANT#a#USER#1", "SK": "PROFILE"}');
SELECT singletable.update_item('app', '{"PK": "TENANT#a#USER#1", "SK": "PROFILE"}', 'SET x = :x', "values" => '{":x": 1}');
SELECT singletable.delete_item('app', '{"PK": "TENANT#a#USER#1", "SK": "PROFILE"}');
SELECT singletable.query('app', 'PK = :p', "values" => '{":p": "TENANT#a#USER#1"}');
SELECT singletable.query_items('app', 'PK = :p', "values" => '{":p": "TENANT#a#USER#1"}');
SELECT singletable.query('app', 'GSI1PK = :g', "values" => '{":g": "STATUS#open"}', index => 'GSI1');
SELECT singletable.scan('app');
SELECT singletable.scan('app', index => 'GSI1');
SELECT singletable.batch_get('{"security_test.app": {"Keys": [{"PK": "TENANT#a#USER#1", "SK": "PROFILE"}]}}');
SELECT singletable.batch_write('{"security_test.app": [{"PutRequest": {"Item": {"PK": "TENANT#a#USER#9", "SK": "P"}}}]}');
SELECT singletable.batch_write('{"security_test.app": [{"DeleteRequest": {"Key": {"PK": "TENANT#a#USER#1", "SK": "PROFILE"}}}]}');
SELECT singletable.transact_get('[{"Get": {"TableName": "security_test.app", "Key": {"PK": "TENANT#a#USER#1", "SK": "PROFILE"}}}]');
SELECT singletable.transact_write('[{"Put": {"TableName": "security_test.app", "Item": {"PK": "TENANT#a#USER#9", "SK": "P"}}}]');
SELECT singletable.transact_write('[{"ConditionCheck": {"TableName": "security_test.app",
	"Key": {"PK": "TENANT#a#USER#1", "SK": "PROFILE"}, "ConditionExpression": "attribute_exists(PK)"}}]');
SELECT singletable.append_events('app', 'TENANT#b#STREAM#1', '[{"eventType": "Hacked"}]');
SELECT singletable.read_stream('app', 'TENANT#b#STREAM#1');
SELECT singletable.stream_version('app', 'TENANT#b#STREAM#1');
SELECT singletable.load_stream('app', 'TENANT#b#STREAM#1');
SELECT singletable.save_snapshot('app', 'TENANT#b#STREAM#1', 1, '{}');
SELECT singletable.events_by_type('app');
SELECT singletable.execute('GetItem', '{"TableName": "security_test.app", "Key": {"PK": {"S": "TENANT#a#USER#1"}, "SK": {"S": "PROFILE"}}}');
SELECT singletable.execute('PutItem', '{"TableName": "security_test.app", "Item": {"PK": {"S": "TENANT#a#USER#9"}, "SK": {"S": "P"}}}');
SELECT singletable.execute('Query', '{"TableName": "security_test.app", "KeyConditionExpression": "PK = :p",
	"ExpressionAttributeValues": {":p": {"S": "TENANT#a#USER#1"}}}');
SELECT singletable.execute('DeleteTable', '{"TableName": "security_test.app"}');
SELECT singletable.create_table('security_test.mine');
SELECT singletable.create_index('app', 'GSI2', 'name');
SELECT singletable.drop_index('app', 'GSI1');
SELECT singletable.drop_table('app');
-- the index table itself is no way in either
SELECT * FROM "app__GSI1";
RESET ROLE;
SELECT * FROM app_state();
SELECT * FROM index_state();

-- A role that may only read gets items and no writes.
GRANT SELECT ON app TO st_sec_reader;
SET ROLE st_sec_reader;
SELECT singletable.get_item('app', '{"PK": "TENANT#a#USER#1", "SK": "PROFILE"}') ->> 'name';
SELECT singletable.query('app', 'GSI1PK = :g', "values" => '{":g": "STATUS#open"}', index => 'GSI1') -> 'Count';
SELECT singletable.put_item('app', '{"PK": "TENANT#a#USER#9", "SK": "PROFILE"}');
SELECT singletable.update_item('app', '{"PK": "TENANT#a#USER#1", "SK": "PROFILE"}', 'SET x = :x', "values" => '{":x": 1}');
SELECT singletable.delete_item('app', '{"PK": "TENANT#a#USER#1", "SK": "PROFILE"}');
SELECT singletable.append_events('app', 'TENANT#b#STREAM#1', '[{"eventType": "Hacked"}]');
RESET ROLE;

--
-- 3. Tenant isolation by key prefix (IAM's LeadingKeys): one policy per
-- tenant role on the base table and the same on its index table, whose pk
-- column holds the base item's partition key.  Tenants write the index
-- through the base table without write privileges on the index table; to
-- read it under row-level security they need SELECT on it, and its policies.
--
GRANT SELECT, INSERT, UPDATE, DELETE ON app TO st_sec_tenant_a, st_sec_tenant_b;
ALTER TABLE app ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_a ON app TO st_sec_tenant_a
	USING (pk LIKE 'TENANT#a#%') WITH CHECK (pk LIKE 'TENANT#a#%');
CREATE POLICY tenant_b ON app TO st_sec_tenant_b
	USING (pk LIKE 'TENANT#b#%') WITH CHECK (pk LIKE 'TENANT#b#%');

-- Before the index table has policies, reading the index under row-level
-- security is refused rather than bypassing them.
SET ROLE st_sec_tenant_a;
SELECT singletable.query('app', 'GSI1PK = :g', "values" => '{":g": "STATUS#open"}', index => 'GSI1');
RESET ROLE;
GRANT SELECT ON "app__GSI1" TO st_sec_tenant_a, st_sec_tenant_b;
ALTER TABLE "app__GSI1" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_a ON "app__GSI1" TO st_sec_tenant_a USING (pk LIKE 'TENANT#a#%');
CREATE POLICY tenant_b ON "app__GSI1" TO st_sec_tenant_b USING (pk LIKE 'TENANT#b#%');

SET ROLE st_sec_tenant_a;
-- reads: only tenant a's items
SELECT singletable.get_item('app', '{"PK": "TENANT#a#USER#1", "SK": "PROFILE"}') ->> 'name';
SELECT singletable.get_item('app', '{"PK": "TENANT#b#USER#1", "SK": "PROFILE"}');
SELECT singletable.query('app', 'PK = :p', "values" => '{":p": "TENANT#b#USER#1"}');
SELECT singletable.query('app', 'PK = :p', "values" => '{":p": "TENANT#a#USER#1"}') -> 'Count';
SELECT singletable.query_items('app', 'GSI1PK = :g', "values" => '{":g": "STATUS#open"}', index => 'GSI1') ->> 'name';
SELECT singletable.query('app', 'GSI1PK = :g', "values" => '{":g": "STATUS#open"}', index => 'GSI1', "limit" => 1);
SELECT singletable.query('app', 'GSI1PK = :g', "values" => '{":g": "STATUS#open"}', index => 'GSI1', "limit" => 1,
	start_key => '{"GSI1PK": "STATUS#open", "GSI1SK": "a1", "PK": "TENANT#a#USER#1", "SK": "PROFILE"}');
SELECT jsonb_path_query(singletable.scan('app'), '$.Items[*].PK');
SELECT jsonb_path_query(singletable.scan('app', index => 'GSI1'), '$.Items[*].PK');
SELECT jsonb_path_query(singletable.scan('app', segment => 0, total_segments => 1), '$.Items[*].PK');
SELECT singletable.batch_get('{"security_test.app": {"Keys": [{"PK": "TENANT#a#USER#1", "SK": "PROFILE"},
	{"PK": "TENANT#b#USER#1", "SK": "PROFILE"}], "ProjectionExpression": "PK"}}');
SELECT singletable.transact_get('[{"Get": {"TableName": "security_test.app", "Key": {"PK": "TENANT#b#USER#1", "SK": "PROFILE"}}},
	{"Get": {"TableName": "security_test.app", "Key": {"PK": "TENANT#a#USER#2", "SK": "PROFILE"}, "ProjectionExpression": "PK"}}]');
SELECT singletable.read_stream('app', 'TENANT#b#STREAM#1');
SELECT singletable.stream_version('app', 'TENANT#b#STREAM#1');
SELECT singletable.execute('GetItem', '{"TableName": "security_test.app", "Key": {"PK": {"S": "TENANT#b#USER#1"}, "SK": {"S": "PROFILE"}}}');
-- a condition on another tenant's item sees no item
SELECT singletable.delete_item('app', '{"PK": "TENANT#b#USER#1", "SK": "PROFILE"}', 'attribute_exists(PK)');
-- writes: only under tenant a's prefix
SELECT singletable.put_item('app', '{"PK": "TENANT#b#USER#1", "SK": "PROFILE", "name": "mine now"}');
SELECT singletable.put_item('app', '{"PK": "TENANT#b#USER#2", "SK": "PROFILE"}', 'attribute_not_exists(PK)');
SELECT singletable.update_item('app', '{"PK": "TENANT#b#USER#1", "SK": "PROFILE"}', 'SET x = :x', "values" => '{":x": 1}');
SELECT singletable.delete_item('app', '{"PK": "TENANT#b#USER#1", "SK": "PROFILE"}', return_values => 'ALL_OLD');
SELECT singletable.batch_write('{"security_test.app": [{"PutRequest": {"Item": {"PK": "TENANT#a#USER#3", "SK": "PROFILE"}}},
	{"PutRequest": {"Item": {"PK": "TENANT#b#USER#3", "SK": "PROFILE"}}}]}');
SELECT singletable.transact_write('[{"Put": {"TableName": "security_test.app", "Item": {"PK": "TENANT#a#USER#3", "SK": "PROFILE"}}},
	{"Delete": {"TableName": "security_test.app", "Key": {"PK": "TENANT#b#USER#1", "SK": "PROFILE"}}}]');
SELECT singletable.append_events('app', 'TENANT#b#STREAM#1', '[{"eventType": "Hacked"}]');
SELECT singletable.execute('PutItem', '{"TableName": "security_test.app", "Item": {"PK": {"S": "TENANT#b#USER#1"}, "SK": {"S": "PROFILE"}}}');
-- tenant a's own writes work, and maintain the index without privileges on it
SELECT singletable.put_item('app', '{"PK": "TENANT#a#USER#4", "SK": "PROFILE", "GSI1PK": "STATUS#open", "GSI1SK": "a4"}');
SELECT singletable.update_item('app', '{"PK": "TENANT#a#USER#1", "SK": "PROFILE"}', 'SET GSI1PK = :s',
	"values" => '{":s": "STATUS#closed"}', return_values => 'UPDATED_NEW');
SELECT singletable.delete_item('app', '{"PK": "TENANT#a#USER#2", "SK": "PROFILE"}', return_values => 'ALL_OLD') ->> 'name';
SELECT singletable.batch_write('{"security_test.app": [{"PutRequest": {"Item": {"PK": "TENANT#a#USER#5", "SK": "PROFILE"}}}]}');
SELECT singletable.transact_write('[{"Update": {"TableName": "security_test.app", "Key": {"PK": "TENANT#a#USER#5", "SK": "PROFILE"},
	"UpdateExpression": "SET GSI1PK = :s, GSI1SK = :k", "ConditionExpression": "attribute_exists(PK)",
	"ExpressionAttributeValues": {":s": "STATUS#open", ":k": "a5"}}}]');
SELECT singletable.append_events('app', 'TENANT#a#STREAM#1', '[{"eventType": "Opened"}]', 0);
SELECT * FROM "app__GSI1" ORDER BY gsi_pk, gsi_sk;
-- the evil search_path does not change what tenants read either
SET search_path = evil, pg_catalog, security_test;
SELECT singletable.get_item('app', '{"PK": "TENANT#a#USER#4", "SK": "PROFILE"}') OPERATOR(pg_catalog.->) 'GSI1SK';
SELECT singletable.batch_get('{"security_test.app": {"Keys": [{"PK": "TENANT#a#USER#4", "SK": "PROFILE"},
	{"PK": "TENANT#b#USER#1", "SK": "PROFILE"}], "ProjectionExpression": "PK"}}');
SELECT singletable.put_item('app', '{"PK": "TENANT#b#USER#1", "SK": "PROFILE"}', 'attribute_not_exists(PK)');
-- (query and scan under row-level security: sql/security_query_rls.sql)
RESET search_path;
SET search_path = security_test;
RESET ROLE;

-- tenant b sees only its own, including its events, and tenant a's writes
-- did not touch them
SET ROLE st_sec_tenant_b;
SELECT jsonb_path_query(singletable.scan('app'), '$.Items[*].PK');
SELECT singletable.query_items('app', 'GSI1PK = :g', "values" => '{":g": "STATUS#open"}', index => 'GSI1') ->> 'name';
SELECT singletable.stream_version('app', 'TENANT#b#STREAM#1');
-- the statements tenant a's calls prepared and kept apply tenant b's policies
SELECT singletable.get_item('app', '{"PK": "TENANT#b#USER#1", "SK": "PROFILE"}') ->> 'name';
SELECT singletable.get_item('app', '{"PK": "TENANT#a#USER#4", "SK": "PROFILE"}');
SELECT singletable.update_item('app', '{"PK": "TENANT#a#USER#4", "SK": "PROFILE"}', 'SET x = :x', "values" => '{":x": 1}');
SELECT singletable.delete_item('app', '{"PK": "TENANT#a#USER#4", "SK": "PROFILE"}', return_values => 'ALL_OLD');
RESET ROLE;
SELECT * FROM app_state();
SELECT * FROM index_state();

--
-- 4. The catalog: a row can be written only by the owner of the table it
-- names, an index row only for an index table its writer owns, and a row
-- naming a table of another shape is not believed (it used to crash the
-- server on the first read).
--
GRANT CREATE ON SCHEMA security_test TO st_sec_tenant_a;
SET ROLE st_sec_tenant_a;
WITH u AS (UPDATE singletable.tables SET partition_key = 'X' WHERE relid = 'app'::regclass RETURNING 1)
SELECT count(*) AS updated FROM u;
WITH d AS (DELETE FROM singletable.tables WHERE relid = 'app'::regclass RETURNING 1)
SELECT count(*) AS deleted FROM d;
WITH d AS (DELETE FROM singletable.indexes WHERE relid = 'app'::regclass RETURNING 1)
SELECT count(*) AS deleted FROM d;
WITH u AS (UPDATE singletable.indexes SET partition_key = 'X' WHERE relid = 'app'::regclass RETURNING 1)
SELECT count(*) AS updated FROM u;
WITH u AS (UPDATE singletable.event_type_indexes SET partition_key = 'X' RETURNING 1)
SELECT count(*) AS updated FROM u;
INSERT INTO singletable.tables (relid, partition_key, partition_key_type) VALUES ('app', 'X', 'S');
INSERT INTO singletable.indexes (relid, index_name, index_relid, partition_key, partition_key_type)
	VALUES ('app', 'GSI9', 'kept', 'PK', 'S');
SELECT partition_key FROM singletable.tables WHERE relid = 'app'::regclass;
SELECT singletable.create_table('own');
SELECT singletable.create_index('own', 'GSI1', 'PK', 'SK');
-- pointing one's own index at another owner's table is refused
UPDATE singletable.indexes SET index_relid = 'app'::regclass WHERE relid = 'own'::regclass;
INSERT INTO singletable.indexes (relid, index_name, index_relid, partition_key, partition_key_type, sort_key, sort_key_type)
	VALUES ('own', 'GSI2', 'app', 'PK', 'S', 'SK', 'S');
-- a table of another shape
CREATE TABLE bogus (item int, pk text, sk text, PRIMARY KEY (pk, sk));
INSERT INTO bogus VALUES (1, 'a', 'b');
INSERT INTO singletable.tables (relid, partition_key, partition_key_type, sort_key, sort_key_type)
	VALUES ('bogus', 'PK', 'S', 'SK', 'S');
SELECT singletable.get_item('bogus', '{"PK": "a", "SK": "b"}');
SELECT singletable.query('bogus', 'PK = :p', "values" => '{":p": "a"}');
SELECT singletable.scan('bogus');
SELECT singletable.put_item('bogus', '{"PK": "a", "SK": "b"}');
DELETE FROM singletable.tables WHERE relid = 'bogus'::regclass;
DROP TABLE bogus;
-- temporary tables (which vanish without a trace in the catalog) cannot be
-- singletable tables
SELECT singletable.create_table('pg_temp.scratch');
CREATE TEMP TABLE scratch (item jsonb, pk text COLLATE "C", sk text COLLATE "C", PRIMARY KEY (pk, sk));
INSERT INTO singletable.tables (relid, partition_key, partition_key_type, sort_key, sort_key_type)
	VALUES ('scratch', 'PK', 'S', 'SK', 'S');
DROP TABLE scratch;
-- a catalog row of the right table but the wrong key type
UPDATE singletable.tables SET partition_key_type = 'N' WHERE relid = 'own'::regclass;
SELECT singletable.get_item('own', '{"PK": 1, "SK": "b"}');
UPDATE singletable.tables SET partition_key_type = 'S' WHERE relid = 'own'::regclass;
SELECT singletable.get_item('own', '{"PK": "a", "SK": "b"}');
SELECT singletable.drop_table('own');
-- the catalog's trigger function cannot be turned on another table
CREATE TABLE trg (a int);
CREATE TRIGGER trg AFTER INSERT ON trg FOR EACH ROW EXECUTE FUNCTION singletable.index_catalog_changed();
INSERT INTO trg VALUES (1);
DROP TABLE trg;
RESET ROLE;
-- Even a row written past the policy (here by a superuser) cannot make an
-- index read or write reach a table that is not the index's.
SET ROLE st_sec_owner;
SELECT singletable.create_table('own2');
SELECT singletable.create_index('own2', 'GSI1', 'PK', 'SK');
RESET ROLE;
SELECT count(*) FROM kept;
UPDATE singletable.indexes SET index_relid = 'kept'::regclass WHERE relid = 'own2'::regclass;
SET ROLE st_sec_owner;
SELECT singletable.query('own2', 'PK = :p', "values" => '{":p": "a"}', index => 'GSI1');
SELECT singletable.put_item('own2', '{"PK": "a", "SK": "1"}');
RESET ROLE;
SELECT count(*) FROM kept;

-- Clean up.
DROP SCHEMA security_test CASCADE;
DROP SCHEMA evil CASCADE;
DROP ROLE st_sec_owner, st_sec_tenant_a, st_sec_tenant_b, st_sec_reader, st_sec_nobody, st_sec_replicator;
