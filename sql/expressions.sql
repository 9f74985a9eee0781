-- Condition and filter expressions through singletable.matches(item,
-- condition, names, values): comparisons, BETWEEN, IN, AND/OR/NOT, the
-- functions, size(), placeholders, precedence, and every parse error.
\set item '{"PK": "USER#1", "SK": "PROFILE", "fname": "Ada", "age": 36, "score": 9.5, "active": true, "nick": null, "tags": ["math", "code"], "nums": [3, 1, 2], "address": {"city": "London", "zip": "NW1", "parts": ["1 Main St", "Flat 2"]}, "dotted.fname": "x", "blank": "", "big": 12345678901234567890123456789012345678, "uni": "é☃"}'

-- Comparators on each type; different types compare false, <> true.
SELECT cond, v, singletable.matches(:'item', cond, NULL, v::jsonb) AS result
FROM (VALUES
	('age = :v', '{":v": 36}'),
	('age = :v', '{":v": 36.000}'),
	('age = :v', '{":v": "36"}'),
	('age <> :v', '{":v": "36"}'),
	('age <> :v', '{":v": 36}'),
	('age < :v', '{":v": 37}'),
	('age <= :v', '{":v": 36}'),
	('age > :v', '{":v": 36}'),
	('age >= :v', '{":v": 36}'),
	('age < :v', '{":v": "a"}'),
	('score > :v', '{":v": 9.49999}'),
	('big = :v', '{":v": 12345678901234567890123456789012345678}'),
	('fname = :v', '{":v": "Ada"}'),
	('fname < :v', '{":v": "Ada "}'),
	('fname > :v', '{":v": "ADA"}'),
	('fname < :v', '{":v": "ada"}'),
	('fname >= :v', '{":v": "Ad"}'),
	('uni > :v', '{":v": "z"}'),
	('active = :v', '{":v": true}'),
	('active <> :v', '{":v": false}'),
	('active > :v', '{":v": false}'),
	('nick = :v', '{":v": null}'),
	('nick <> :v', '{":v": null}'),
	('nick < :v', '{":v": null}'),
	('tags = :v', '{":v": ["math", "code"]}'),
	('tags = :v', '{":v": ["code", "math"]}'),
	('tags <> :v', '{":v": ["code", "math"]}'),
	('tags < :v', '{":v": ["math", "code", "x"]}'),
	('address = :v', '{":v": {"zip": "NW1", "city": "London", "parts": ["1 Main St", "Flat 2"]}}'),
	('address = :v', '{":v": {"zip": "NW1"}}'),
	('address <> :v', '{":v": ["NW1"]}'),
	('blank = :v', '{":v": ""}'),
	('fname = PK', NULL),
	('fname <> PK', NULL),
	(':v = :v', '{":v": 1}'),
	(':v < :w', '{":v": 1, ":w": 2}')
) AS t(cond, v);

-- A missing attribute makes every comparison false but <>, which is true
-- (DynamoDB: a missing value equals nothing).
SELECT cond, singletable.matches(:'item', cond, NULL, '{":v": 1}') AS result
FROM (VALUES ('absent = :v'), ('absent <> :v'), ('absent < :v'),
	('absent BETWEEN :v AND :v'), ('absent IN (:v)'),
	('address.nope = :v'), ('tags[5] <> :v'), ('fname.x <> :v'), ('age[0] <> :v')) AS t(cond);

-- Document paths: maps, list elements, nesting, #name placeholders.
SELECT cond, singletable.matches(:'item', cond, n::jsonb, v::jsonb) AS result
FROM (VALUES
	('address.city = :v', NULL, '{":v": "London"}'),
	('address.parts[1] = :v', NULL, '{":v": "Flat 2"}'),
	('address.parts[0] = :v', NULL, '{":v": "Flat 2"}'),
	('tags[0] = :v', NULL, '{":v": "math"}'),
	('#a.#c = :v', '{"#a": "address", "#c": "city"}', '{":v": "London"}'),
	('#d = :v', '{"#d": "dotted.fname"}', '{":v": "x"}'),
	('#n[1] = :v', '{"#n": "nums"}', '{":v": 1}'),
	('#s = :v AND #s <> :w', '{"#s": "SK"}', '{":v": "PROFILE", ":w": "x"}'),
	('address . city = :v', NULL, '{":v": "London"}'),
	('nums [ 2 ] = :v', NULL, '{":v": 2}')
) AS t(cond, n, v);

-- BETWEEN (bounds included) and IN.
SELECT cond, singletable.matches(:'item', cond, NULL, v::jsonb) AS result
FROM (VALUES
	('age BETWEEN :lo AND :hi', '{":lo": 30, ":hi": 40}'),
	('age BETWEEN :lo AND :hi', '{":lo": 36, ":hi": 36}'),
	('age BETWEEN :lo AND :hi', '{":lo": 37, ":hi": 40}'),
	('fname BETWEEN :lo AND :hi', '{":lo": "A", ":hi": "B"}'),
	('fname BETWEEN :lo AND :hi', '{":lo": 1, ":hi": 2}'),
	('age IN (:a, :b)', '{":a": 1, ":b": 36}'),
	('age IN (:a)', '{":a": 1}'),
	('fname IN (:a, :b)', '{":a": 36, ":b": "Ada"}'),
	('tags IN (:a)', '{":a": ["math", "code"]}'),
	('age in (:a, age)', '{":a": 1}')
) AS t(cond, v);
-- Bounds of two types are an error, as in DynamoDB.
SELECT singletable.matches(:'item', 'age BETWEEN :lo AND :hi', NULL, '{":lo": "a", ":hi": 40}');

-- Functions.
SELECT cond, singletable.matches(:'item', cond, NULL, v::jsonb) AS result
FROM (VALUES
	('attribute_exists(age)', NULL),
	('attribute_exists(nick)', NULL),
	('attribute_exists(absent)', NULL),
	('attribute_exists(address.zip)', NULL),
	('attribute_exists(address.parts[1])', NULL),
	('attribute_exists(address.parts[2])', NULL),
	('attribute_not_exists(absent)', NULL),
	('attribute_not_exists(age)', NULL),
	('attribute_not_exists(address.parts[2])', NULL),
	('begins_with(SK, :p)', '{":p": "PRO"}'),
	('begins_with(SK, :p)', '{":p": "PROFILE"}'),
	('begins_with(SK, :p)', '{":p": "PROFILES"}'),
	('begins_with(SK, :p)', '{":p": ""}'),
	('begins_with(age, :p)', '{":p": "3"}'),
	('begins_with(address.city, :p)', '{":p": "Lon"}'),
	('begins_with(fname, PK)', NULL),
	('contains(fname, :s)', '{":s": "d"}'),
	('contains(fname, :s)', '{":s": "da"}'),
	('contains(fname, :s)', '{":s": "Adam"}'),
	('contains(tags, :s)', '{":s": "code"}'),
	('contains(tags, :s)', '{":s": "cod"}'),
	('contains(nums, :s)', '{":s": 1.0}'),
	('contains(nums, :s)', '{":s": "1"}'),
	('contains(address, :s)', '{":s": "city"}'),
	('contains(age, :s)', '{":s": 3}'),
	('contains(absent, :s)', '{":s": "x"}'),
	('size(fname) = :n', '{":n": 3}'),
	('size(uni) = :n', '{":n": 2}'),
	('size(tags) = :n', '{":n": 2}'),
	('size(address) = :n', '{":n": 3}'),
	('size(address.parts) > :n', '{":n": 1}'),
	('size(blank) = :n', '{":n": 0}'),
	('size(age) = :n', '{":n": 2}'),
	('size(absent) <> :n', '{":n": 0}'),
	(':n < size(nums)', '{":n": 2}'),
	('size(nums) BETWEEN :a AND :b', '{":a": 1, ":b": 3}'),
	('size(nums) IN (:a, :b)', '{":a": 1, ":b": 3}'),
	('size(tags) = size(nums)', NULL)
) AS t(cond, v);
-- (a path compared with itself and upper-case function names are errors:
-- fidelity_expressions)

-- attribute_type: SS/NS match non-empty arrays of strings/numbers, L any
-- array; B and BS never match (binary is base64 text in plain JSON).
SELECT path, t, singletable.matches(:'item', format('attribute_type(%s, :t)', path), NULL,
	jsonb_build_object(':t', t)) AS result
FROM (VALUES ('fname', 'S'), ('fname', 'N'), ('age', 'N'), ('active', 'BOOL'),
	('nick', 'NULL'), ('address', 'M'), ('tags', 'L'), ('tags', 'SS'),
	('tags', 'NS'), ('nums', 'NS'), ('nums', 'L'), ('address.parts', 'SS'),
	('address', 'L'), ('fname', 'B'), ('tags', 'BS'), ('absent', 'S')) AS x(path, t);

-- Logic and precedence: NOT binds tighter than AND, AND than OR.
SELECT cond, singletable.matches(:'item', cond, NULL, v::jsonb) AS result
FROM (VALUES
	('age = :a AND fname = :n', '{":a": 36, ":n": "Ada"}'),
	('age = :a AND fname = :n', '{":a": 36, ":n": "Bob"}'),
	('age = :a OR fname = :n', '{":a": 1, ":n": "Ada"}'),
	('age = :a OR fname = :n', '{":a": 1, ":n": "Bob"}'),
	('NOT age = :a', '{":a": 36}'),
	('NOT NOT age = :a', '{":a": 36}'),
	('NOT attribute_exists(absent)', NULL),
	('age = :a OR age = :a AND fname = :n', '{":a": 36, ":n": "Bob"}'),
	('(age = :a OR age = :a) AND fname = :n', '{":a": 36, ":n": "Bob"}'),
	('NOT age = :a OR fname = :n', '{":a": 36, ":n": "Ada"}'),
	('NOT (age = :a OR fname = :n)', '{":a": 36, ":n": "Ada"}'),
	('NOT age = :a AND fname = :n', '{":a": 36, ":n": "Ada"}'),
	('age BETWEEN :a AND :b AND fname = :n', '{":a": 1, ":b": 40, ":n": "Ada"}'),
	('((age = :a) AND (fname = :n))', '{":a": 36, ":n": "Ada"}'),
	('age = :a and fname = :n or not active = :t', '{":a": 0, ":n": "Ada", ":t": true}'),
	('a = :x or b = :x or c = :x or age = :a', '{":a": 36, ":x": 0}')
) AS t(cond, v);

-- No item at all: attribute_not_exists is true, everything else false.
SELECT singletable.matches(NULL, 'attribute_not_exists(PK)') AS no_item_not_exists,
	singletable.matches(NULL, 'attribute_exists(PK)') AS no_item_exists,
	singletable.matches(NULL, 'PK <> :v', NULL, '{":v": 1}') AS no_item_ne;
SELECT singletable.matches(:'item', NULL) AS null_condition;
-- JSON null stands for "no names / no values".
SELECT singletable.matches(:'item', 'age = :v', 'null', '{":v": 36}');

-- One call site, many rows: the parse is kept while the expression, names
-- and values stay the same, and redone when any of them changes.
SELECT i, c, n, v, singletable.matches(jsonb_build_object('a', i), c, n::jsonb, v::jsonb) AS result
FROM (VALUES (1, 'a = :v', NULL, '{":v": 1}'), (2, 'a = :v', NULL, '{":v": 1}'),
	(3, 'a > :v', NULL, '{":v": 1}'), (4, 'a > :v', NULL, '{":v": 5}'),
	(5, '#x > :v', '{"#x": "a"}', '{":v": 1}'), (6, '#x > :v', '{"#x": "b"}', '{":v": 1}'),
	(7, 'a > :v', NULL, '{":v": 1}')) AS t(i, c, n, v);

-- Placeholders: undefined, unused, malformed.
SELECT singletable.matches(:'item', 'age = :v');
SELECT singletable.matches(:'item', 'age = :v', NULL, '{":w": 1}');
SELECT singletable.matches(:'item', '#a = :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', '#a = :v', '{"#b": "age"}', '{":v": 1}');
SELECT singletable.matches(:'item', 'age = :v', NULL, '{":v": 36, ":w": 1, ":x": 2}');
SELECT singletable.matches(:'item', 'age = :v', '{"#n": "fname"}', '{":v": 36}');
SELECT singletable.matches(:'item', 'age = :v', NULL, '{"v": 36}');
SELECT singletable.matches(:'item', 'age = :v', '{"#n": 1}', '{":v": 36}');
SELECT singletable.matches(:'item', 'age = :v', '{"#n": ""}', '{":v": 36}');
SELECT singletable.matches(:'item', 'age = :v', '["#n"]', '{":v": 36}');
SELECT singletable.matches(:'item', 'age = :v', NULL, '[36]');

-- Values checked at parse time.
SELECT singletable.matches(:'item', 'attribute_type(age, :t)', NULL, '{":t": "X"}');
SELECT singletable.matches(:'item', 'attribute_type(age, :t)', NULL, '{":t": 1}');
SELECT singletable.matches(:'item', 'begins_with(fname, :t)', NULL, '{":t": 1}');
SELECT singletable.matches(:'item', 'age BETWEEN :hi AND :lo', NULL, '{":lo": 1, ":hi": 2}');

-- Syntax errors say where.
SELECT singletable.matches(:'item', '');
SELECT singletable.matches(:'item', '   ');
SELECT singletable.matches(:'item', 'age');
SELECT singletable.matches(:'item', 'age =');
SELECT singletable.matches(:'item', 'age = AND');
SELECT singletable.matches(:'item', 'age = 36');
SELECT singletable.matches(:'item', 'age == :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'age = :v AND', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'age = :v :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', '(age = :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'age = :v)', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'age = "x"');
SELECT singletable.matches(:'item', 'ägé = :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'fname = :v AND ä', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'a = # AND b = :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'a = :', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'a.b.[1] = :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'a[x] = :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'a[-1] = :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'a[99999999999] = :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', '[1] = :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'and = :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'age BETWEEN :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'age BETWEEN :v OR :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'age IN :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'age IN ()', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'NOT', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'attribute_exists(age, fname)');
SELECT singletable.matches(:'item', 'attribute_exists()');
SELECT singletable.matches(:'item', 'attribute_exists(:v)', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'begins_with(fname)');
SELECT singletable.matches(:'item', 'begins_with(:v, fname)', NULL, '{":v": "A"}');
SELECT singletable.matches(:'item', 'size(:v) = :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'size(age)');
SELECT singletable.matches(:'item', 'nosuch(age)');
SELECT singletable.matches(:'item', 'if_not_exists(age, :v)', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'age = attribute_exists(age)');
SELECT singletable.matches(:'item', 'attribute_exists(age) = :v', NULL, '{":v": true}');

-- Limits: nesting depth 100, 100 IN operands, 32 path levels, 4 KB.
SELECT singletable.matches(:'item', repeat('(age = :v AND ', 100) || 'age = :v' || repeat(')', 100),
	NULL, '{":v": 36}') AS depth_100;
SELECT singletable.matches(:'item', repeat('(', 101) || 'age = :v' || repeat(')', 101),
	NULL, '{":v": 36}');
SELECT singletable.matches(:'item', repeat('NOT ', 100) || 'age = :v', NULL, '{":v": 36}') AS not_100;
SELECT singletable.matches(:'item', repeat('NOT ', 101) || 'age = :v', NULL, '{":v": 36}');
SELECT singletable.matches(:'item', 'age IN (' || repeat(':v, ', 99) || ':w)', NULL,
	'{":v": 1, ":w": 36}') AS in_100;
SELECT singletable.matches(:'item', 'age IN (' || repeat(':v, ', 100) || ':w)', NULL,
	'{":v": 1, ":w": 36}');
SELECT singletable.matches('{"a": 1}', 'a' || repeat('.a', 31) || ' = :v', NULL, '{":v": 1}') AS path_32;
SELECT singletable.matches('{"a": 1}', 'a' || repeat('.a', 32) || ' = :v', NULL, '{":v": 1}');
SELECT singletable.matches(:'item', 'age = :v' || repeat(' ', 4088), NULL, '{":v": 36}') AS len_4096;
SELECT singletable.matches(:'item', 'age = :v' || repeat(' ', 4089), NULL, '{":v": 36}');
