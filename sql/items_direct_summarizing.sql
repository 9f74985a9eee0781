-- put_item's direct write path on a table with a summarizing (BRIN) index.
-- From PostgreSQL 16 on, an update that changes only columns covered by
-- summarizing indexes is HOT and inserts into those indexes only: replacing
-- an item must then widen the BRIN summary without adding a second primary
-- key entry.  (15 makes no such HOT update; the results are the same.)
CREATE SCHEMA direct_brin;
SET search_path = direct_brin;
SELECT singletable.create_table('b');
CREATE INDEX b_n ON b USING brin (((item->>'n')::int));
SELECT singletable.put_item('b', '{"PK": "a", "SK": "1", "n": 1}');
SELECT brin_summarize_range('b_n', 0);

-- replace the item twice: n goes from 1 to 3
SELECT singletable.put_item('b', '{"PK": "a", "SK": "1", "n": 2}');
SELECT singletable.put_item('b', '{"PK": "a", "SK": "1", "n": 3}');

-- the primary key finds the item once, with its last value
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT pk, sk, item FROM b WHERE pk = 'a' AND sk = '1';
SELECT singletable.get_item('b', '{"PK": "a", "SK": "1"}');

-- the BRIN summary covers the new value
RESET enable_bitmapscan;
SET enable_indexscan = off;
EXPLAIN (COSTS OFF) SELECT pk FROM b WHERE (item->>'n')::int = 3;
SELECT pk, item->>'n' AS n FROM b WHERE (item->>'n')::int = 3;
RESET enable_indexscan;
RESET enable_seqscan;

RESET search_path;
DROP SCHEMA direct_brin CASCADE;
