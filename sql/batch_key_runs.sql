-- Batches find runs of keys in key order within a partition with one scan
-- of the primary key (key_cursor.c).  Whatever the order, gaps, missing
-- keys and partitions of the keys, batch_get returns what get_item returns
-- for each key, in request order, and batch_write leaves every item as
-- put_item would.
SET client_min_messages = warning;

-- batch_get's items, in response order, against get_item of each key
CREATE FUNCTION runs_check(tbl text, keys jsonb) RETURNS TABLE (asked int, found int, same boolean)
LANGUAGE sql AS $$
	WITH got AS (
		SELECT jsonb_agg(x ORDER BY o) AS items
		  FROM jsonb_array_elements(singletable.batch_get(jsonb_build_object(tbl, jsonb_build_object('Keys', keys)))
		                            -> 'Responses' -> tbl) WITH ORDINALITY AS r(x, o)),
	     want AS (
		SELECT jsonb_agg(singletable.get_item(tbl::regclass, k) ORDER BY o)
		         FILTER (WHERE singletable.get_item(tbl::regclass, k) IS NOT NULL) AS items
		  FROM jsonb_array_elements(keys) WITH ORDINALITY AS k(k, o))
	SELECT jsonb_array_length(keys), coalesce(jsonb_array_length(got.items), 0),
	       coalesce(got.items, '[]') = coalesce(want.items, '[]')
	  FROM got, want
$$;

SELECT singletable.create_table('runs');
-- partitions p0..p2; p0 holds every third sort key from 0003 to 0300
INSERT INTO runs (item)
SELECT jsonb_build_object('PK', 'p' || (i % 3), 'SK', lpad(i::text, 4, '0'), 'v', i)
  FROM generate_series(1, 300) i;

-- ascending keys one apart: most missing, each found one a step on
SELECT * FROM runs_check('runs', (SELECT jsonb_agg(jsonb_build_object('PK', 'p0', 'SK', lpad(i::text, 4, '0')) ORDER BY i)
                                    FROM generate_series(0, 99) i));
-- ascending keys far apart (more than 16 entries between: a new lookup)
SELECT * FROM runs_check('runs', (SELECT jsonb_agg(jsonb_build_object('PK', 'p0', 'SK', lpad(i::text, 4, '0')) ORDER BY i)
                                    FROM generate_series(3, 300, 60) i));
-- descending keys, and keys alternating between partitions
SELECT * FROM runs_check('runs', (SELECT jsonb_agg(jsonb_build_object('PK', 'p0', 'SK', lpad(i::text, 4, '0')) ORDER BY i DESC)
                                    FROM generate_series(3, 90, 3) i));
SELECT * FROM runs_check('runs', (SELECT jsonb_agg(jsonb_build_object('PK', 'p' || (i % 2), 'SK', lpad(i::text, 4, '0')) ORDER BY i)
                                    FROM generate_series(1, 60) i));
-- past the partition's last key, a partition with no items, then back
SELECT * FROM runs_check('runs', '[{"PK": "p1", "SK": "0298"}, {"PK": "p1", "SK": "0299"}, {"PK": "p1", "SK": "9999"},
                                   {"PK": "p1", "SK": "99999"}, {"PK": "none", "SK": "0001"}, {"PK": "p1", "SK": "0001"},
                                   {"PK": "p2", "SK": "0002"}, {"PK": "p2", "SK": "0005"}]');
-- sort keys that are prefixes of each other sort first
INSERT INTO runs (item) VALUES ('{"PK": "q", "SK": "a"}'), ('{"PK": "q", "SK": "ab"}'), ('{"PK": "q", "SK": "b"}');
SELECT * FROM runs_check('runs', '[{"PK": "q", "SK": "a"}, {"PK": "q", "SK": "aa"}, {"PK": "q", "SK": "ab"}, {"PK": "q", "SK": "abc"}, {"PK": "q", "SK": "b"}]');

-- number and binary keys: their own order, not the text's
SELECT singletable.create_table('runs_nb', partition_key => 'P', partition_key_type => 'N',
                                sort_key => 'S', sort_key_type => 'B');
INSERT INTO runs_nb (item)
SELECT jsonb_build_object('P', i % 2, 'S', jsonb_build_object('$B', encode(int4send(i * 10), 'base64')), 'v', i)
  FROM generate_series(1, 100) i;
SELECT * FROM runs_check('runs_nb', (SELECT jsonb_agg(jsonb_build_object('P', 1.0, 'S', jsonb_build_object('$B', encode(int4send(i * 5), 'base64'))) ORDER BY i)
                                       FROM generate_series(1, 100) i));
SELECT singletable.create_table('runs_n', partition_key => 'P', partition_key_type => 'N',
                                sort_key => 'S', sort_key_type => 'N');
INSERT INTO runs_n (item) SELECT jsonb_build_object('P', 1, 'S', i * 0.5, 'v', i) FROM generate_series(-20, 20) i;
SELECT * FROM runs_check('runs_n', (SELECT jsonb_agg(jsonb_build_object('P', 1, 'S', i * 0.25) ORDER BY i)
                                      FROM generate_series(-45, 45) i));
-- a table without a sort key: every key a lookup of its own
SELECT singletable.create_table('runs_h', partition_key => 'id', sort_key => NULL);
INSERT INTO runs_h (item) SELECT jsonb_build_object('id', 'k' || i, 'v', i) FROM generate_series(1, 30) i;
SELECT * FROM runs_check('runs_h', (SELECT jsonb_agg(jsonb_build_object('id', 'k' || i) ORDER BY i) FROM generate_series(0, 40, 3) i));

-- batch_write of new and existing keys of one partition, some far apart,
-- and of keys of two partitions: the table is as put_item would leave it
CREATE TABLE runs_expected (pk text COLLATE "C", sk text COLLATE "C", item jsonb, PRIMARY KEY (pk, sk));
INSERT INTO runs_expected SELECT pk, sk, item FROM runs;
CREATE TABLE runs_puts AS
SELECT 'p0' AS pk, lpad(i::text, 4, '0') AS sk, jsonb_build_object('PK', 'p0', 'SK', lpad(i::text, 4, '0'), 'v', -i) AS item, 1 AS batch
  FROM (SELECT i FROM generate_series(0, 20) i UNION ALL SELECT 150 UNION ALL SELECT 297 UNION ALL SELECT 5000) s
UNION ALL
SELECT 'p' || (i % 2), lpad(i::text, 4, '0'), jsonb_build_object('PK', 'p' || (i % 2), 'SK', lpad(i::text, 4, '0'), 'v', -i), 2
  FROM generate_series(200, 224) i;
SELECT singletable.batch_write(jsonb_build_object('runs', (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item', item)) ORDER BY md5(sk))
                                                             FROM runs_puts WHERE batch = b)))
  FROM generate_series(1, 2) b;
INSERT INTO runs_expected SELECT pk, sk, item FROM runs_puts
    ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;
SELECT count(*) AS items,
       (SELECT count(*) FROM (SELECT pk, sk, item FROM runs EXCEPT SELECT * FROM runs_expected) d) AS unexpected,
       (SELECT count(*) FROM (SELECT * FROM runs_expected EXCEPT SELECT pk, sk, item FROM runs) d) AS missing
  FROM runs;

DROP TABLE runs, runs_nb, runs_n, runs_h, runs_expected, runs_puts;
DROP FUNCTION runs_check(text, jsonb);
