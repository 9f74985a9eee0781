-- Tables: create_table, describe_table, drop_table, and the key columns
-- derived from the item.
SET client_min_messages = warning;
-- Each test file works in a schema of its own.
CREATE SCHEMA tables_test;
SET search_path = tables_test, public;

-- The common case: PK/SK string keys.
SELECT singletable.create_table('app');
\d app
SELECT singletable.describe_table('app');

-- Key columns come from the item; plain SQL works and cannot make them disagree.
INSERT INTO app VALUES ('{"PK": "USER#1", "SK": "PROFILE", "name": "Ann"}');
SELECT pk, sk, item FROM app;
UPDATE app SET item = '{"PK": "USER#1", "SK": "PROFILE#2", "name": "Ann"}';
SELECT pk, sk FROM app;
UPDATE app SET pk = 'x';
INSERT INTO app (item, pk) VALUES ('{"PK": "a", "SK": "b"}', 'zzz');

-- Strings sort in byte order ("C"), not by locale.
INSERT INTO app VALUES ('{"PK": "s", "SK": "a"}'), ('{"PK": "s", "SK": "B"}'),
	('{"PK": "s", "SK": "é"}'), ('{"PK": "s", "SK": "Z"}');
SELECT sk FROM app WHERE pk = 's' ORDER BY sk;

-- Number keys sort numerically; 1 and 1.0 are the same key, as in DynamoDB.
SELECT singletable.create_table('nums', partition_key => 'id', partition_key_type => 'N',
	sort_key => 'n', sort_key_type => 'N');
INSERT INTO nums VALUES ('{"id": 1, "n": 10}'), ('{"id": 1, "n": 2}'), ('{"id": 1, "n": -3.5}');
SELECT sk FROM nums ORDER BY sk;
INSERT INTO nums VALUES ('{"id": 1.0, "n": 2.00}');

-- Binary keys are {"$B": base64} in the item and bytea in the key column.
SELECT singletable.create_table('bins', partition_key_type => 'B', sort_key => NULL);
INSERT INTO bins VALUES ('{"PK": {"$B": "AAEC"}}'), ('{"PK": {"$B": "/w=="}}');
SELECT pk, item FROM bins ORDER BY pk;
INSERT INTO bins VALUES ('{"PK": {"$B": "not base64!"}}');

-- Hash-only tables have no sort key column.
SELECT singletable.create_table('hashonly', sort_key => NULL);
\d hashonly
SELECT singletable.describe_table('hashonly');

-- Bad items and keys: each error says what is wrong and changes nothing.
INSERT INTO app VALUES ('[1, 2]');
INSERT INTO app VALUES ('"text"');
INSERT INTO app VALUES ('{"SK": "x"}');
INSERT INTO app VALUES ('{"PK": "x"}');
INSERT INTO app VALUES ('{"PK": 5, "SK": "x"}');
INSERT INTO app VALUES ('{"PK": "", "SK": "x"}');
INSERT INTO app VALUES ('{"PK": {"a": 1}, "SK": "x"}');
INSERT INTO app VALUES (jsonb_build_object('PK', repeat('p', 2049), 'SK', 'x'));
INSERT INTO app VALUES (jsonb_build_object('PK', 'x', 'SK', repeat('s', 1025)));
-- exactly at the limits is fine
INSERT INTO app VALUES (jsonb_build_object('PK', repeat('p', 2048), 'SK', repeat('s', 1024)));
-- numbers DynamoDB cannot store
INSERT INTO app VALUES ('{"PK": "n", "SK": "1", "v": 123456789012345678901234567890123456789}');
INSERT INTO app VALUES ('{"PK": "n", "SK": "2", "v": 1e126}');
INSERT INTO app VALUES ('{"PK": "n", "SK": "3", "v": 1e-131}');
INSERT INTO app VALUES ('{"PK": "n", "SK": "4", "v": {"deep": [1e200]}}');
-- 38 digits, and the extremes of the range, are fine
INSERT INTO app VALUES ('{"PK": "n", "SK": "5", "v": 12345678901234567890123456789012345678, "w": 9.9999999999999999999999999999999999999e125, "x": 1e-130, "y": 1e50}');
-- plain SQL is not held to singletable.max_item_size, a limit of the write
-- calls (see item_size.sql): the CHECK constraint reads no setting
SET singletable.max_item_size = '2kB';
INSERT INTO app VALUES (jsonb_build_object('PK', 'big', 'SK', '1', 'data', repeat('x', 3000)));
INSERT INTO app VALUES (jsonb_build_object('PK', 'big', 'SK', '2', 'data', repeat('x', 1900)));
RESET singletable.max_item_size;
SELECT count(*) FROM app WHERE pk IN ('n', 'big', 'x', '');

-- create_table errors
SELECT singletable.create_table('app');
SELECT singletable.create_table('t2', partition_key => 'K', sort_key => 'K');
SELECT singletable.create_table('t2', partition_key_type => 'X');
SELECT singletable.create_table('t2', sort_key_type => 'SS');
SELECT singletable.create_table('t2', partition_key => '');
SELECT singletable.create_table('t2', partition_key => NULL);
SELECT singletable.create_table(NULL);
SELECT singletable.create_table('t2', stream_view => 'ALL');
SELECT singletable.create_table('nosuchschema.t2');
SELECT count(*) FROM pg_class WHERE relname = 't2';

-- Quoted and schema-qualified names; key attribute names are data, never SQL.
CREATE SCHEMA other;
SELECT singletable.create_table('other."Mixed Case"', partition_key => 'p''k', sort_key => 's"k');
INSERT INTO other."Mixed Case" VALUES ('{"p''k": "a", "s\"k": "b"}');
SELECT pk, sk FROM other."Mixed Case";
SELECT singletable.describe_table('other."Mixed Case"') -> 'KeySchema';

-- describe/drop of something that is not a singletable table
CREATE TABLE plain (x int);
SELECT singletable.describe_table('plain');
SELECT singletable.drop_table('plain');
SELECT singletable.describe_table('nosuch');

-- drop_table removes the table and its catalog row; so does plain DROP TABLE.
SELECT singletable.drop_table('nums');
SELECT to_regclass('nums');
DROP TABLE bins;
DROP SCHEMA other CASCADE;
SELECT relid FROM singletable.tables t JOIN pg_class c ON c.oid = t.relid
 WHERE c.relnamespace = 'tables_test'::regnamespace ORDER BY 1;

-- The catalog survives a dump: it is an extension configuration table.
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS x(oid) JOIN pg_class c ON c.oid = x.oid
 WHERE e.extname = 'singletable' AND c.relname IN ('tables', 'indexes') ORDER BY 1;
RESET search_path;
DROP SCHEMA tables_test CASCADE;
