-- The read path of query and scan, on index tables and on the table, after
-- the changes that made a GSI query page cheaper: a page's items are
-- measured for the 1 MB limit only once an upper bound of their sizes could
-- reach it (read back from the page then), a row's key columns are read
-- only when the page ends on it or an LSI read fetches its item from the
-- table, and LastEvaluatedKey is built without pushJsonbValue for string
-- and number keys.  Every page here is shown whole: these are the results
-- the old path gave.  Then pages around the 1 MB limit, compared with the
-- same read through a filter that keeps every item (which measures every
-- item as it is read).
SET client_min_messages = warning;
\pset format unaligned
CREATE SCHEMA perf_gsi_query_paths;
SET search_path = perf_gsi_query_paths, public;

-- 20 users in 2 orgs; every fifth has no GSI1PK (sparse: in no index on
-- it), user 7's GSI1SK is a number (left out of the indexes whose sort key
-- it is, as an index key violation).
SELECT singletable.create_table('t');
INSERT INTO t (item)
SELECT jsonb_strip_nulls(jsonb_build_object('PK', 'U#' || lpad(u::text, 2, '0'), 'SK', 'P',
	'GSI1PK', CASE WHEN u % 5 <> 0 THEN 'ORG#' || u % 2 END,
	'GSI1SK', CASE WHEN u = 7 THEN to_jsonb(7) ELSE to_jsonb('N#' || lpad((40 - u)::text, 2, '0')) END,
	'name', 'user ' || u, 'age', 20 + u % 7, 'tags', jsonb_build_array('a', u)))
  FROM generate_series(1, 20) u;
-- and three orders of user 1, for the LSI
INSERT INTO t (item)
SELECT jsonb_build_object('PK', 'U#01', 'SK', 'O#' || o, 'order_total', 10 * o, 'order_state', 'S' || o % 2)
  FROM generate_series(1, 3) o;
SELECT singletable.create_index('t', 'GSI1', 'GSI1PK', 'GSI1SK');
SELECT singletable.create_index('t', 'Keys', 'GSI1PK', 'GSI1SK', projection => 'KEYS_ONLY');
SELECT singletable.create_index('t', 'Inc', 'GSI1PK', 'GSI1SK', projection => 'INCLUDE', include => ARRAY['name']);
SELECT singletable.create_index('t', 'Hash', 'GSI1PK');
SELECT singletable.create_index('t', 'Age', 'GSI1PK', 'age', sort_key_type => 'N');
SELECT singletable.create_index('t', 'Local', 'PK', 'order_total', sort_key_type => 'N',
                                projection => 'KEYS_ONLY', local => true);
CREATE FUNCTION q(cond text, vals jsonb, ix text, lim bigint DEFAULT NULL, fwd boolean DEFAULT true,
                  start jsonb DEFAULT NULL, filt text DEFAULT NULL, proj text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql AS $$
	SELECT singletable.query('perf_gsi_query_paths.t', cond, "values" => vals, index => ix,
	                         "limit" => lim, forward => fwd, start_key => start,
	                         filter => filt, projection => proj)
$$;

-- ALL, KEYS_ONLY, INCLUDE: a whole partition, then a page of 3 and the next
SELECT q('GSI1PK = :o', '{":o": "ORG#1"}', 'GSI1');
SELECT q('GSI1PK = :o', '{":o": "ORG#1"}', 'Keys');
SELECT q('GSI1PK = :o', '{":o": "ORG#1"}', 'Inc');
SELECT q('GSI1PK = :o', '{":o": "ORG#0"}', 'GSI1', 3);
SELECT q('GSI1PK = :o', '{":o": "ORG#0"}', 'GSI1', 3,
         start => q('GSI1PK = :o', '{":o": "ORG#0"}', 'GSI1', 3) -> 'LastEvaluatedKey');
SELECT q('GSI1PK = :o', '{":o": "ORG#0"}', 'Keys', 3,
         start => q('GSI1PK = :o', '{":o": "ORG#0"}', 'Keys', 3) -> 'LastEvaluatedKey');
-- backward, with a start key
SELECT q('GSI1PK = :o', '{":o": "ORG#1"}', 'Inc', 2, false);
SELECT q('GSI1PK = :o', '{":o": "ORG#1"}', 'Inc', 2, false,
         q('GSI1PK = :o', '{":o": "ORG#1"}', 'Inc', 2, false) -> 'LastEvaluatedKey');
-- begins_with and between on the index sort key
SELECT q('GSI1PK = :o AND begins_with(GSI1SK, :p)', '{":o": "ORG#1", ":p": "N#2"}', 'GSI1', proj => 'PK, GSI1SK');
SELECT q('GSI1PK = :o AND GSI1SK BETWEEN :a AND :b', '{":o": "ORG#0", ":a": "N#24", ":b": "N#32"}', 'Keys', 2);
SELECT q('GSI1PK = :o AND GSI1SK < :a', '{":o": "ORG#0", ":a": "N#30"}', 'GSI1', 2, false, proj => 'PK');
-- filters and projections (ScannedCount counts the items the filter drops)
SELECT q('GSI1PK = :o', '{":o": "ORG#1", ":a": 23}', 'GSI1', 4, filt => 'age > :a');
SELECT singletable.query('t', 'GSI1PK = :o', names => '{"#n": "name"}', "values" => '{":o": "ORG#0"}',
                         index => 'GSI1', projection => 'tags[1], #n', "limit" => 3);
SELECT singletable.query('t', 'GSI1PK = :o', names => '{"#n": "name"}', "values" => '{":o": "ORG#0", ":u": "user 1"}',
                         index => 'Inc', filter => 'begins_with(#n, :u)');
-- a partition-key-only index (keys GSI1PK, PK, SK) and a number sort key
SELECT q('GSI1PK = :o', '{":o": "ORG#1"}', 'Hash', 3);
SELECT q('GSI1PK = :o', '{":o": "ORG#1"}', 'Hash', 3,
         start => q('GSI1PK = :o', '{":o": "ORG#1"}', 'Hash', 3) -> 'LastEvaluatedKey');
SELECT q('GSI1PK = :o AND age >= :a', '{":o": "ORG#0", ":a": 23}', 'Age', 3, false, proj => 'PK, age');
-- sparse and wrong-typed items are in no page: 15 in the indexes on GSI1SK,
-- 16 in the others
SELECT ix, (SELECT sum((q('GSI1PK = :o', jsonb_build_object(':o', o), ix) ->> 'Count')::int)
              FROM unnest(ARRAY['ORG#0', 'ORG#1']) o) AS items
  FROM unnest(ARRAY['GSI1', 'Keys', 'Inc', 'Hash', 'Age']) ix;
-- the LSI: its own attributes, then with the table's (filter and projection
-- naming an attribute it does not project: each item comes from the table)
SELECT q('PK = :p', '{":p": "U#01"}', 'Local', 2);
SELECT q('PK = :p AND order_total > :t', '{":p": "U#01", ":t": 10, ":s": "S1"}', 'Local', filt => 'order_state = :s');
SELECT q('PK = :p', '{":p": "U#01"}', 'Local', 2, false, proj => 'order_state, order_total');
SELECT q('PK = :p', '{":p": "U#01"}', 'Local', 1, false,
         q('PK = :p', '{":p": "U#01"}', 'Local', 1, false, proj => 'order_state') -> 'LastEvaluatedKey',
         proj => 'order_state');
-- the table itself, query_items, scans of an index (segments too)
SELECT q('PK = :p AND begins_with(SK, :s)', '{":p": "U#01", ":s": "O#"}', NULL, 2);
SELECT singletable.query_items('t', 'GSI1PK = :o', "values" => '{":o": "ORG#1"}', index => 'Keys', "limit" => 3);
SELECT singletable.scan('t', index => 'Inc', "limit" => 4);
SELECT singletable.scan('t', index => 'Inc', "limit" => 4,
                        start_key => singletable.scan('t', index => 'Inc', "limit" => 4) -> 'LastEvaluatedKey');
SELECT s, singletable.scan('t', index => 'Keys', segment => s, total_segments => 4, "limit" => 2)
  FROM generate_series(0, 3) s;

-- A binary sort key: LastEvaluatedKey through pushJsonbValue.
SELECT singletable.create_table('b', sort_key_type => 'B');
SELECT singletable.put_item('b', jsonb_build_object('PK', 'x', 'SK', jsonb_build_object('$B', encode(int4send(i), 'base64')),
                                                   'GB', 'g', 'n', i))
  FROM generate_series(1, 3) i;
SELECT singletable.create_index('b', 'ByG', 'GB', 'n', sort_key_type => 'N');
SELECT singletable.query('b', 'GB = :g', "values" => '{":g": "g"}', index => 'ByG', "limit" => 2);
SELECT singletable.query('b', 'PK = :p', "values" => '{":p": "x"}', "limit" => 2, forward => false);

-- An index built online: not readable while CREATING, then the same pages
-- as the index built with the table.
BEGIN;
SELECT singletable.create_index('t', 'Online', 'GSI1PK', 'GSI1SK', online => true);
SAVEPOINT s;
SELECT q('GSI1PK = :o', '{":o": "ORG#1"}', 'Online');
ROLLBACK TO s;
COMMIT;
-- (waits at most 60 s for describe_table to show it ACTIVE)
DO $$
BEGIN
  FOR i IN 1..6000 LOOP
    EXIT WHEN singletable.describe_table('perf_gsi_query_paths.t') @?
      '$.GlobalSecondaryIndexes[*] ? (@.IndexName == "Online" && @.IndexStatus == "ACTIVE")';
    PERFORM pg_sleep(0.01);
  END LOOP;
END
$$;
SELECT q('GSI1PK = :o', '{":o": "ORG#1"}', 'Online', 4) = q('GSI1PK = :o', '{":o": "ORG#1"}', 'GSI1', 4) AS same,
       q('GSI1PK = :o', '{":o": "ORG#0"}', 'Online', 4, false) = q('GSI1PK = :o', '{":o": "ORG#0"}', 'GSI1', 4, false) AS same_backward;

-- Around the 1 MB page: 25 items of about 43 KB in one index partition,
-- the 24th of len bytes.  The page without a filter ends exactly where the
-- page that measures every item ends, on both sides of the boundary, for
-- the table, an index of it and a scan.
SELECT singletable.create_table('big');
SELECT singletable.create_index('big', 'ByG', 'g', 'n', sort_key_type => 'N');
CREATE FUNCTION fill(len int) RETURNS void LANGUAGE sql AS $$
  SELECT singletable.put_item('perf_gsi_query_paths.big', jsonb_build_object('PK', 'p', 'SK', lpad(i::text, 2, '0'),
         'g', 'G', 'n', i, 'b', repeat('b', CASE WHEN i = 23 THEN len WHEN i < 23 THEN 43411 ELSE 1 END)))
    FROM generate_series(0, 24) i
$$;
CREATE FUNCTION pages(len int) RETURNS TABLE (item_len int, read text, count int, last jsonb, same boolean)
LANGUAGE plpgsql AS $$
DECLARE
  a jsonb;
  b jsonb;
BEGIN
  PERFORM perf_gsi_query_paths.fill(len);
  a := singletable.query('perf_gsi_query_paths.big', 'PK = :p', "values" => '{":p": "p"}');
  b := singletable.query('perf_gsi_query_paths.big', 'PK = :p', "values" => '{":p": "p"}', filter => 'attribute_exists(b)');
  RETURN QUERY SELECT len, 'table', (a ->> 'Count')::int, a -> 'LastEvaluatedKey', a = b;
  a := singletable.query('perf_gsi_query_paths.big', 'g = :g', "values" => '{":g": "G"}', index => 'ByG', forward => false);
  b := singletable.query('perf_gsi_query_paths.big', 'g = :g', "values" => '{":g": "G"}', index => 'ByG', forward => false,
                         filter => 'attribute_exists(b)');
  RETURN QUERY SELECT len, 'index, backward', (a ->> 'Count')::int, a -> 'LastEvaluatedKey', a = b;
  a := singletable.scan('perf_gsi_query_paths.big', index => 'ByG');
  b := singletable.scan('perf_gsi_query_paths.big', index => 'ByG', filter => 'attribute_exists(b)');
  RETURN QUERY SELECT len, 'index scan', (a ->> 'Count')::int, a -> 'LastEvaluatedKey', a = b;
END
$$;
-- 42524 / 42525: the last item read backward reaches 1 MB, or not;
-- 42559 / 42560: the 24th read forward does, or not
SELECT p.* FROM unnest(ARRAY[42524, 42525, 42559, 42560]) l, pages(l) p;
-- the next page after a page that ended at 1 MB
SELECT singletable.query('big', 'PK = :p', "values" => '{":p": "p"}', projection => 'SK',
                         start_key => singletable.query('big', 'PK = :p', "values" => '{":p": "p"}') -> 'LastEvaluatedKey');

RESET search_path;
DROP SCHEMA perf_gsi_query_paths CASCADE;
