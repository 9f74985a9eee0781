-- The 1 MB page counts every item as DynamoDB counts it (README, Pages;
-- fidelity_page_size holds DynamoDB's own boundary cases).  This file pins
-- that count for items of every shape, so that a faster way of counting
-- (the count reads the jsonb format directly) ends every page at the same
-- item: for each item x, probe() finds the shortest filler string that
-- makes a page end at x, which moves by one for each byte x counts.
SET client_min_messages = warning;
CREATE SCHEMA r5_pagesize;
SET search_path = r5_pagesize, public;

-- The table holds five items in key order: two fillers of 400000 bytes,
-- one of len bytes, x, and a last small one.  The page ends at x (or
-- earlier) when the first four reach 1 MB.  x is inserted directly, past
-- the write call's checks, so shapes put_item refuses can be counted too.
CREATE FUNCTION probe(tbl text, keys jsonb, x jsonb) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  lo int := 0;
  hi int := 250000;
  mid int;
BEGIN
  EXECUTE format('DELETE FROM %I', tbl);
  PERFORM singletable.put_item(tbl, keys -> 0 || jsonb_build_object('f', repeat('f', 400000)));
  PERFORM singletable.put_item(tbl, keys -> 1 || jsonb_build_object('f', repeat('f', 400000)));
  EXECUTE format('INSERT INTO %I(item) VALUES ($1)', tbl) USING x;
  PERFORM singletable.put_item(tbl, keys -> 3);
  WHILE lo < hi LOOP
    mid := (lo + hi) / 2;
    PERFORM singletable.put_item(tbl, keys -> 2 || jsonb_build_object('f', repeat('f', mid)));
    IF (singletable.scan(tbl) ->> 'ScannedCount')::int <= 4 THEN
      hi := mid;
    ELSE
      lo := mid + 1;
    END IF;
  END LOOP;
  RETURN lo;
END $$;

-- A string sort key: the fillers sort as "0", "1", "2", x as "3...", the
-- last as "4".
SELECT singletable.create_table('s', partition_key => 'a', sort_key => 'k') IS NOT NULL AS created;
CREATE TABLE cases (name text, x jsonb);
INSERT INTO cases VALUES
  ('strings at each length prefix', jsonb_build_object('a', 'p', 'k', '3',
     's0', '', 's127', repeat('a', 127), 's128', repeat('a', 128),
     's16383', repeat('a', 16383), 's16384', repeat('a', 16384), 'utf8', repeat('é', 100))),
  ('numbers of every shape', '{"a": "p", "k": "3", "n": [-5, 0, 100, 1.5, 0.001, 123456789012345678,
     -1.5e-100, 9.99e100, 10000, -0.25, 12.34, 1e125, 99999999999999999999999999999999999999],
     "m": -0.000012345678901234567890123456789012345678, "z": 0, "big": 12345678901234567890}'),
  ('booleans, nulls, empty containers', '{"a": "p", "k": "3", "t": true, "f": false, "nul": null,
     "l": [], "m": {}, "ll": [[], {}, [null, true, false]]}'),
  ('nested lists and maps', '{"a": "p", "k": "3", "doc": {"users": [{"name": "ann", "age": 41,
     "tags": ["a", "bb"], "addr": {"city": "Oslo", "zip": 150, "geo": [59.9, 10.7]}},
     {"name": "bob", "age": null, "tags": [], "addr": {}}], "count": 2, "deep": [[[[[["x"]]]]]]}}'),
  ('binary, sets and the map escape', '{"a": "p", "k": "3", "b": {"$B": "AQI="}, "b0": {"$B": ""},
     "b1": {"$B": "AQ=="}, "ss": {"$SS": ["a", "bc", "déf"]}, "ns": {"$NS": [1.23, 12.3, -7, 0]},
     "bs": {"$BS": ["AQI=", "Ag==", "AQ=="]}, "esc": {"$M": {"$SS": "not a set"}},
     "in": [{"$B": "AAECAwQ="}, {"$NS": [1]}, {"m": {"$M": {"$B": 1}}}]}'),
  ('one-key maps that are not tags', '{"a": "p", "k": "3", "b": {"$B": 5}, "ss": {"$SS": "x"},
     "m": {"$M": [1]}, "x": {"$X": "y"}, "two": {"$B": "AQI=", "c": 1}, "d": {"B": "AQI="},
     "empty": {"": 1}, "bs": {"$BS": {"a": "AQI="}}}'),
  ('names around the sort key''s', '{"a": "p", "k": "3", "K": "upper", "kk": "double",
     "": "empty name", "j": 1, "l": 2}'),
  ('a long sort key on a large item', jsonb_build_object('a', 'p', 'k', '3' || repeat('z', 1023),
     'body', repeat('b', 100000), 'list', (SELECT jsonb_agg(i) FROM generate_series(1, 3000) i)));
SELECT name, probe('s', '[{"a": "p", "k": "0"}, {"a": "p", "k": "1"}, {"a": "p", "k": "2"},
                          {"a": "p", "k": "4"}]', x) AS filler
FROM cases ORDER BY name;

-- Random items (deterministic: a counter hashed by md5, the same on every
-- PostgreSQL version, where random() after setseed is not; numbers made
-- from text, as numeric's power() rounds differently across versions), nested up to
-- five levels, with every type, counted the same way.
CREATE SEQUENCE rnd_counter;
CREATE FUNCTION rnd() RETURNS float8 LANGUAGE sql AS $$
  SELECT int8(('x' || substr(md5(nextval('rnd_counter')::text), 1, 8))::bit(32)) / 4294967296.0::float8
$$;
CREATE FUNCTION rnd_value(depth int) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  r float := rnd();
  n int := 1 + (rnd() * 4)::int;
BEGIN
  IF depth >= 5 THEN
    r := r * 0.5;
  END IF;
  IF r < 0.1 THEN
    RETURN to_jsonb(repeat(chr(97 + (rnd() * 25)::int), (rnd() ^ 3 * 5000)::int));
  ELSIF r < 0.2 THEN
    RETURN to_jsonb(((rnd() * 2000000 - 1000000)::bigint::text || 'e' || (rnd() * 60 - 30)::int::text)::numeric);
  ELSIF r < 0.3 THEN
    RETURN to_jsonb(rnd() < 0.5);
  ELSIF r < 0.35 THEN
    RETURN 'null';
  ELSIF r < 0.4 THEN
    RETURN jsonb_build_object('$B', translate(encode(decode(repeat(md5(rnd()::text), 1 + (rnd() * 20)::int), 'hex'), 'base64'), E'\n', ''));
  ELSIF r < 0.43 THEN
    RETURN jsonb_build_object('$SS', (SELECT jsonb_agg(DISTINCT md5(i::text || rnd()::text)) FROM generate_series(1, n) i));
  ELSIF r < 0.46 THEN
    RETURN jsonb_build_object('$NS', (SELECT jsonb_agg(DISTINCT ((rnd() * 1000000000)::bigint::text || 'e' || (i * 3 - 9)::text)::numeric) FROM generate_series(1, n) i));
  ELSIF r < 0.5 THEN
    RETURN jsonb_build_object('$BS', (SELECT jsonb_agg(DISTINCT encode(decode(md5(i::text || rnd()::text), 'hex'), 'base64')) FROM generate_series(1, n) i));
  ELSIF r < 0.75 THEN
    RETURN (SELECT jsonb_agg(rnd_value(depth + 1)) FROM generate_series(1, n));
  ELSE
    RETURN (SELECT jsonb_object_agg(CASE WHEN rnd() < 0.1 THEN '$M' ELSE 'm' || i END, rnd_value(depth + 1))
            FROM generate_series(1, n) i);
  END IF;
END $$;
CREATE TABLE random_cases AS
SELECT i, jsonb_build_object('a', 'p', 'k', '3', 'v', rnd_value(1), 'w', rnd_value(2)) AS x
FROM generate_series(1, 20) i;
SELECT i, pg_column_size(x) AS jsonb_bytes,
       probe('s', '[{"a": "p", "k": "0"}, {"a": "p", "k": "1"}, {"a": "p", "k": "2"},
                    {"a": "p", "k": "4"}]', x) AS filler
FROM random_cases ORDER BY i;

-- A number sort key: its digits count in the per-item overhead.
SELECT singletable.create_table('n', partition_key => 'a', sort_key => 'k', sort_key_type => 'N') IS NOT NULL AS created;
SELECT k, probe('n', '[{"a": "p", "k": 0}, {"a": "p", "k": 1}, {"a": "p", "k": 2}, {"a": "p", "k": 4}]',
                jsonb_build_object('a', 'p', 'k', k, 'body', repeat('b', 50000))) AS filler
FROM (VALUES (3::numeric), (2.5), (3.14159265358979323846264338327950288), (2.0000000000000000000000000000000000001),
             (3.9e0), (2.000010)) v(k) ORDER BY k;

-- A binary sort key: its decoded bytes count.
SELECT singletable.create_table('b', partition_key => 'a', sort_key => 'k', sort_key_type => 'B') IS NOT NULL AS created;
SELECT len, probe('b', '[{"a": "p", "k": {"$B": "AA=="}}, {"a": "p", "k": {"$B": "AQ=="}}, {"a": "p", "k": {"$B": "Ag=="}},
                         {"a": "p", "k": {"$B": "/w=="}}]',
                  jsonb_build_object('a', 'p', 'k', jsonb_build_object('$B',
                    translate(encode(decode('03' || repeat('ab', len), 'hex'), 'base64'), E'\n', '')),
                    'body', repeat('b', 50000))) AS filler
FROM (VALUES (0), (1), (2), (100), (1000)) v(len) ORDER BY len;

-- No sort key: the overhead is 18 bytes per 3072.
SELECT singletable.create_table('h', partition_key => 'a', sort_key => NULL) IS NOT NULL AS created;
SELECT name, probe('h', '[{"a": "0"}, {"a": "1"}, {"a": "2"}, {"a": "4"}]', x || '{"a": "3"}') AS filler
FROM cases ORDER BY name;

-- Sets whose members have another JSON type than the set's (stored past
-- the write call's checks, as a restore or a direct INSERT can): each
-- member counts as a value of its own type, the same as the members of
-- the well-typed set beside it; reading them as the set's type crashed
-- the server.
SELECT name, probe('s', '[{"a": "p", "k": "0"}, {"a": "p", "k": "1"}, {"a": "p", "k": "2"},
                          {"a": "p", "k": "4"}]', '{"a": "p", "k": "3"}' || x) AS filler
FROM (VALUES ('NS of strings', '{"s": {"$NS": ["12", "345"]}}'::jsonb),
             ('SS of the same strings', '{"s": {"$SS": ["12", "345"]}}'),
             ('SS of numbers', '{"s": {"$SS": [12, 345]}}'),
             ('NS of the same numbers', '{"s": {"$NS": [12, 345]}}'),
             ('BS of booleans, null, a list', '{"s": {"$BS": [true, null, [1]]}}'),
             ('NS of a map', '{"s": {"$NS": [{"a": 1}]}}')) v(name, x)
ORDER BY name;

DROP SCHEMA r5_pagesize CASCADE;
