-- put_item's direct write path keeps per table, until DDL on the table,
-- what it would otherwise build from the catalog on every call: the range
-- table of its statement and the IndexInfo of each plain btree index
-- (expression and partial indexes get theirs built on every call, as
-- ExecOpenIndices builds them).  And it tells the executor which key
-- columns an update of the item changes, on tables with GSIs too, where
-- an update that is not HOT used to parse the generated columns'
-- expressions to find out.  Here are the cases where a stale or wrong
-- copy would show: indexes added and dropped after the first put, in the
-- same transaction too, unique indexes of the user's own, updates that are
-- not HOT on a table with GSIs; each compared with the upsert put_item
-- stands for, and every btree index checked against its table's rows
-- (amcheck, heapallindexed).
CREATE SCHEMA perf_put_paths;
SET search_path = perf_put_paths;
CREATE EXTENSION amcheck SCHEMA perf_put_paths;
SELECT singletable.create_table('d');
SELECT singletable.create_table('s');	-- the same writes as the upsert
-- put into d with put_item, into s with the upsert put_item stands for
CREATE FUNCTION put(item jsonb) RETURNS void LANGUAGE sql AS $$
  SELECT singletable.put_item('perf_put_paths.d', item);
  INSERT INTO perf_put_paths.s (item) VALUES (item) ON CONFLICT (pk, sk) DO UPDATE SET item = excluded.item;
$$;
-- the rows of d that s does not have, and the reverse
CREATE FUNCTION diff() RETURNS TABLE (side text, item jsonb) LANGUAGE sql AS $$
  (SELECT 'only d', item FROM perf_put_paths.d EXCEPT SELECT 'only d', item FROM perf_put_paths.s)
  UNION ALL (SELECT 'only s', item FROM perf_put_paths.s EXCEPT SELECT 'only s', item FROM perf_put_paths.d)
$$;
-- every btree index of the schema holds exactly its table's rows (an
-- error otherwise): the indexes checked
CREATE FUNCTION check_indexes() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  ix regclass;
BEGIN
  FOR ix IN SELECT c.oid FROM pg_class c
             WHERE c.relnamespace = 'perf_put_paths'::regnamespace AND c.relkind = 'i' AND c.relam = 403
             ORDER BY c.relname
  LOOP
    PERFORM perf_put_paths.bt_index_check(ix, true);
    RETURN NEXT ix::text;
  END LOOP;
END
$$;

-- the first puts build the table's direct-write state
SELECT put('{"PK": "u1", "SK": "p", "x": "a", "n": 1}');
SELECT put('{"PK": "u2", "SK": "p", "x": "b", "n": 2}');
SELECT put('{"PK": "u1", "SK": "p", "x": "c", "n": 3}');

-- an index added afterwards: a plain btree one (kept) and an expression
-- one (built on every call); both get every later row
CREATE UNIQUE INDEX d_sk_pk ON d (sk, pk);
CREATE UNIQUE INDEX s_sk_pk ON s (sk, pk);
CREATE INDEX d_x ON d ((item->>'x'));
CREATE INDEX s_x ON s ((item->>'x'));
SELECT put('{"PK": "u3", "SK": "p", "x": "d", "n": 4}');
SELECT put('{"PK": "u1", "SK": "p", "x": "e", "n": 5}');
SELECT * FROM diff();
SELECT * FROM check_indexes();
SET enable_seqscan = off;
SELECT pk, item->>'n' AS n FROM d WHERE item->>'x' = 'e';
RESET enable_seqscan;

-- a unique index of the user's own, partial and on an expression: a put
-- that breaks it fails as the upsert does, and changes nothing
CREATE UNIQUE INDEX d_email ON d ((item->>'email')) WHERE item ? 'email';
CREATE UNIQUE INDEX s_email ON s ((item->>'email')) WHERE item ? 'email';
SELECT put('{"PK": "u4", "SK": "p", "email": "a@example.com"}');
SELECT singletable.put_item('d', '{"PK": "u5", "SK": "p", "email": "a@example.com"}');
INSERT INTO s (item) VALUES ('{"PK": "u5", "SK": "p", "email": "a@example.com"}')
  ON CONFLICT (pk, sk) DO UPDATE SET item = excluded.item;
SELECT singletable.put_item('d', '{"PK": "u1", "SK": "p", "email": "a@example.com"}');
INSERT INTO s (item) VALUES ('{"PK": "u1", "SK": "p", "email": "a@example.com"}')
  ON CONFLICT (pk, sk) DO UPDATE SET item = excluded.item;
SELECT * FROM diff();

-- an index dropped afterwards, and one made and dropped in the same
-- transaction as puts
DROP INDEX d_x;
DROP INDEX s_x;
SELECT put('{"PK": "u2", "SK": "p", "x": "f", "n": 6}');
BEGIN;
SELECT put('{"PK": "u6", "SK": "p", "x": "g", "n": 7}');
CREATE INDEX d_n ON d (((item->>'n')::int));
CREATE INDEX s_n ON s (((item->>'n')::int));
SELECT put('{"PK": "u6", "SK": "p", "x": "h", "n": 8}');
SELECT put('{"PK": "u7", "SK": "p", "x": "i", "n": 9}');
DROP INDEX d_sk_pk;
DROP INDEX s_sk_pk;
SELECT put('{"PK": "u7", "SK": "p", "x": "j", "n": 10}');
COMMIT;
SELECT * FROM diff();
SELECT * FROM check_indexes();
-- an index built concurrently, and the primary key rebuilt
CREATE INDEX CONCURRENTLY d_x2 ON d ((item->>'x'));
SELECT put('{"PK": "u8", "SK": "p", "x": "k", "n": 11}');
REINDEX INDEX d_pkey;
SELECT put('{"PK": "u8", "SK": "p", "x": "l", "n": 12}');
SELECT put('{"PK": "u9", "SK": "p", "x": "m", "n": 13}');
SELECT * FROM diff();
SELECT * FROM check_indexes();

-- a GSI, on a table whose updates are never HOT (its index on the item):
-- the put declares the key columns it updates as generated from the item,
-- the index tables end as the trigger leaves them for the upsert
SELECT singletable.create_index(t, 'GS1', 'GPK', 'GSK') FROM unnest('{d,s}'::regclass[]) t;
CREATE FUNCTION gsi_diff() RETURNS TABLE (side text, gsi_pk text, gsi_sk text, pk text, item jsonb)
LANGUAGE sql AS $$
  (SELECT 'only d', gsi_pk, gsi_sk, pk, item FROM perf_put_paths."d__GS1"
   EXCEPT SELECT 'only d', gsi_pk, gsi_sk, pk, item FROM perf_put_paths."s__GS1")
  UNION ALL (SELECT 'only s', gsi_pk, gsi_sk, pk, item FROM perf_put_paths."s__GS1"
   EXCEPT SELECT 'only s', gsi_pk, gsi_sk, pk, item FROM perf_put_paths."d__GS1")
$$;
SELECT put('{"PK": "u1", "SK": "p", "GPK": "org", "GSK": "a", "n": 1}');
SELECT put('{"PK": "u2", "SK": "p", "GPK": "org", "GSK": "b", "n": 2}');
SELECT put('{"PK": "u1", "SK": "p", "GPK": "org", "GSK": "a", "n": 3}');	-- same keys
SELECT put('{"PK": "u2", "SK": "p", "GPK": "org2", "GSK": "c", "n": 4}');	-- moved
SELECT put('{"PK": "u3", "SK": "p", "n": 5}');	-- in no index
SELECT put('{"PK": "u1", "SK": "p", "n": 6}');	-- leaves the index
SELECT put('{"PK": "u1", "SK": "p", "GPK": "org", "GSK": "z", "n": 7}');	-- back
SELECT * FROM diff();
SELECT * FROM gsi_diff();
SELECT gsi_pk, gsi_sk, pk, item FROM "d__GS1" ORDER BY 1, 2, 3;
SELECT * FROM check_indexes();
-- the same in one transaction, many updates of one item
BEGIN;
SELECT count(*) FROM (
  SELECT put(jsonb_build_object('PK', 'u' || i % 3, 'SK', 'p', 'GPK', 'org' || i % 2, 'GSK', 'k' || i % 5, 'n', i))
    FROM generate_series(1, 30) i) p;
COMMIT;
SELECT gsi_pk, gsi_sk, pk, item->'n' AS n FROM "d__GS1" ORDER BY 1, 2, 3;
SELECT * FROM diff();
SELECT * FROM gsi_diff();
SELECT * FROM check_indexes();

RESET search_path;
DROP SCHEMA perf_put_paths CASCADE;
