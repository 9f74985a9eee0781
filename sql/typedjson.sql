-- DynamoDB typed JSON: to_dynamodb_json / from_dynamodb_json (items) and
-- to_dynamodb_value / from_dynamodb_value (single values).
SET client_min_messages = warning;
\set VERBOSITY default

-- Plain -> typed: every JSON type.
SELECT singletable.to_dynamodb_json('{"s": "x", "n": 1.50, "neg": -2e3, "t": true, "f": false, "z": null,
	"l": [1, "a", null, [], {}], "m": {"inner": {"deep": [true]}}, "e": {}}');

-- Single values, scalars and containers.
SELECT v, singletable.to_dynamodb_value(v)
FROM (VALUES ('"x"'::jsonb), ('0'), ('-0.001'), ('123456789012345678901234567890'), ('true'),
	('null'), ('[]'), ('{}'), ('[1, [2, {"a": "b"}]]'), ('"quote \" backslash \\ tab \t nl \n ctl \u0001 é"')) AS t(v);

-- Typed -> plain: every type.
SELECT singletable.from_dynamodb_json('{
	"s": {"S": "x"}, "empty": {"S": ""}, "n": {"N": "42"}, "nf": {"N": "-1.50"}, "ne": {"N": "1E+3"},
	"b": {"B": "AAEC/w=="}, "t": {"BOOL": true}, "f": {"BOOL": false}, "z": {"NULL": true},
	"l": {"L": [{"S": "a"}, {"N": "1"}, {"L": []}, {"M": {}}]},
	"m": {"M": {"k": {"M": {"deep": {"L": [{"NULL": true}]}}}}}}');

-- Sets keep their type as tags, members in the order given; a duplicate
-- (2 and 2.0 are one number, binary compares by its bytes) is refused.
SELECT singletable.from_dynamodb_value('{"SS": ["b", "a", "é", "Z", "aa"]}');
SELECT singletable.from_dynamodb_value('{"NS": ["10", "2", "-1e3", "0.5", "+7"]}');
SELECT singletable.from_dynamodb_value('{"BS": ["QQ==", "/w==", "AA==", "QUI="]}');
SELECT singletable.from_dynamodb_value('{"SS": ["b", "a", "b"]}');
SELECT singletable.from_dynamodb_value('{"NS": ["2", "2.0"]}');
SELECT singletable.from_dynamodb_value('{"BS": ["QQ==", "AA==", "QQ=="]}');
SELECT singletable.from_dynamodb_value('{"SS": ["only"]}');

-- Single values.
SELECT v, singletable.from_dynamodb_value(v)
FROM (VALUES ('{"S": "x"}'::jsonb), ('{"N": "-0"}'), ('{"N": ".5"}'), ('{"N": "5."}'), ('{"BOOL": false}'),
	('{"NULL": true}'), ('{"L": []}'), ('{"M": {"a": {"S": "b"}}}'), ('{"B": ""}')) AS t(v);

-- Round trips: plain -> typed -> plain gives the same item.
WITH items(i) AS (VALUES
	('{}'::jsonb),
	('{"PK": "USER#1", "SK": "PROFILE", "age": 42, "score": 1.25, "tags": ["a", "b"],
	  "addr": {"city": "Oslo", "zip": null, "geo": [59.9, 10.7]}, "active": true}'),
	('{"a": [[[[[]]]]], "b": {"c": {"d": {"e": {}}}}, "n": 12345678901234567890123456789012345678e-50}'),
	('{"x": "\u0001 \" é"}'))
SELECT singletable.from_dynamodb_json(singletable.to_dynamodb_json(i)) = i AS round_trip FROM items;

-- Typed -> plain -> typed keeps everything but sets and binary.
SELECT singletable.to_dynamodb_json(singletable.from_dynamodb_json(t)) = t AS round_trip
FROM (VALUES ('{"a": {"L": [{"N": "1"}, {"M": {"b": {"S": "c"}}}]}, "d": {"BOOL": false}, "e": {"NULL": true}}'::jsonb)) AS x(t);

-- Number limits: 38 significant digits, magnitude 1E-130 .. 9.99..E+125.
SELECT singletable.from_dynamodb_value('{"N": "12345678901234567890123456789012345678"}');
SELECT singletable.from_dynamodb_value('{"N": "1234567890.1234567890123456789012345678000000"}');
SELECT singletable.from_dynamodb_value('{"N": "9.9999999999999999999999999999999999999E+125"}');
SELECT singletable.from_dynamodb_value('{"N": "-1E-130"}');
SELECT singletable.from_dynamodb_value('{"N": "0e999999999999"}');
SELECT singletable.from_dynamodb_value('{"N": "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"}');
SELECT singletable.from_dynamodb_json('{"a": {"N": "123456789012345678901234567890123456789"}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": "1E+126"}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": "1E-131"}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": "1E+999999999999999"}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": "-1e-99999999"}}');
SELECT singletable.from_dynamodb_json('{"a": {"L": [{"N": "1"}, {"N": "1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"}]}}');
SELECT singletable.from_dynamodb_json('{"a": {"NS": ["1", "1e200"]}}');

-- Errors: not a number.
SELECT singletable.from_dynamodb_json('{"a": {"N": "abc"}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": ""}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": "NaN"}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": "Infinity"}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": " 1"}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": "1e"}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": "1.2.3"}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": "--1"}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": "."}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": "0x10"}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": "1_000"}}');
SELECT singletable.from_dynamodb_json(jsonb_build_object('a', jsonb_build_object('N', repeat('9', 200) || 'x')));

-- Errors: wrongly typed payloads, naming the path.
SELECT singletable.from_dynamodb_json('{"a": {"S": 1}}');
SELECT singletable.from_dynamodb_json('{"a": {"N": 1}}');
SELECT singletable.from_dynamodb_json('{"a": {"B": true}}');
SELECT singletable.from_dynamodb_json('{"a": {"BOOL": "x"}}');
SELECT singletable.from_dynamodb_json('{"a": {"NULL": false}}');
SELECT singletable.from_dynamodb_json('{"a": {"NULL": "true"}}');
SELECT singletable.from_dynamodb_json('{"a": {"L": {}}}');
SELECT singletable.from_dynamodb_json('{"a": {"M": []}}');
SELECT singletable.from_dynamodb_json('{"a": {"M": "x"}}');
SELECT singletable.from_dynamodb_json('{"a": {"SS": "x"}}');
SELECT singletable.from_dynamodb_json('{"a": {"SS": ["x", 1]}}');
SELECT singletable.from_dynamodb_json('{"a": {"NS": [1]}}');
SELECT singletable.from_dynamodb_json('{"a": {"NS": ["1", "x"]}}');
SELECT singletable.from_dynamodb_json('{"a": {"BS": [null]}}');

-- Errors: bad base64.
SELECT singletable.from_dynamodb_json('{"a": {"B": "abc"}}');
SELECT singletable.from_dynamodb_json('{"a": {"B": "ab$="}}');
SELECT singletable.from_dynamodb_json('{"a": {"B": "a==="}}');
SELECT singletable.from_dynamodb_json('{"a": {"B": "QQ=A"}}');
SELECT singletable.from_dynamodb_json('{"a": {"B": "QUJD RA=="}}');
SELECT singletable.from_dynamodb_json('{"a": {"BS": ["QQ==", "Q"]}}');

-- Errors: empty sets.
SELECT singletable.from_dynamodb_json('{"a": {"SS": []}}');
SELECT singletable.from_dynamodb_json('{"a": {"NS": []}}');
SELECT singletable.from_dynamodb_json('{"a": {"BS": []}}');

-- Errors: not exactly one type key, unknown type key, not an object.
SELECT singletable.from_dynamodb_json('{"a": {}}');
SELECT singletable.from_dynamodb_json('{"a": {"S": "x", "N": "1"}}');
SELECT singletable.from_dynamodb_json('{"a": {"X": "x"}}');
SELECT singletable.from_dynamodb_json('{"a": {"s": "x"}}');
SELECT singletable.from_dynamodb_json('{"a": "x"}');
SELECT singletable.from_dynamodb_json('{"a": 1}');
SELECT singletable.from_dynamodb_json('{"a": null}');
SELECT singletable.from_dynamodb_json('{"a": [{"S": "x"}]}');

-- Errors deep inside name the whole path.
SELECT singletable.from_dynamodb_json('{"a": {"M": {"b": {"L": [{"S": "ok"}, {"L": [{"M": {"c": {"N": "x1"}}}]}]}}}}');
SELECT singletable.from_dynamodb_json('{"a": {"L": [{"S": "ok"}, {"BOOL": 1}]}}');
SELECT singletable.from_dynamodb_value('{"L": [{"S": "ok"}, {"Q": 1}]}');
SELECT singletable.from_dynamodb_value('{"N": "bad"}');

-- Errors: the argument itself.
SELECT singletable.from_dynamodb_json('[]');
SELECT singletable.from_dynamodb_json('"x"');
SELECT singletable.from_dynamodb_json('null');
SELECT singletable.to_dynamodb_json('[1]');
SELECT singletable.to_dynamodb_json('1');
SELECT singletable.from_dynamodb_value('"x"');
SELECT singletable.from_dynamodb_value('[]');
SELECT singletable.from_dynamodb_value('{"S": "x", "B": ""}');

-- Long bad values are cut short in messages.
SELECT singletable.from_dynamodb_json(jsonb_build_object('a', jsonb_build_object('N', repeat('x', 1000))));

-- STRICT: NULL in, NULL out.
SELECT singletable.to_dynamodb_json(NULL) IS NULL, singletable.from_dynamodb_json(NULL) IS NULL;

-- Deep nesting: plain -> typed converts any depth, typed -> plain refuses
-- values nested more than 32 levels, as DynamoDB does.
SELECT singletable.from_dynamodb_json(singletable.to_dynamodb_json(
	('{"a": ' || repeat('[', 2000) || repeat(']', 2000) || '}')::jsonb))
	= ('{"a": ' || repeat('[', 2000) || repeat(']', 2000) || '}')::jsonb AS deep_round_trip;

-- to_dynamodb_json_text prints exactly to_dynamodb_json(item)::text, and
-- plain -> typed -> plain is the identity, over many generated items.
SELECT setseed(0.42);
CREATE TEMP TABLE pieces AS
SELECT array_agg(p) AS ps FROM (VALUES ('"x"'::jsonb), ('""'), ('"tab\t q\" b\\ \u0001\u001f é ☃"'), ('0'), ('-1.50'),
	('1e-20'), ('123456789012345678901234567890.5'), ('true'), ('false'), ('null'), ('[]'), ('{}'),
	('[1, "a", [null, {}]]'), ('{"k": {"j": [true, {"deep": "v"}]}, "": "empty key", "a b": 1}')) AS t(p);
CREATE TEMP TABLE gen AS
SELECT i, coalesce(x.item, '{}') AS item
FROM generate_series(1, 300) i, pieces,
	LATERAL (SELECT jsonb_object_agg('attr' || (random() * 20)::int, ps[1 + floor(random() * 14)::int + g * 0])
		FROM generate_series(1, (random() * 8)::int + i * 0) g) AS x(item);
INSERT INTO gen SELECT 1000 + i, jsonb_build_object('wrap', item, 'list', jsonb_build_array(item, item->'attr1', to_jsonb(gen.*)))
FROM gen WHERE i <= 100;
SELECT count(DISTINCT item) > 350 AS varied,
	count(*) FILTER (WHERE singletable.to_dynamodb_json_text(item) = singletable.to_dynamodb_json(item)::text) AS same_text,
	count(*) FILTER (WHERE singletable.from_dynamodb_json(singletable.to_dynamodb_json(item)) = item) AS round_trip,
	count(*) AS items
FROM gen;
SELECT singletable.to_dynamodb_json_text('{}'), singletable.to_dynamodb_json_text('{"a": {"b": []}, "c": [[], {}, [1]]}');
SELECT singletable.to_dynamodb_json_text('[]');

-- SQLSTATEs: 22023 (invalid_parameter_value) for malformed typed JSON,
-- 22003 (numeric_value_out_of_range) for numbers DynamoDB cannot store.
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN others THEN
	RETURN SQLSTATE;
END $$;
SELECT q, pg_temp.sqlstate_of(q) FROM (VALUES
	($q$SELECT singletable.from_dynamodb_json('{"a": {"N": "abc"}}')$q$),
	($q$SELECT singletable.from_dynamodb_json('{"a": {"N": "1E+126"}}')$q$),
	($q$SELECT singletable.from_dynamodb_json('{"a": {"N": "1E-131"}}')$q$),
	($q$SELECT singletable.from_dynamodb_json('{"a": {"NS": ["123456789012345678901234567890123456789"]}}')$q$),
	($q$SELECT singletable.from_dynamodb_json('{"a": {"S": 1}}')$q$),
	($q$SELECT singletable.from_dynamodb_json('{"a": {"B": "abc"}}')$q$),
	($q$SELECT singletable.from_dynamodb_json('{"a": {"SS": []}}')$q$),
	($q$SELECT singletable.from_dynamodb_json('{"a": {"X": 1}}')$q$),
	($q$SELECT singletable.from_dynamodb_json('[]')$q$),
	($q$SELECT singletable.to_dynamodb_json('1')$q$),
	($q$SELECT singletable.to_dynamodb_json_text('[]')$q$),
	($q$SELECT singletable.from_dynamodb_value('"x"')$q$),
	($q$SELECT singletable.from_dynamodb_json('{"a": {"S": "ok"}}')$q$)) AS t(q);
