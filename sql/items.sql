-- Items: put_item, get_item, delete_item, update_item, with conditions,
-- placeholders and return values, and every error path.
SET client_min_messages = warning;
-- Each test file works in a schema of its own.
CREATE SCHEMA items_test;
SET search_path = items_test, public;
SELECT singletable.create_table('app');

-- put_item inserts or replaces; get_item returns the item or NULL.
SELECT singletable.put_item('app', '{"PK": "USER#1", "SK": "PROFILE", "name": "Ann", "tags": ["a", "b"], "address": {"city": "Oslo"}}');
SELECT singletable.get_item('app', '{"PK": "USER#1", "SK": "PROFILE"}');
SELECT singletable.get_item('app', '{"PK": "USER#1", "SK": "NOPE"}') IS NULL AS missing;
-- ALL_OLD returns the replaced item, NULL when there was none
SELECT singletable.put_item('app', '{"PK": "USER#1", "SK": "PROFILE", "name": "Ann", "age": 30, "tags": ["a", "b"], "address": {"city": "Oslo", "zip": "0150"}}', return_values => 'ALL_OLD');
SELECT singletable.put_item('app', '{"PK": "USER#2", "SK": "PROFILE", "name": "Bob"}', return_values => 'ALL_OLD') IS NULL AS no_old;
-- projections, with nested paths and #name placeholders
SELECT singletable.get_item('app', '{"PK": "USER#1", "SK": "PROFILE"}', projection => '#n, address.city, tags[1]', names => '{"#n": "name"}');

-- Conditions: attribute_not_exists makes put_item an insert-only.
SELECT singletable.put_item('app', '{"PK": "USER#3", "SK": "PROFILE", "name": "Cy"}', condition => 'attribute_not_exists(PK)');
SELECT singletable.put_item('app', '{"PK": "USER#3", "SK": "PROFILE", "name": "Cy2"}', condition => 'attribute_not_exists(PK)');
SELECT singletable.get_item('app', '{"PK": "USER#3", "SK": "PROFILE"}') ->> 'name' AS still_cy;
-- a condition over the old item's attributes, with values
SELECT singletable.put_item('app', '{"PK": "USER#1", "SK": "PROFILE", "name": "Ann", "age": 31, "tags": ["a", "b"]}',
	condition => 'age = :a AND #n = :n', names => '{"#n": "name"}', "values" => '{":a": 30, ":n": "Ann"}');
SELECT singletable.get_item('app', '{"PK": "USER#1", "SK": "PROFILE"}');
SELECT singletable.put_item('app', '{"PK": "USER#1", "SK": "PROFILE", "name": "Ann", "age": 99}',
	condition => 'age = :a', "values" => '{":a": 30}');
SELECT singletable.get_item('app', '{"PK": "USER#1", "SK": "PROFILE"}') ->> 'age' AS still_31;

-- update_item: SET, REMOVE, ADD, DELETE; return values of every kind.
SELECT singletable.update_item('app', '{"PK": "USER#1", "SK": "PROFILE"}',
	'SET age = age + :one, visits = if_not_exists(visits, :zero) + :one', "values" => '{":one": 1, ":zero": 0}',
	return_values => 'UPDATED_NEW');
SELECT singletable.update_item('app', '{"PK": "USER#1", "SK": "PROFILE"}',
	'SET #n = :n REMOVE visits', names => '{"#n": "name"}', "values" => '{":n": "Anne"}',
	return_values => 'UPDATED_OLD');
SELECT singletable.update_item('app', '{"PK": "USER#1", "SK": "PROFILE"}',
	'ADD age :ten', "values" => '{":ten": 10}', return_values => 'ALL_OLD');
SELECT singletable.update_item('app', '{"PK": "USER#1", "SK": "PROFILE"}',
	'SET tags = list_append(tags, :more)', "values" => '{":more": ["c"]}', return_values => 'ALL_NEW');
SELECT singletable.update_item('app', '{"PK": "USER#1", "SK": "PROFILE"}',
	'SET age = :x', "values" => '{":x": 1}') IS NULL AS none_returns_null;
-- update_item creates the item when it does not exist, like DynamoDB
SELECT singletable.update_item('app', '{"PK": "USER#9", "SK": "PROFILE"}',
	'SET #n = :n', names => '{"#n": "name"}', "values" => '{":n": "Nine"}', return_values => 'ALL_NEW');
-- ... unless the condition says it must exist
SELECT singletable.update_item('app', '{"PK": "USER#10", "SK": "PROFILE"}',
	'SET #n = :n', condition => 'attribute_exists(PK)', names => '{"#n": "name"}', "values" => '{":n": "Ten"}');
SELECT singletable.get_item('app', '{"PK": "USER#10", "SK": "PROFILE"}') IS NULL AS not_created;
-- a counter
SELECT singletable.update_item('app', '{"PK": "COUNTER", "SK": "hits"}', 'ADD n :one', "values" => '{":one": 1}');
SELECT singletable.update_item('app', '{"PK": "COUNTER", "SK": "hits"}', 'ADD n :one', "values" => '{":one": 1}', return_values => 'UPDATED_NEW');

-- delete_item, conditional and not
SELECT singletable.delete_item('app', '{"PK": "USER#2", "SK": "PROFILE"}', condition => '#n = :n',
	names => '{"#n": "name"}', "values" => '{":n": "Someone else"}');
SELECT singletable.delete_item('app', '{"PK": "USER#2", "SK": "PROFILE"}', condition => '#n = :n',
	names => '{"#n": "name"}', "values" => '{":n": "Bob"}', return_values => 'ALL_OLD');
SELECT singletable.delete_item('app', '{"PK": "USER#2", "SK": "PROFILE"}', return_values => 'ALL_OLD') IS NULL AS already_gone;
SELECT singletable.delete_item('app', '{"PK": "USER#3", "SK": "PROFILE"}');
SELECT pk, sk FROM app ORDER BY pk, sk;

-- Errors: each is a clear message with its own SQLSTATE, and nothing changes.
\set VERBOSITY sqlstate
SELECT singletable.put_item('nosuch', '{"PK": "x", "SK": "y"}');
CREATE TABLE plain (item jsonb);
SELECT singletable.put_item('plain', '{"PK": "x", "SK": "y"}');
SELECT singletable.put_item(NULL, '{"PK": "x", "SK": "y"}');
\set VERBOSITY default
SELECT singletable.put_item('plain', '{"PK": "x", "SK": "y"}');
SELECT singletable.put_item('app', NULL);
SELECT singletable.put_item('app', '[]');
SELECT singletable.put_item('app', '{"PK": "x"}');
SELECT singletable.put_item('app', '{"PK": 1, "SK": "y"}');
SELECT singletable.put_item('app', '{"PK": "", "SK": "y"}');
SELECT singletable.put_item('app', jsonb_build_object('PK', repeat('x', 2049), 'SK', 'y'));
SELECT singletable.put_item('app', '{"PK": "x", "SK": "y", "n": 1234567890123456789012345678901234567890}');
SET singletable.max_item_size = 1024;
SELECT singletable.put_item('app', jsonb_build_object('PK', 'x', 'SK', 'y', 'blob', repeat('z', 2000)));
-- validation comes before the condition is evaluated
SELECT singletable.put_item('app', jsonb_build_object('PK', 'USER#1', 'SK', 'PROFILE', 'blob', repeat('z', 2000)), condition => 'attribute_not_exists(PK)');
RESET singletable.max_item_size;
SELECT singletable.put_item('app', '{"PK": "x", "SK": "y"}', return_values => 'ALL_NEW');
SELECT singletable.put_item('app', '{"PK": "x", "SK": "y"}', return_values => 'bogus');
SELECT singletable.delete_item('app', '{"PK": "x", "SK": "y"}', return_values => 'UPDATED_OLD');
SELECT singletable.update_item('app', '{"PK": "x", "SK": "y"}', 'SET a = :a', "values" => '{":a": 1}', return_values => 'SOME');
-- malformed expressions say where
SELECT singletable.put_item('app', '{"PK": "x", "SK": "y"}', condition => 'attribute_not_exists(PK');
SELECT singletable.put_item('app', '{"PK": "x", "SK": "y"}', condition => 'a = = b');
SELECT singletable.update_item('app', '{"PK": "x", "SK": "y"}', 'SET');
SELECT singletable.update_item('app', '{"PK": "x", "SK": "y"}', 'FROB a');
-- placeholders: undefined, unused
SELECT singletable.put_item('app', '{"PK": "x", "SK": "y"}', condition => 'a = :missing');
SELECT singletable.put_item('app', '{"PK": "x", "SK": "y"}', condition => '#missing = :v', "values" => '{":v": 1}');
SELECT singletable.put_item('app', '{"PK": "x", "SK": "y"}', condition => 'a = :v', "values" => '{":v": 1, ":unused": 2}');
SELECT singletable.put_item('app', '{"PK": "x", "SK": "y"}', names => '{"#unused": "a"}');
SELECT singletable.get_item('app', '{"PK": "x", "SK": "y"}', names => '{"#unused": "a"}');
-- keys: wrong shape, extra attributes, wrong type
SELECT singletable.get_item('app', '{"PK": "x"}');
SELECT singletable.get_item('app', '{"PK": "x", "SK": "y", "other": 1}');
SELECT singletable.get_item('app', '{"PK": 1, "SK": "y"}');
SELECT singletable.get_item('app', '"x"');
SELECT singletable.delete_item('app', '{"SK": "y", "PK2": "x"}');
-- an update may not touch a key attribute
SELECT singletable.update_item('app', '{"PK": "USER#1", "SK": "PROFILE"}', 'SET PK = :v', "values" => '{":v": "other"}');
SELECT singletable.update_item('app', '{"PK": "USER#1", "SK": "PROFILE"}', 'REMOVE SK');
-- arithmetic on a non-number
SELECT singletable.update_item('app', '{"PK": "USER#1", "SK": "PROFILE"}', 'SET #n = #n + :one', names => '{"#n": "name"}', "values" => '{":one": 1}');
-- nothing above changed the table
SELECT pk, sk FROM app ORDER BY pk, sk;
SELECT singletable.get_item('app', '{"PK": "USER#1", "SK": "PROFILE"}');

-- Hash-only and number-keyed tables
SELECT singletable.create_table('sessions', partition_key => 'token', sort_key => NULL);
SELECT singletable.put_item('sessions', '{"token": "t1", "user": "ann"}');
SELECT singletable.get_item('sessions', '{"token": "t1"}');
SELECT singletable.update_item('sessions', '{"token": "t1"}', 'SET #u = :u', names => '{"#u": "user"}', "values" => '{":u": "bob"}', return_values => 'ALL_NEW');
SELECT singletable.delete_item('sessions', '{"token": "t1"}', return_values => 'ALL_OLD');
SELECT singletable.create_table('scores', partition_key => 'game', sort_key => 'score', sort_key_type => 'N');
SELECT singletable.put_item('scores', '{"game": "g", "score": 10, "who": "ann"}');
SELECT singletable.get_item('scores', '{"game": "g", "score": 10.0}');
SELECT singletable.get_item('scores', '{"game": "g", "score": "10"}');

-- Privileges are the caller's: a role without rights on the table gets the
-- standard permission error.
CREATE ROLE st_nobody;
GRANT USAGE ON SCHEMA items_test TO st_nobody;
SET ROLE st_nobody;
SELECT singletable.get_item('app', '{"PK": "USER#1", "SK": "PROFILE"}');
SELECT singletable.put_item('app', '{"PK": "USER#5", "SK": "PROFILE"}');
RESET ROLE;
-- delete_item reads only the key columns (a DELETE's WHERE needs SELECT on
-- what it reads): DELETE with SELECT on pk and sk deletes; asking for the
-- old item needs SELECT on the item too.
GRANT DELETE, SELECT (pk, sk) ON app TO st_nobody;
SELECT singletable.put_item('app', '{"PK": "USER#7", "SK": "PROFILE"}');
SET ROLE st_nobody;
SELECT singletable.delete_item('app', '{"PK": "USER#7", "SK": "PROFILE"}', return_values => 'ALL_OLD');
SELECT singletable.delete_item('app', '{"PK": "USER#7", "SK": "PROFILE"}');
RESET ROLE;
SELECT singletable.get_item('app', '{"PK": "USER#7", "SK": "PROFILE"}') IS NULL AS deleted;
REVOKE DELETE, SELECT (pk, sk) ON app FROM st_nobody;
-- Row-level security is honoured: tenant isolation by key prefix.
CREATE ROLE st_tenant_a;
GRANT SELECT, INSERT, UPDATE, DELETE ON app TO st_tenant_a;
GRANT USAGE ON SCHEMA items_test TO st_tenant_a;
ALTER TABLE app ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_a ON app TO st_tenant_a USING (pk LIKE 'USER#1%') WITH CHECK (pk LIKE 'USER#1%');
SET ROLE st_tenant_a;
SELECT singletable.get_item('app', '{"PK": "USER#1", "SK": "PROFILE"}') ->> 'PK' AS visible;
SELECT singletable.get_item('app', '{"PK": "USER#9", "SK": "PROFILE"}') IS NULL AS invisible;
SELECT singletable.put_item('app', '{"PK": "USER#9", "SK": "PROFILE", "name": "hijack"}');
RESET ROLE;
SELECT singletable.get_item('app', '{"PK": "USER#9", "SK": "PROFILE"}') ->> 'name' AS unchanged;
ALTER TABLE app DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_a ON app;
REVOKE ALL ON app FROM st_tenant_a;
REVOKE ALL ON SCHEMA items_test FROM st_tenant_a, st_nobody;
DROP ROLE st_tenant_a;
DROP ROLE st_nobody;
RESET search_path;
DROP SCHEMA items_test CASCADE;
