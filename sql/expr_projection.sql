-- Projection expressions through singletable.project(item, projection,
-- names), and key conditions through singletable.key_condition(condition,
-- names, values), which shows what query() receives.
\set item '{"PK": "A", "SK": "B", "n": 5, "s": "str", "l": [10, 20, 30, 40], "m": {"x": 1, "deep": {"y": [1, {"z": 2, "w": 3}]}}, "a b": 1}'

-- Projections keep the nested structure of the selected parts; list
-- elements selected by index come back compacted, in list order.
SELECT proj, singletable.project(:'item', proj, n::jsonb) AS result
FROM (VALUES
	('PK', NULL),
	('PK, SK, n', NULL),
	('absent', NULL),
	('n, absent', NULL),
	('m.x', NULL),
	('m.deep.y[1].z', NULL),
	('m.x, m.deep.y[0]', NULL),
	('l[2]', NULL),
	('l[3], l[1]', NULL),
	('l[9]', NULL),
	('l[0], l[9]', NULL),
	('m.deep.y[1].w, m.deep.y[1].z', NULL),
	('s.x', NULL),
	('s[0]', NULL),
	('m[0]', NULL),
	('#ab, #m.#x', '{"#ab": "a b", "#m": "m", "#x": "x"}'),
	('  n  ,  s  ', NULL)
) AS t(proj, n);
SELECT singletable.project(NULL, 'PK') AS no_item;
SELECT singletable.project(:'item', NULL) AS no_projection;

-- Projection errors.
SELECT singletable.project(:'item', '');
SELECT singletable.project(:'item', 'n,');
SELECT singletable.project(:'item', ',n');
SELECT singletable.project(:'item', 'n s');
SELECT singletable.project(:'item', 'n = s');
SELECT singletable.project(:'item', ':v');
SELECT singletable.project(:'item', 'size(n)');
SELECT singletable.project(:'item', 'n, n');
SELECT singletable.project(:'item', 'm, m.x');
SELECT singletable.project(:'item', 'l[1], l[1]');
SELECT singletable.project(:'item', 'm.x, m[1]');
SELECT singletable.project(:'item', '#a', '{"#a": "n", "#b": "s"}');
SELECT singletable.project(:'item', '#c');

-- Key conditions: the partition key equality and an optional sort key
-- condition, in either order, with or without parentheses.
SELECT kc, singletable.key_condition(kc, n::jsonb, v::jsonb) AS parsed
FROM (VALUES
	('PK = :pk', NULL, '{":pk": "USER#1"}'),
	('PK = :pk AND SK = :sk', NULL, '{":pk": "USER#1", ":sk": "A"}'),
	('SK = :sk AND PK = :pk', NULL, '{":pk": "USER#1", ":sk": "A"}'),
	('PK = :pk AND SK < :sk', NULL, '{":pk": "USER#1", ":sk": "A"}'),
	('PK = :pk AND SK <= :sk', NULL, '{":pk": "USER#1", ":sk": "A"}'),
	('PK = :pk AND SK > :sk', NULL, '{":pk": "USER#1", ":sk": "A"}'),
	('PK = :pk AND SK >= :sk', NULL, '{":pk": "USER#1", ":sk": "A"}'),
	('SK > :sk AND PK = :pk', NULL, '{":pk": "USER#1", ":sk": "A"}'),
	('PK = :pk AND :sk < SK', NULL, '{":pk": "USER#1", ":sk": "A"}'),
	(':pk = PK', NULL, '{":pk": "USER#1"}'),
	('PK = :pk AND SK BETWEEN :a AND :b', NULL, '{":pk": 1, ":a": 10, ":b": 20}'),
	('PK = :pk AND begins_with(SK, :p)', NULL, '{":pk": "USER#1", ":p": "ORDER#"}'),
	('(PK = :pk) AND (begins_with(SK, :p))', NULL, '{":pk": "USER#1", ":p": "ORDER#"}'),
	('(PK = :pk AND (SK > :sk))', NULL, '{":pk": "USER#1", ":sk": "A"}'),
	('#p = :pk and #s between :a and :b', '{"#p": "GSI1PK", "#s": "GSI1SK"}', '{":pk": "X", ":a": "a", ":b": "b"}')
) AS t(kc, n, v);

-- Key condition errors.
SELECT singletable.key_condition('PK = :pk OR SK = :sk', NULL, '{":pk": "a", ":sk": "b"}');
SELECT singletable.key_condition('NOT PK = :pk', NULL, '{":pk": "a"}');
SELECT singletable.key_condition('PK <> :pk', NULL, '{":pk": "a"}');
SELECT singletable.key_condition('PK IN (:pk)', NULL, '{":pk": "a"}');
SELECT singletable.key_condition('PK = :pk AND attribute_exists(SK)', NULL, '{":pk": "a"}');
SELECT singletable.key_condition('PK = :pk AND contains(SK, :sk)', NULL, '{":pk": "a", ":sk": "b"}');
SELECT singletable.key_condition('PK = :pk AND begins_with(SK, SK)', NULL, '{":pk": "a"}');
SELECT singletable.key_condition('PK = :pk AND SK = :sk AND x = :x', NULL, '{":pk": "a", ":sk": "b", ":x": 1}');
SELECT singletable.key_condition('PK = :pk AND (SK = :sk AND x = :x)', NULL, '{":pk": "a", ":sk": "b", ":x": 1}');
SELECT singletable.key_condition('PK > :pk', NULL, '{":pk": "a"}');
SELECT singletable.key_condition('PK > :pk AND SK < :sk', NULL, '{":pk": "a", ":sk": "b"}');
SELECT singletable.key_condition('PK = :pk AND PK = :sk', NULL, '{":pk": "a", ":sk": "b"}');
SELECT singletable.key_condition('PK = SK');
SELECT singletable.key_condition(':a = :b', NULL, '{":a": "a", ":b": "b"}');
SELECT singletable.key_condition('PK.x = :pk', NULL, '{":pk": "a"}');
SELECT singletable.key_condition('PK = :pk AND SK BETWEEN SK AND :b', NULL, '{":pk": "a", ":b": "b"}');
SELECT singletable.key_condition('PK = :pk AND size(SK) > :b', NULL, '{":pk": "a", ":b": 1}');
SELECT singletable.key_condition('PK = :pk', NULL, '{":pk": {"a": 1}}');
SELECT singletable.key_condition('PK = :pk', NULL, '{":pk": true}');
SELECT singletable.key_condition('PK = :pk AND begins_with(SK, :p)', NULL, '{":pk": "a", ":p": 1}');
SELECT singletable.key_condition('PK = :pk AND SK BETWEEN :b AND :a', NULL, '{":pk": "a", ":a": "a", ":b": "b"}');
SELECT singletable.key_condition('PK = :pk', NULL, '{":pk": "a", ":extra": 1}');
SELECT singletable.key_condition('PK = :pk AND', NULL, '{":pk": "a"}');
SELECT singletable.key_condition('', NULL, NULL);
