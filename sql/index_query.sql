-- Reading global secondary indexes with query(..., index => ...) and
-- scan(..., index => ...): key conditions, filter, projection, limit,
-- direction, pagination over equal index keys, projections of the index.
SELECT singletable.create_table('idx');
INSERT INTO idx (item)
SELECT jsonb_build_object('PK', 'USER#' || lpad(u::text, 2, '0'), 'SK', 'PROFILE',
                          'GSI1PK', 'ORG#' || (u % 2), 'GSI1SK', 'same',
                          'name', 'user ' || u, 'age', 20 + u, 'city', CASE WHEN u % 3 = 0 THEN 'Oslo' ELSE 'Rome' END)
  FROM generate_series(1, 25) u;
INSERT INTO idx (item) VALUES ('{"PK": "USER#99", "SK": "PROFILE", "name": "no org"}');
SELECT singletable.create_index('idx', 'GSI1', 'GSI1PK', 'GSI1SK');
SELECT singletable.create_index('idx', 'ByAge', 'GSI1PK', 'age', sort_key_type => 'N', projection => 'KEYS_ONLY');
SELECT singletable.create_index('idx', 'ByCity', 'city', projection => 'INCLUDE', include => ARRAY['name']);
SELECT singletable.create_index('idx', 'Local', 'PK', 'age', sort_key_type => 'N');

-- Every page of a query, with the base-table keys of each page's items.
CREATE FUNCTION pg_temp.pages(idx text, cond text, vals jsonb, lim int, fwd bool DEFAULT true)
RETURNS TABLE (page int, items text, last_key jsonb) LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
	start jsonb := NULL;
	n int := 0;
BEGIN
	LOOP
		r := singletable.query('idx', cond, "values" => vals, index => idx, "limit" => lim,
							   forward => fwd, start_key => start);
		n := n + 1;
		page := n;
		items := (SELECT string_agg(i->>'PK', ' ') FROM jsonb_array_elements(r->'Items') i);
		last_key := r->'LastEvaluatedKey';
		RETURN NEXT;
		start := r->'LastEvaluatedKey';
		EXIT WHEN start IS NULL OR n > 30;
	END LOOP;
END
$$;

-- 13 items share one index key: pages of 5 lose and repeat nothing.
SELECT * FROM pg_temp.pages('GSI1', 'GSI1PK = :p', '{":p": "ORG#1"}', 5);
SELECT * FROM pg_temp.pages('GSI1', 'GSI1PK = :p', '{":p": "ORG#1"}', 4, false);
SELECT count(*) AS items, count(DISTINCT pk) AS distinct_items
  FROM pg_temp.pages('GSI1', 'GSI1PK = :p AND GSI1SK = :s', '{":p": "ORG#0", ":s": "same"}', 3) p,
       regexp_split_to_table(p.items, ' ') pk;

-- Sort key conditions on a numeric index sort key; KEYS_ONLY returns the
-- base and index keys only.
SELECT singletable.query('idx', 'GSI1PK = :p AND age BETWEEN :a AND :b',
	"values" => '{":p": "ORG#1", ":a": 25, ":b": 30}', index => 'ByAge');
SELECT singletable.query('idx', 'GSI1PK = :p AND age > :a', "values" => '{":p": "ORG#0", ":a": 40}',
	index => 'ByAge', forward => false, "limit" => 2);
-- INCLUDE adds the named attributes.
SELECT singletable.query('idx', 'city = :c', "values" => '{":c": "Oslo"}', index => 'ByCity', "limit" => 3);
-- Filter and projection over an ALL index.
SELECT singletable.query('idx', 'GSI1PK = :p', "values" => '{":p": "ORG#1", ":c": "Oslo"}', index => 'GSI1',
	filter => 'city = :c', projection => 'PK, #n', names => '{"#n": "name"}');
-- An index with the table's partition key: a local secondary index.
SELECT singletable.query('idx', 'PK = :p AND age >= :a', "values" => '{":p": "USER#07", ":a": 0}', index => 'Local');
-- The key condition must name the index's keys.
SELECT singletable.query('idx', 'PK = :p', "values" => '{":p": "USER#07"}', index => 'GSI1');
SELECT singletable.query('idx', 'GSI1PK = :p', "values" => '{":p": "ORG#1"}', index => 'NoSuch');

-- Scan of an index: only the items in it (sparse), paginated.
SELECT (singletable.scan('idx', index => 'ByCity', "limit" => 100)) -> 'Count' AS count;
SELECT r -> 'Count' AS count, r -> 'LastEvaluatedKey' AS last_key
  FROM singletable.scan('idx', index => 'GSI1', "limit" => 10) r;
SELECT (singletable.scan('idx', index => 'GSI1', "limit" => 100,
	start_key => (singletable.scan('idx', index => 'GSI1', "limit" => 10)) -> 'LastEvaluatedKey')) -> 'Count' AS rest;

-- Index reads are strongly consistent: they see the writing transaction's
-- own changes, and every committed change at once.
BEGIN;
UPDATE idx SET item = item || '{"GSI1PK": "ORG#7"}' WHERE pk = 'USER#03';
SELECT singletable.query('idx', 'GSI1PK = :p', "values" => '{":p": "ORG#7"}', index => 'GSI1', projection => 'PK, GSI1PK');
ROLLBACK;
SELECT singletable.query('idx', 'GSI1PK = :p', "values" => '{":p": "ORG#7"}', index => 'GSI1') -> 'Count' AS count;

-- The item calls maintain the indexes like plain SQL does.
SELECT singletable.put_item('idx', '{"PK": "USER#50", "SK": "PROFILE", "GSI1PK": "ORG#5", "GSI1SK": "new", "age": 70}');
SELECT singletable.update_item('idx', '{"PK": "USER#50", "SK": "PROFILE"}', 'SET GSI1SK = :s REMOVE age',
	"values" => '{":s": "renamed"}');
SELECT singletable.query('idx', 'GSI1PK = :p', "values" => '{":p": "ORG#5"}', index => 'GSI1', projection => 'PK, GSI1SK');
SELECT singletable.query('idx', 'GSI1PK = :p', "values" => '{":p": "ORG#5"}', index => 'ByAge') -> 'Count' AS by_age;
\set SHOW_CONTEXT never
SELECT singletable.put_item('idx', '{"PK": "USER#51", "SK": "PROFILE", "GSI1PK": 5}');
\set SHOW_CONTEXT errors
SELECT singletable.delete_item('idx', '{"PK": "USER#50", "SK": "PROFILE"}');
SELECT singletable.query('idx', 'GSI1PK = :p', "values" => '{":p": "ORG#5"}', index => 'GSI1') -> 'Count' AS count;
DROP TABLE idx;
