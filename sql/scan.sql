-- Scans: every item of a table or index in key order, with filters,
-- projections, limits, pagination, the 1 MB page, parallel segments,
-- row-level security, and every error path.
SET client_min_messages = warning;
SELECT singletable.create_table('app');
INSERT INTO app(item) VALUES
	('{"PK": "USER#2", "SK": "PROFILE", "name": "Bob", "age": 40}'),
	('{"PK": "USER#1", "SK": "PROFILE", "name": "Ann", "age": 30}'),
	('{"PK": "USER#1", "SK": "ORDER#1", "total": 10}'),
	('{"PK": "ORG#1", "SK": "META", "name": "Acme"}');

-- A scan reads the table in primary key order (byte order of PK, then SK).
SELECT singletable.scan('app');
SELECT singletable.scan('app', filter => 'attribute_exists(#n) AND age >= :a', projection => '#n, age',
	names => '{"#n": "name"}', "values" => '{":a": 35}');
SELECT singletable.scan('app', "limit" => 2);
SELECT singletable.scan('app', "limit" => 2, start_key => '{"PK": "USER#1", "SK": "ORDER#1"}');
SELECT singletable.scan('app', start_key => '{"PK": "USER#2", "SK": "PROFILE"}');

-- Pagination over 1,000 more items in pages of 7: every item once, in key order.
INSERT INTO app(item) SELECT jsonb_build_object('PK', 'P#' || (i % 37), 'SK', 'S#' || i, 'n', i)
	FROM generate_series(1, 1000) i;
CREATE TEMP TABLE pages AS
WITH RECURSIVE p(n, page) AS (
	SELECT 1, singletable.scan('app', "limit" => 7)
	UNION ALL
	SELECT n + 1, singletable.scan('app', "limit" => 7, start_key => page -> 'LastEvaluatedKey')
	FROM p WHERE page ? 'LastEvaluatedKey')
SELECT n, page FROM p;
SELECT count(DISTINCT n) AS pages, count(*) AS items, count(DISTINCT (i ->> 'PK', i ->> 'SK')) AS distinct_items,
	array_agg(i ->> 'PK' || ' ' || (i ->> 'SK') ORDER BY n, o)
		= (SELECT array_agg(pk || ' ' || sk ORDER BY pk, sk) FROM app) AS key_order
FROM pages, jsonb_array_elements(page -> 'Items') WITH ORDINALITY AS e(i, o);
DROP TABLE pages;

-- Segments: each segment is paginated on its own; together they hold
-- every item once, and no partition is split across segments.
CREATE TEMP TABLE seg_items AS
WITH RECURSIVE p(seg, n, page) AS (
	SELECT s, 1, singletable.scan('app', "limit" => 50, segment => s, total_segments => 4)
	FROM generate_series(0, 3) s
	UNION ALL
	SELECT seg, n + 1, singletable.scan('app', "limit" => 50, segment => seg, total_segments => 4,
		start_key => page -> 'LastEvaluatedKey')
	FROM p WHERE page ? 'LastEvaluatedKey')
SELECT seg, i ->> 'PK' AS pk, i ->> 'SK' AS sk FROM p, jsonb_array_elements(page -> 'Items') i;
SELECT count(*) AS items, count(DISTINCT (pk, sk)) AS distinct_items, (SELECT count(*) FROM app) AS table_items,
	count(DISTINCT seg) AS segments_used FROM seg_items;
SELECT count(*) AS partitions_in_two_segments FROM (SELECT pk FROM seg_items GROUP BY pk HAVING count(DISTINCT seg) > 1) x;
DROP TABLE seg_items;
-- one segment of one is the whole table
SELECT (singletable.scan('app', segment => 0, total_segments => 1) ->> 'Count')::int = (SELECT count(*) FROM app) AS whole;
-- segments with a filter: the filter counts within the segment
SELECT sum((singletable.scan('app', filter => 'n <= :n', "values" => '{":n": 100}', segment => s, total_segments => 3) ->> 'Count')::int) AS filtered
FROM generate_series(0, 2) s;

-- A scan page stops at 1 MB of items read, like a query page.
SELECT singletable.create_table('docs', sort_key => NULL);
INSERT INTO docs(item) SELECT jsonb_build_object('PK', 'DOC#' || lpad(i::text, 2, '0'), 'body', repeat('y', 100000))
	FROM generate_series(1, 25) i;
SELECT page ->> 'Count' AS count, page -> 'LastEvaluatedKey' AS last_key
FROM (SELECT singletable.scan('docs', projection => 'PK') AS page) x;
SELECT singletable.scan('docs', projection => 'PK', start_key => '{"PK": "DOC#22"}');

-- Number partition keys: segments hash the number's value, so equal
-- numbers written differently land in the same segment.
SELECT singletable.create_table('nums', partition_key => 'id', partition_key_type => 'N', sort_key => 'v', sort_key_type => 'N');
INSERT INTO nums(item) SELECT jsonb_build_object('id', i % 10, 'v', i) FROM generate_series(1, 50) i;
INSERT INTO nums(item) VALUES ('{"id": 7.00, "v": 1000}');
SELECT sum((singletable.scan('nums', segment => s, total_segments => 3) ->> 'Count')::int) AS items FROM generate_series(0, 2) s;
SELECT count(DISTINCT s) AS segments_of_7, count(*) AS items_of_7
FROM generate_series(0, 2) s, jsonb_array_elements(singletable.scan('nums', segment => s, total_segments => 3) -> 'Items') i
WHERE (i ->> 'id')::numeric = 7;
SELECT singletable.scan('nums', "limit" => 3, start_key => '{"id": 2, "v": 42}');

-- Index scans read the index: only items with the index keys (sparse).
SELECT singletable.create_index('app', 'ByName', 'name') IS NOT NULL AS created;
SELECT singletable.scan('app', index => 'ByName');
SELECT singletable.scan('app', index => 'ByName', "limit" => 1);
SELECT singletable.scan('app', index => 'ByName', "limit" => 1, start_key => '{"name": "Acme", "PK": "ORG#1", "SK": "META"}');
SELECT sum((singletable.scan('app', index => 'ByName', segment => s, total_segments => 2) ->> 'Count')::int) AS items
FROM generate_series(0, 1) s;

-- Row-level security applies to scans too.
CREATE ROLE scan_reader;
GRANT USAGE ON SCHEMA public TO scan_reader;
GRANT SELECT ON app TO scan_reader;
CREATE POLICY users_only ON app FOR SELECT TO scan_reader USING (pk LIKE 'USER#%');
ALTER TABLE app ENABLE ROW LEVEL SECURITY;
SET ROLE scan_reader;
SELECT singletable.scan('app');
SELECT singletable.scan('app', "limit" => 1, start_key => '{"PK": "USER#1", "SK": "PROFILE"}');
SELECT sum((singletable.scan('app', segment => s, total_segments => 2) ->> 'Count')::int) AS items FROM generate_series(0, 1) s;
RESET ROLE;
ALTER TABLE app DISABLE ROW LEVEL SECURITY;
DROP POLICY users_only ON app;
SET ROLE scan_reader;
SELECT (singletable.scan('app', "limit" => 3) ->> 'Count') AS count;
RESET ROLE;
REVOKE SELECT ON app FROM scan_reader;
SET ROLE scan_reader;
SELECT singletable.scan('app');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE USAGE ON SCHEMA public FROM scan_reader;
DROP ROLE scan_reader;

-- Errors.
CREATE TABLE plain (x int);
SELECT singletable.scan('plain');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan(NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', segment => 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', total_segments => 4);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', segment => 4, total_segments => 4);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', segment => -1, total_segments => 4);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', segment => 0, total_segments => 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', segment => 0, total_segments => 1000001);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', "limit" => 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', filter => 'age >');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', filter => 'age > :a');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', "values" => '{":a": 1}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', names => '{"#n": "name"}', projection => 'age');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', start_key => '{"PK": "USER#1"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', start_key => '{"PK": 1, "SK": "x"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', index => 'ByName', start_key => '{"PK": "USER#1", "SK": "PROFILE"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.scan('app', index => 'NoSuchIndex');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

DROP TABLE plain;
SELECT singletable.drop_table('app');
SELECT singletable.drop_table('docs');
SELECT singletable.drop_table('nums');
