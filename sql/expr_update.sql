-- Update expressions through singletable.apply_update(item, update, names,
-- values): SET (with + and -, if_not_exists, list_append), REMOVE, ADD and
-- DELETE, nested paths and list indexes, and every error.
\set item '{"PK": "A", "SK": "B", "n": 5, "s": "str", "l": [10, 20, 30, 40], "m": {"x": 1, "deep": {"y": [1, {"z": 2}]}}, "tags": {"$SS": ["b", "d"]}, "nums": {"$NS": [3, 1]}, "flag": true}'

-- SET: top-level, nested map keys, list elements, new attributes.
SELECT upd, singletable.apply_update(:'item', upd, n::jsonb, v::jsonb) AS result
FROM (VALUES
	('SET n = :v', NULL, '{":v": 6}'),
	('SET fresh = :v', NULL, '{":v": {"a": [1, 2]}}'),
	('SET m.x = :v', NULL, '{":v": "one"}'),
	('SET m.newkey = :v', NULL, '{":v": null}'),
	('SET m.deep.y[1].z = :v', NULL, '{":v": 3}'),
	('SET l[1] = :v', NULL, '{":v": 21}'),
	('SET l[4] = :v', NULL, '{":v": 50}'),
	('SET l[99] = :v', NULL, '{":v": 50}'),
	('SET #k = :v, #m.#x = :v', '{"#k": "a b", "#m": "m", "#x": "x"}', '{":v": 0}'),
	('set n = :v, s = :w', NULL, '{":v": 1, ":w": "t"}'),
	('SET n = s, s = n', NULL, NULL),
	('SET twin = m.deep', NULL, NULL),
	('SET l[0] = l[3], l[3] = l[0]', NULL, NULL)
) AS t(upd, n, v);

-- Arithmetic, if_not_exists, list_append.
SELECT upd, singletable.apply_update(:'item', upd, NULL, v::jsonb) AS result
FROM (VALUES
	('SET n = n + :v', '{":v": 1}'),
	('SET n = n - :v', '{":v": 10}'),
	('SET n = :v + n', '{":v": 0.5}'),
	('SET n = :a - :b', '{":a": 1, ":b": 3}'),
	('SET o = n + n', NULL),
	('SET c = if_not_exists(c, :z) + :one', '{":z": 0, ":one": 1}'),
	('SET n = if_not_exists(n, :z) + :one', '{":z": 0, ":one": 1}'),
	('SET s = if_not_exists(s, :v)', '{":v": "default"}'),
	('SET l = list_append(l, :v)', '{":v": [50, 60]}'),
	('SET l = list_append(:v, l)', '{":v": [0]}'),
	('SET e = list_append(if_not_exists(e, :empty), :v)', '{":empty": [], ":v": ["x"]}'),
	('SET m.deep.y = list_append(m.deep.y, m.deep.y)', NULL),
	('SET n = n + :big', '{":big": 99999999999999999999999999999999999990}')
) AS t(upd, v);

-- REMOVE: attributes, nested keys, list elements (the rest shift down),
-- missing ones (no error).
SELECT upd, singletable.apply_update(:'item', upd) AS result
FROM (VALUES
	('REMOVE s'),
	('REMOVE s, n, flag'),
	('REMOVE absent'),
	('REMOVE m.x'),
	('REMOVE m.deep.y[0]'),
	('REMOVE l[1]'),
	('REMOVE l[1], l[3]'),
	('REMOVE l[3], l[0], l[1]'),
	('REMOVE l[10]'),
	('REMOVE m.nosuch')
) AS t(upd);
-- (REMOVE through a missing map is an error: fidelity_expressions)

-- ADD: numbers (missing = 0) and arrays as sets (sorted, de-duplicated).
SELECT upd, singletable.apply_update(:'item', upd, NULL, v::jsonb) AS result
FROM (VALUES
	('ADD n :v', '{":v": 2}'),
	('ADD n :v', '{":v": -7.5}'),
	('ADD tallies :v', '{":v": 1}'),
	('ADD m.x :v', '{":v": 1}'),
	('ADD tags :v', '{":v": {"$SS": ["c", "a", "b"]}}'),
	('ADD nums :v', '{":v": {"$NS": [2, 3, 1.0, 10]}}'),
	('ADD newset :v', '{":v": {"$SS": ["z", "y"]}}'),
	('ADD n :one, tags :t', '{":one": 1, ":t": {"$SS": ["a"]}}')
) AS t(upd, v);

-- DELETE: remove elements from a set; removing them all removes the attribute.
SELECT upd, singletable.apply_update(:'item', upd, NULL, v::jsonb) AS result
FROM (VALUES
	('DELETE tags :v', '{":v": {"$SS": ["b"]}}'),
	('DELETE tags :v', '{":v": {"$SS": ["x"]}}'),
	('DELETE tags :v', '{":v": {"$SS": ["b", "d"]}}'),
	('DELETE nums :v', '{":v": {"$NS": [1.00]}}'),
	('DELETE absent :v', '{":v": {"$SS": ["b"]}}')
) AS t(upd, v);

-- All four clauses at once, in any order; keywords are case-insensitive.
SELECT singletable.apply_update(:'item',
	'remove flag add n :one DELETE tags :d set s = :s, m.x = m.x + :one',
	NULL, '{":one": 1, ":d": {"$SS": ["d"]}, ":s": "fresh"}');
SELECT singletable.apply_update(:'item',
	'DELETE tags :d ADD n :one REMOVE flag SET s = :s',
	NULL, '{":one": 1, ":d": {"$SS": ["d"]}, ":s": "fresh"}');

-- No item: updated as the empty item (update_item's upsert).
SELECT singletable.apply_update(NULL, 'SET a = :v ADD c :one', NULL, '{":v": "x", ":one": 1}');
SELECT singletable.apply_update(:'item', NULL) AS null_update;

-- Errors: wrong operand types.
SELECT singletable.apply_update(:'item', 'SET x = s + :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET x = n - :v', NULL, '{":v": "1"}');
SELECT singletable.apply_update(:'item', 'SET x = list_append(l, :v)', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET x = list_append(m, l)');
SELECT singletable.apply_update(:'item', 'ADD s :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'ADD n :v', NULL, '{":v": {"$SS": ["a"]}}');
SELECT singletable.apply_update(:'item', 'ADD tags :v', NULL, '{":v": {"$NS": [1]}}');
SELECT singletable.apply_update(:'item', 'ADD tags :v', NULL, '{":v": "a"}');
SELECT singletable.apply_update(:'item', 'ADD tags :v', NULL, '{":v": {"$SS": []}}');
SELECT singletable.apply_update(:'item', 'ADD tags :v', NULL, '{":v": {"$SS": ["a", 1]}}');
SELECT singletable.apply_update(:'item', 'ADD tags :v', NULL, '{":v": {"$NS": [{"a": 1}]}}');
SELECT singletable.apply_update(:'item', 'ADD m :v', NULL, '{":v": {"$SS": ["a"]}}');
SELECT singletable.apply_update(:'item', 'DELETE n :v', NULL, '{":v": {"$NS": [1]}}');
SELECT singletable.apply_update(:'item', 'DELETE tags :v', NULL, '{":v": "b"}');
SELECT singletable.apply_update(:'item', 'DELETE tags :v', NULL, '{":v": {"$NS": [1]}}');
SELECT singletable.apply_update(:'item', 'DELETE l :v', NULL, '{":v": {"$NS": [10]}}') AS a_list_is_not_a_set;
SELECT singletable.apply_update('{"l": [{"a": 1}]}', 'DELETE l :v', NULL, '{":v": [10]}');

-- Errors: results DynamoDB cannot store (more than 38 significant digits).
SELECT singletable.apply_update(:'item', 'SET n = n + :v', NULL,
	'{":v": 0.00000000000000000000000000000000000001}');
SELECT singletable.apply_update(:'item', 'ADD n :v', NULL,
	'{":v": 99999999999999999999999999999999999999}');

-- Errors: an operand that does not exist.
SELECT singletable.apply_update(:'item', 'SET x = absent');
SELECT singletable.apply_update(:'item', 'SET x = absent + :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET x = l[10]');

-- Errors: paths that cannot be updated.
SELECT singletable.apply_update(:'item', 'SET nosuch.x = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET m.nosuch.x = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET s.x = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET s[0] = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET m[0] = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET l.x = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET nosuch[0] = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'REMOVE s.x');
SELECT singletable.apply_update(:'item', 'REMOVE l.x');
SELECT singletable.apply_update(:'item', 'ADD nosuch.x :v', NULL, '{":v": 1}');

-- Errors: overlapping or conflicting paths.
SELECT singletable.apply_update(:'item', 'SET n = :v, n = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET m = :v REMOVE m.x', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET #a.x = :v REMOVE m', '{"#a": "m"}', '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET l[1] = :v REMOVE l[1]', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET m.x = :v, m[0] = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'ADD n :v DELETE n :w', NULL, '{":v": 1, ":w": [1]}');
SELECT singletable.apply_update(:'item', 'SET l[1] = :v, l[2] = :v, m.x = :v, m.y = :v',
	NULL, '{":v": 0}') AS no_overlap;

-- Errors: syntax.
SELECT singletable.apply_update(:'item', '');
SELECT singletable.apply_update(:'item', 'n = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET n', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET n =', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET n = :v,', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET n = :v + :v + :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET n = :v SET s = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'REMOVE n REMOVE s');
SELECT singletable.apply_update(:'item', 'REMOVE :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'ADD n', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'ADD n s');
SELECT singletable.apply_update(:'item', 'ADD n = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'DELETE tags', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET n = size(l)');
SELECT singletable.apply_update(:'item', 'SET n = if_not_exists(:v, n)', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET n = if_not_exists(n)');
SELECT singletable.apply_update(:'item', 'SET n = list_append(l, l, l)');
SELECT singletable.apply_update(:'item', 'SET n = (n)');
SELECT singletable.apply_update(:'item', 'SET n = n AND s = s');
SELECT singletable.apply_update(:'item', 'UPDATE n = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET set = :v', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET #set = :v', '{"#set": "set"}', '{":v": 1}') AS placeholder_for_keyword;
SELECT singletable.apply_update(:'item', 'SET n = :v', NULL, '{":v": 1, ":unused": 2}');
SELECT singletable.apply_update(:'item', 'SET n = :nope', NULL, '{":v": 1}');
SELECT singletable.apply_update(:'item', 'SET n = ' || repeat('list_append(', 101) || 'l' || repeat(', l)', 101));
SELECT jsonb_array_length(singletable.apply_update(:'item', 'SET n = ' || repeat('list_append(', 100) || 'l'
	|| repeat(', :e)', 100), NULL, '{":e": []}') -> 'n') AS nested_100;
