-- Queries: key conditions on the primary key, filters, projections,
-- limits and pagination, order, the 1 MB page, key types, indexes,
-- query_items, privileges and row-level security, and every error path.
SET client_min_messages = warning;
SELECT singletable.create_table('app');
INSERT INTO app(item) VALUES
	('{"PK": "USER#1", "SK": "PROFILE", "fname": "Ann"}'),
	('{"PK": "USER#1", "SK": "ORDER#001", "price": 10, "status": "PENDING"}'),
	('{"PK": "USER#1", "SK": "ORDER#002", "price": 25, "status": "SHIPPED"}'),
	('{"PK": "USER#1", "SK": "ORDER#003", "price": 5, "status": "PENDING"}'),
	('{"PK": "USER#1", "SK": "ORDER#010", "price": 70, "status": "SHIPPED"}'),
	('{"PK": "USER#1", "SK": "ADDRESS#home", "city": "Oslo"}'),
	('{"PK": "USER#2", "SK": "PROFILE", "fname": "Bob"}'),
	('{"PK": "USER#2", "SK": "ORDER#001", "price": 99}');

-- The partition key alone: every item of the partition, in sort key order.
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "USER#1"}');
-- begins_with on the sort key: the one-to-many access pattern
SELECT singletable.query('app', 'PK = :pk AND begins_with(SK, :p)', "values" => '{":pk": "USER#1", ":p": "ORDER#"}');
-- every sort key operator
SELECT jsonb_path_query_array(singletable.query('app', 'PK = :pk AND SK = :s', "values" => '{":pk": "USER#1", ":s": "ORDER#002"}'), '$.Items[*].SK') AS eq;
SELECT jsonb_path_query_array(singletable.query('app', 'PK = :pk AND SK < :s', "values" => '{":pk": "USER#1", ":s": "ORDER#002"}'), '$.Items[*].SK') AS lt;
SELECT jsonb_path_query_array(singletable.query('app', 'PK = :pk AND SK <= :s', "values" => '{":pk": "USER#1", ":s": "ORDER#002"}'), '$.Items[*].SK') AS le;
SELECT jsonb_path_query_array(singletable.query('app', 'PK = :pk AND SK > :s', "values" => '{":pk": "USER#1", ":s": "ORDER#002"}'), '$.Items[*].SK') AS gt;
SELECT jsonb_path_query_array(singletable.query('app', 'PK = :pk AND SK >= :s', "values" => '{":pk": "USER#1", ":s": "ORDER#002"}'), '$.Items[*].SK') AS ge;
SELECT jsonb_path_query_array(singletable.query('app', 'PK = :pk AND SK BETWEEN :a AND :b', "values" => '{":pk": "USER#1", ":a": "ORDER#002", ":b": "ORDER#010"}'), '$.Items[*].SK') AS between;
-- the conditions in either order, with #names, values on the left
SELECT jsonb_path_query_array(singletable.query('app', 'begins_with(#s, :p) AND #p = :pk', names => '{"#p": "PK", "#s": "SK"}', "values" => '{":pk": "USER#1", ":p": "ADDRESS#"}'), '$.Items[*].SK') AS swapped;
SELECT jsonb_path_query_array(singletable.query('app', 'SK = :s AND PK = :pk', "values" => '{":pk": "USER#2", ":s": "PROFILE"}'), '$.Items[*].SK') AS two_equalities;
SELECT jsonb_path_query_array(singletable.query('app', '(PK = :pk) AND (:s < SK)', "values" => '{":pk": "USER#1", ":s": "ORDER#010"}'), '$.Items[*].SK') AS value_first;
-- no match: an empty page
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "NOBODY"}');
SELECT singletable.query('app', 'PK = :pk AND begins_with(SK, :p)', "values" => '{":pk": "USER#1", ":p": "ZZZ"}');

-- forward => false reads the sort key backwards.
SELECT jsonb_path_query_array(singletable.query('app', 'PK = :pk AND begins_with(SK, :p)', "values" => '{":pk": "USER#1", ":p": "ORDER#"}', forward => false), '$.Items[*].SK') AS backward;
SELECT jsonb_path_query_array(singletable.query('app', 'PK = :pk AND SK BETWEEN :a AND :b', "values" => '{":pk": "USER#1", ":a": "ORDER#002", ":b": "PROFILE"}', forward => false), '$.Items[*].SK') AS backward_between;

-- Filters run after the key condition: ScannedCount counts items read,
-- Count those returned.  Projections keep the named paths.
SELECT singletable.query('app', 'PK = :pk AND begins_with(SK, :p)', filter => '#st = :s AND price > :t',
	names => '{"#st": "status"}', "values" => '{":pk": "USER#1", ":p": "ORDER#", ":s": "SHIPPED", ":t": 30}');
SELECT singletable.query('app', 'PK = :pk AND begins_with(SK, :p)', projection => 'SK, price',
	"values" => '{":pk": "USER#1", ":p": "ORDER#"}');
SELECT singletable.query('app', 'PK = :pk', filter => 'attribute_exists(#n)', projection => '#n',
	names => '{"#n": "fname"}', "values" => '{":pk": "USER#2"}');

-- limit counts items evaluated, before the filter, as DynamoDB's Limit;
-- LastEvaluatedKey resumes right after the last item evaluated.
SELECT singletable.query('app', 'PK = :pk AND begins_with(SK, :p)', "values" => '{":pk": "USER#1", ":p": "ORDER#"}', "limit" => 2);
SELECT singletable.query('app', 'PK = :pk AND begins_with(SK, :p)', "values" => '{":pk": "USER#1", ":p": "ORDER#"}', "limit" => 2,
	start_key => '{"PK": "USER#1", "SK": "ORDER#002"}');
-- a page that reaches the limit has a LastEvaluatedKey even when nothing follows,
-- and the next page is empty without one
SELECT singletable.query('app', 'PK = :pk AND begins_with(SK, :p)', "values" => '{":pk": "USER#1", ":p": "ORDER#"}', "limit" => 2,
	start_key => '{"PK": "USER#1", "SK": "ORDER#002"}') -> 'LastEvaluatedKey' AS last_key;
SELECT singletable.query('app', 'PK = :pk AND begins_with(SK, :p)', "values" => '{":pk": "USER#1", ":p": "ORDER#"}', "limit" => 2,
	start_key => '{"PK": "USER#1", "SK": "ORDER#010"}');
-- limit with a filter: items evaluated, not items returned
SELECT singletable.query('app', 'PK = :pk AND begins_with(SK, :p)', filter => '#st = :s', names => '{"#st": "status"}',
	"values" => '{":pk": "USER#1", ":p": "ORDER#", ":s": "SHIPPED"}', "limit" => 1);
-- backwards from a start key
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "USER#1"}', forward => false, "limit" => 2,
	start_key => '{"PK": "USER#1", "SK": "ORDER#010"}');

-- Pagination: 1,000 items in pages of 7 evaluated; every item exactly once,
-- in order, in 143 pages, forwards and backwards, with and without a filter.
INSERT INTO app(item) SELECT jsonb_build_object('PK', 'BIG', 'SK', 'ITEM#' || lpad(i::text, 4, '0'), 'n', i)
	FROM generate_series(1, 1000) i;
CREATE TEMP TABLE pages AS
WITH RECURSIVE p(n, page) AS (
	SELECT 1, singletable.query('app', 'PK = :pk', "values" => '{":pk": "BIG"}', "limit" => 7)
	UNION ALL
	SELECT n + 1, singletable.query('app', 'PK = :pk', "values" => '{":pk": "BIG"}', "limit" => 7,
		start_key => page -> 'LastEvaluatedKey')
	FROM p WHERE page ? 'LastEvaluatedKey')
SELECT n, page FROM p;
SELECT count(*) AS pages, sum((page ->> 'Count')::int) AS items, max((page ->> 'ScannedCount')::int) AS max_page FROM pages;
SELECT count(*) AS items, count(DISTINCT i ->> 'SK') AS distinct_items,
	array_agg((i ->> 'n')::int ORDER BY n, o) = array(SELECT generate_series(1, 1000)) AS in_order
FROM pages, jsonb_array_elements(page -> 'Items') WITH ORDINALITY AS e(i, o);
DROP TABLE pages;
CREATE TEMP TABLE pages AS
WITH RECURSIVE p(n, page) AS (
	SELECT 1, singletable.query('app', 'PK = :pk', "values" => '{":pk": "BIG"}', "limit" => 7, forward => false)
	UNION ALL
	SELECT n + 1, singletable.query('app', 'PK = :pk', "values" => '{":pk": "BIG"}', "limit" => 7, forward => false,
		start_key => page -> 'LastEvaluatedKey')
	FROM p WHERE page ? 'LastEvaluatedKey')
SELECT n, page FROM p;
SELECT count(DISTINCT n) AS pages, count(DISTINCT i ->> 'SK') AS distinct_items,
	array_agg((i ->> 'n')::int ORDER BY n, o) = array(SELECT generate_series(1000, 1, -1)) AS in_order
FROM pages, jsonb_array_elements(page -> 'Items') WITH ORDINALITY AS e(i, o);
DROP TABLE pages;
CREATE TEMP TABLE pages AS
WITH RECURSIVE p(n, page) AS (
	SELECT 1, singletable.query('app', 'PK = :pk AND SK BETWEEN :a AND :b', filter => 'n < :x',
		"values" => '{":pk": "BIG", ":a": "ITEM#0100", ":b": "ITEM#0899", ":x": 150}', "limit" => 7)
	UNION ALL
	SELECT n + 1, singletable.query('app', 'PK = :pk AND SK BETWEEN :a AND :b', filter => 'n < :x',
		"values" => '{":pk": "BIG", ":a": "ITEM#0100", ":b": "ITEM#0899", ":x": 150}', "limit" => 7,
		start_key => page -> 'LastEvaluatedKey')
	FROM p WHERE page ? 'LastEvaluatedKey')
SELECT n, page FROM p;
SELECT count(*) AS pages, sum((page ->> 'ScannedCount')::int) AS scanned, sum((page ->> 'Count')::int) AS returned,
	(SELECT array_agg((i ->> 'n')::int ORDER BY n, o) FROM pages, jsonb_array_elements(page -> 'Items') WITH ORDINALITY AS e(i, o))
		= array(SELECT generate_series(100, 149)) AS exact
FROM pages;
DROP TABLE pages;

-- A page stops at 1 MB of items read (the uncompressed size of the stored
-- jsonb; the item that reaches 1 MB ends the page): items of about 100 KB
-- come 11 to a page.
INSERT INTO app(item) SELECT jsonb_build_object('PK', 'LARGE', 'SK', 'DOC#' || lpad(i::text, 2, '0'), 'body', repeat('x', 100000))
	FROM generate_series(1, 30) i;
CREATE TEMP TABLE pages AS
WITH RECURSIVE p(n, page) AS (
	SELECT 1, singletable.query('app', 'PK = :pk', projection => 'SK', "values" => '{":pk": "LARGE"}')
	UNION ALL
	SELECT n + 1, singletable.query('app', 'PK = :pk', projection => 'SK', "values" => '{":pk": "LARGE"}',
		start_key => page -> 'LastEvaluatedKey')
	FROM p WHERE page ? 'LastEvaluatedKey')
SELECT n, page FROM p;
SELECT n, page ->> 'Count' AS count, page -> 'LastEvaluatedKey' AS last_key FROM pages ORDER BY n;
SELECT count(DISTINCT i ->> 'SK') AS distinct_items FROM pages, jsonb_array_elements(page -> 'Items') i;
DROP TABLE pages;

-- Sort key order: strings in byte order ('B' < 'a', 'z' < 'é'), numbers
-- numerically (2 < 10), binary in byte order.
INSERT INTO app(item) VALUES ('{"PK": "ORDER", "SK": "a"}'), ('{"PK": "ORDER", "SK": "B"}'),
	('{"PK": "ORDER", "SK": "é"}'), ('{"PK": "ORDER", "SK": "z"}'), ('{"PK": "ORDER", "SK": "10"}'),
	('{"PK": "ORDER", "SK": "2"}'), ('{"PK": "ORDER", "SK": "a "}'), ('{"PK": "ORDER", "SK": "ab"}'), ('{"PK": "ORDER", "SK": "A"}');
SELECT jsonb_path_query_array(singletable.query('app', 'PK = :pk', "values" => '{":pk": "ORDER"}'), '$.Items[*].SK') AS strings;
SELECT jsonb_path_query_array(singletable.query('app', 'PK = :pk AND begins_with(SK, :p)', "values" => '{":pk": "ORDER", ":p": "a"}', forward => false), '$.Items[*].SK') AS prefix_a;
SELECT singletable.create_table('nums', sort_key => 'n', sort_key_type => 'N');
INSERT INTO nums(item) VALUES ('{"PK": "p", "n": 10}'), ('{"PK": "p", "n": 2}'), ('{"PK": "p", "n": -3.5}'),
	('{"PK": "p", "n": 1e3}'), ('{"PK": "p", "n": 2.25}'), ('{"PK": "p", "n": 0}');
SELECT jsonb_path_query_array(singletable.query('nums', 'PK = :pk', "values" => '{":pk": "p"}'), '$.Items[*].n') AS numbers;
SELECT jsonb_path_query_array(singletable.query('nums', 'PK = :pk AND n BETWEEN :a AND :b', "values" => '{":pk": "p", ":a": 2, ":b": 10}'), '$.Items[*].n') AS between;
SELECT jsonb_path_query_array(singletable.query('nums', 'PK = :pk AND n > :a', "values" => '{":pk": "p", ":a": 2.0}', forward => false), '$.Items[*].n') AS gt_backward;
SELECT singletable.query('nums', 'PK = :pk', "values" => '{":pk": "p"}', "limit" => 2, start_key => '{"PK": "p", "n": 0}');
SELECT singletable.create_table('bins', sort_key_type => 'B');
-- SK bytes: 00, 01, 01 ff, 02, ff, ff ff, ff 00
INSERT INTO bins(item) VALUES ('{"PK": "p", "SK": {"$B": "AA=="}}'), ('{"PK": "p", "SK": {"$B": "AQ=="}}'), ('{"PK": "p", "SK": {"$B": "Af8="}}'),
	('{"PK": "p", "SK": {"$B": "Ag=="}}'), ('{"PK": "p", "SK": {"$B": "/w=="}}'), ('{"PK": "p", "SK": {"$B": "//8="}}'), ('{"PK": "p", "SK": {"$B": "/wA="}}');
SELECT jsonb_path_query_array(singletable.query('bins', 'PK = :pk', "values" => '{":pk": "p"}'), '$.Items[*].SK') AS binary;
-- begins_with on bytes, including a prefix of 0xff bytes (no upper bound)
SELECT jsonb_path_query_array(singletable.query('bins', 'PK = :pk AND begins_with(SK, :b)', "values" => '{":pk": "p", ":b": {"$B": "AQ=="}}'), '$.Items[*].SK') AS prefix_01;
SELECT jsonb_path_query_array(singletable.query('bins', 'PK = :pk AND begins_with(SK, :b)', "values" => '{":pk": "p", ":b": {"$B": "/w=="}}', forward => false), '$.Items[*].SK') AS prefix_ff;
SELECT singletable.query('bins', 'PK = :pk AND SK > :b', "values" => '{":pk": "p", ":b": {"$B": "Ag=="}}', "limit" => 1);

-- Hash-only tables: a query returns the partition's one item.
SELECT singletable.create_table('kv', sort_key => NULL);
INSERT INTO kv(item) VALUES ('{"PK": "k1", "v": 1}'), ('{"PK": "k2", "v": 2}');
SELECT singletable.query('kv', 'PK = :pk', "values" => '{":pk": "k1"}');
SELECT singletable.query('kv', 'PK = :pk', "values" => '{":pk": "k1"}', "limit" => 1);
SELECT singletable.query('kv', 'PK = :pk', "values" => '{":pk": "k1"}', start_key => '{"PK": "k1"}');
-- a number partition key
SELECT singletable.create_table('numpk', partition_key => 'id', partition_key_type => 'N', sort_key => NULL);
INSERT INTO numpk(item) VALUES ('{"id": 1}'), ('{"id": 1.5}');
SELECT singletable.query('numpk', 'id = :id', "values" => '{":id": 1.50}');

-- Global secondary indexes: the same operations on an index's keys;
-- pages over equal index keys neither lose nor repeat an item.
SELECT singletable.create_index('app', 'GSI1', 'GSI1PK', 'GSI1SK') IS NOT NULL AS created;
INSERT INTO app(item) SELECT jsonb_build_object('PK', 'CUST#' || (i % 17), 'SK', 'INV#' || i,
	'GSI1PK', 'STATUS#' || (i % 2), 'GSI1SK', 'DAY#' || (i % 5)) FROM generate_series(1, 300) i;
SELECT singletable.query('app', 'GSI1PK = :s AND GSI1SK = :d', index => 'GSI1', "values" => '{":s": "STATUS#1", ":d": "DAY#3"}', "limit" => 2);
CREATE TEMP TABLE pages AS
WITH RECURSIVE p(n, page) AS (
	SELECT 1, singletable.query('app', 'GSI1PK = :s', index => 'GSI1', "values" => '{":s": "STATUS#1"}', "limit" => 4)
	UNION ALL
	SELECT n + 1, singletable.query('app', 'GSI1PK = :s', index => 'GSI1', "values" => '{":s": "STATUS#1"}', "limit" => 4,
		start_key => page -> 'LastEvaluatedKey')
	FROM p WHERE page ? 'LastEvaluatedKey')
SELECT n, page FROM p;
SELECT count(*) AS items, count(DISTINCT i ->> 'SK') AS distinct_items,
	array_agg(i ->> 'GSI1SK' ORDER BY n, o) = array_agg(i ->> 'GSI1SK' ORDER BY i ->> 'GSI1SK') AS sorted
FROM pages, jsonb_array_elements(page -> 'Items') WITH ORDINALITY AS e(i, o);
DROP TABLE pages;
CREATE TEMP TABLE pages AS
WITH RECURSIVE p(n, page) AS (
	SELECT 1, singletable.query('app', 'GSI1PK = :s AND GSI1SK <= :d', index => 'GSI1', "values" => '{":s": "STATUS#0", ":d": "DAY#2"}', "limit" => 5, forward => false)
	UNION ALL
	SELECT n + 1, singletable.query('app', 'GSI1PK = :s AND GSI1SK <= :d', index => 'GSI1', "values" => '{":s": "STATUS#0", ":d": "DAY#2"}', "limit" => 5, forward => false,
		start_key => page -> 'LastEvaluatedKey')
	FROM p WHERE page ? 'LastEvaluatedKey')
SELECT n, page FROM p;
SELECT count(*) AS items, count(DISTINCT i ->> 'SK') AS distinct_items,
	(SELECT count(*) FROM app WHERE item ->> 'GSI1PK' = 'STATUS#0' AND item ->> 'GSI1SK' <= 'DAY#2') AS expected
FROM pages, jsonb_array_elements(page -> 'Items') i;
DROP TABLE pages;

-- query_items: the same query as a set of items, every page.
SELECT count(*), count(DISTINCT i ->> 'SK') FROM singletable.query_items('app', 'PK = :pk', "values" => '{":pk": "BIG"}') i;
SELECT i FROM singletable.query_items('app', 'PK = :pk AND begins_with(SK, :p)', filter => 'price >= :t', projection => 'SK, price',
	"values" => '{":pk": "USER#1", ":p": "ORDER#", ":t": 10}', forward => false) i;
-- limit caps the items evaluated in all; start_key resumes
SELECT i -> 'SK' FROM singletable.query_items('app', 'PK = :pk', "values" => '{":pk": "BIG"}', "limit" => 3,
	start_key => '{"PK": "BIG", "SK": "ITEM#0998"}') i;
SELECT count(*) FROM singletable.query_items('app', 'PK = :pk', "values" => '{":pk": "LARGE"}');
SELECT count(*) FROM singletable.query_items('app', 'GSI1PK = :s', index => 'GSI1', "values" => '{":s": "STATUS#1"}');

-- Privileges: the caller needs SELECT on the table.
CREATE ROLE query_reader;
GRANT USAGE ON SCHEMA public TO query_reader;
SET ROLE query_reader;
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "USER#2"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT SELECT ON app TO query_reader;
SET ROLE query_reader;
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "USER#2"}') ->> 'Count' AS count;
RESET ROLE;

-- Row-level security applies: rows are read through SQL, policies decide.
CREATE POLICY only_user2 ON app FOR SELECT TO query_reader USING (pk = 'USER#2');
ALTER TABLE app ENABLE ROW LEVEL SECURITY;
SET ROLE query_reader;
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "USER#1"}');
SELECT singletable.query('app', 'PK = :pk AND SK > :s', "values" => '{":pk": "USER#2", ":s": "A"}', "limit" => 1);
SELECT singletable.query('app', 'PK = :pk AND SK > :s', "values" => '{":pk": "USER#2", ":s": "A"}', "limit" => 1,
	start_key => '{"PK": "USER#2", "SK": "ORDER#001"}', forward => true);
SELECT count(*) FROM singletable.query_items('app', 'PK = :pk', "values" => '{":pk": "USER#2"}');
-- the index has no policies of its own: reading it would bypass the table's
SELECT singletable.query('app', 'GSI1PK = :s', index => 'GSI1', "values" => '{":s": "STATUS#1"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
-- an index table with policies of its own is read through SQL, under them
ALTER TABLE "app__GSI1" ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_cust1 ON "app__GSI1" FOR SELECT TO query_reader USING (pk = 'CUST#1');
GRANT SELECT ON "app__GSI1" TO query_reader;
SET ROLE query_reader;
SELECT singletable.query('app', 'GSI1PK = :s', index => 'GSI1', "values" => '{":s": "STATUS#1"}', "limit" => 2);
SELECT singletable.query('app', 'GSI1PK = :s', index => 'GSI1', "values" => '{":s": "STATUS#1"}', "limit" => 2,
	start_key => '{"GSI1PK": "STATUS#1", "GSI1SK": "DAY#0", "PK": "CUST#1", "SK": "INV#35"}');
SELECT jsonb_path_query_array(singletable.query('app', 'GSI1PK = :s', index => 'GSI1', "values" => '{":s": "STATUS#1"}', forward => false), '$.Items[*].SK') AS all_cust1;
RESET ROLE;
DROP POLICY only_cust1 ON "app__GSI1";
ALTER TABLE "app__GSI1" DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON "app__GSI1" FROM query_reader;
-- the owner is not subject to the policy
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "USER#1"}', "limit" => 1) ->> 'Count' AS owner_count;
ALTER TABLE app DISABLE ROW LEVEL SECURITY;
DROP POLICY only_user2 ON app;
REVOKE ALL ON app FROM query_reader;
REVOKE USAGE ON SCHEMA public FROM query_reader;
DROP ROLE query_reader;

-- Errors.  Not a singletable table: ResourceNotFoundException.
CREATE TABLE plain (x int);
SELECT singletable.query('plain', 'PK = :pk', "values" => '{":pk": "a"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query(NULL, 'PK = :pk', "values" => '{":pk": "a"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- malformed expressions say where
SELECT singletable.query('app', 'PK = :pk AND', "values" => '{":pk": "a"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk', filter => 'price >', "values" => '{":pk": "a"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk', projection => 'a,,b', "values" => '{":pk": "a"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- placeholders: missing, unused
SELECT singletable.query('app', 'PK = :pk');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "a", ":x": 1}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- conditions not on the key schema
SELECT singletable.query('app', 'fname = :n', "values" => '{":n": "Ann"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk AND price > :t', "values" => '{":pk": "USER#1", ":t": 1}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'SK = :s', "values" => '{":s": "PROFILE"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('kv', 'PK = :pk AND v = :v', "values" => '{":pk": "k1", ":v": 1}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK > :pk', "values" => '{":pk": "a"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk OR SK = :s', "values" => '{":pk": "a", ":s": "b"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk AND contains(SK, :s)', "values" => '{":pk": "a", ":s": "b"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- values of the wrong type for the key
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": 1}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk AND SK > :s', "values" => '{":pk": "a", ":s": true}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('nums', 'PK = :pk AND n > :n', "values" => '{":pk": "p", ":n": "2"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('nums', 'PK = :pk AND begins_with(n, :n)', "values" => '{":pk": "p", ":n": 2}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('bins', 'PK = :pk AND SK > :b', "values" => '{":pk": "p", ":b": {"$B": "not base64!"}}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": ""}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk AND SK BETWEEN :a AND :b', "values" => '{":pk": "a", ":a": "z", ":b": "a"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- bad limits
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "a"}', "limit" => 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "a"}', "limit" => -5);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- bad start keys
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "USER#1"}', start_key => '{"PK": "USER#1"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "USER#1"}', start_key => '{"PK": "USER#1", "SK": "A", "x": 1}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "USER#1"}', start_key => '"USER#1"');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "USER#1"}', start_key => '{"PK": "USER#2", "SK": "A"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'PK = :pk', "values" => '{":pk": "USER#1"}', start_key => '{"PK": "USER#1", "SK": 5}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT singletable.query('app', 'GSI1PK = :s', index => 'GSI1', "values" => '{":s": "STATUS#1"}', start_key => '{"PK": "CUST#1", "SK": "INV#1"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- unknown index
SELECT singletable.query('app', 'PK = :pk', index => 'NoSuchIndex', "values" => '{":pk": "a"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the index's keys, not the table's
SELECT singletable.query('app', 'PK = :pk', index => 'GSI1', "values" => '{":pk": "a"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- query_items validates the same way, before returning anything
SELECT * FROM singletable.query_items('app', 'PK = :pk AND price > :t', "values" => '{":pk": "USER#1", ":t": 1}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

DROP TABLE plain;
SELECT singletable.drop_table('app');
SELECT singletable.drop_table('nums');
SELECT singletable.drop_table('bins');
SELECT singletable.drop_table('kv');
SELECT singletable.drop_table('numpk');
