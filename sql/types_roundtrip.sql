-- Property: typed -> plain -> typed is the identity, for random typed
-- items with every type (S, N, B, BOOL, NULL, L, M, SS, NS, BS), nested
-- sets and binary, and maps whose keys read as tags ("$B", "$M" ...).
-- Deterministic (setseed); test/fuzz/typed_roundtrip_fuzz.c is the same
-- property under libFuzzer.
SET client_min_messages = warning;
SELECT setseed(0.42);

CREATE FUNCTION rt_bytes() RETURNS text LANGUAGE sql AS $$
	SELECT encode(substr(decode(md5(random()::text) || md5(random()::text), 'hex'),
	                     1, (random() * 20)::int), 'base64')
$$;
CREATE FUNCTION rt_number() RETURNS text LANGUAGE sql AS $$
	-- DynamoDB's normalised form: no trailing zeros, no exponent
	SELECT trim_scale(round(((random() - 0.5) * 10 ^ (random() * 12)::int)::numeric,
	                        (random() * 6)::int))::text
$$;
CREATE FUNCTION rt_set(kind text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object(kind, jsonb_agg(m))
	FROM (SELECT DISTINCT ON (k) m
	      FROM (SELECT CASE kind WHEN 'SS' THEN md5(i::text || random()::text)
	                             WHEN 'NS' THEN rt_number() ELSE rt_bytes() END AS m
	            FROM generate_series(1, 1 + (random() * 5)::int) i) x
	      CROSS JOIN LATERAL (SELECT CASE kind WHEN 'NS' THEN m::numeric::text ELSE m END AS k) y) z
$$;
CREATE FUNCTION rt_value(depth int) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	r float8 := random();
	keys text[] := ARRAY['a', 'b', '$B', '$M', '$SS', '$NS', '$BS', '$X', 'S', 'long key'];
	n int;
	o jsonb := '{}';
	l jsonb := '[]';
BEGIN
	IF depth >= 4 THEN
		r := r * 0.7;			-- scalars and sets only, deep down
	END IF;
	IF r < 0.1 THEN RETURN jsonb_build_object('S', md5(random()::text));
	ELSIF r < 0.2 THEN RETURN jsonb_build_object('N', rt_number());
	ELSIF r < 0.3 THEN RETURN jsonb_build_object('B', rt_bytes());
	ELSIF r < 0.35 THEN RETURN jsonb_build_object('BOOL', random() < 0.5);
	ELSIF r < 0.4 THEN RETURN '{"NULL": true}';
	ELSIF r < 0.5 THEN RETURN rt_set('SS');
	ELSIF r < 0.6 THEN RETURN rt_set('NS');
	ELSIF r < 0.7 THEN RETURN rt_set('BS');
	ELSIF r < 0.85 THEN
		FOR i IN 1 .. (random() * 3)::int LOOP
			l := l || jsonb_build_array(rt_value(depth + 1));
		END LOOP;
		RETURN jsonb_build_object('L', l);
	ELSE
		n := (random() * 3)::int;
		FOR i IN 1 .. n LOOP
			o := o || jsonb_build_object(keys[1 + (random() * 9)::int], rt_value(depth + 1));
		END LOOP;
		RETURN jsonb_build_object('M', o);
	END IF;
END
$$;
CREATE TEMP TABLE rt AS
SELECT i, jsonb_build_object('PK', jsonb_build_object('S', 'item' || i), 'v', rt_value(1), 'w', rt_value(2)) AS typed
FROM generate_series(1, 3000) i;

SELECT count(*) AS items,
	count(*) FILTER (WHERE singletable.to_dynamodb_json(singletable.from_dynamodb_json(typed)) = typed) AS identical,
	count(*) FILTER (WHERE singletable.to_dynamodb_json_text(singletable.from_dynamodb_json(typed))
	                       = singletable.to_dynamodb_json(singletable.from_dynamodb_json(typed))::text) AS text_matches
FROM rt;
-- every type occurs, escapes and nested sets and binary included
SELECT t, count(*) > 0 AS occurs
FROM rt, jsonb_path_query(typed, 'strict $.** ? (@.type() == "object")') o, jsonb_object_keys(o) t
WHERE t IN ('S', 'N', 'B', 'BOOL', 'NULL', 'L', 'M', 'SS', 'NS', 'BS', '$B', '$M', '$SS')
GROUP BY t ORDER BY t;
SELECT count(*) > 0 AS escaped_maps FROM rt WHERE singletable.from_dynamodb_json(typed)::text LIKE '%"$M": {%';
-- and the stored items come back the same through a table and execute
SELECT singletable.create_table('rt_items', sort_key => NULL);
SELECT count(*) AS stored FROM (
	SELECT singletable.execute('PutItem', jsonb_build_object('TableName', 'rt_items', 'Item', typed)) FROM rt) x;
SELECT count(*) FILTER (WHERE singletable.execute('GetItem', jsonb_build_object('TableName', 'rt_items',
	'Key', jsonb_build_object('PK', typed -> 'PK'))) -> 'Item' = typed) AS same_through_execute
FROM rt;
SELECT singletable.drop_table('rt_items');
