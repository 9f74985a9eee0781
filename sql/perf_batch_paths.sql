-- batch_write reads a write request in its usual shape ({"PutRequest":
-- {"Item": ...}} or {"DeleteRequest": {"Key": ...}} and nothing else)
-- without building the request paths that only errors need; any other
-- shape goes through the field-by-field checks, which raise the error.
-- The canonical key string that orders writes and finds duplicates
-- (batch_write, batch_get, transact_write) is built by hand.  Here every
-- result of those paths: the write order (seen in the change stream),
-- duplicates by value for string, number and binary keys, mixed puts and
-- deletes, GSIs, the refused shapes with their paths, the limits,
-- UnprocessedItems, and errors that change nothing.
SET client_min_messages = warning;
CREATE SCHEMA perf_batch_paths;
SET search_path = perf_batch_paths;
SELECT singletable.create_table('o');
SELECT singletable.create_table('n', partition_key_type => 'N', sort_key_type => 'N');
SELECT singletable.create_table('b', partition_key_type => 'B', sort_key => NULL);
SELECT singletable.create_table('g');
SELECT singletable.create_index('g', 'GSI1', 'GSI1PK', 'GSI1SK');
CREATE FUNCTION items(t regclass) RETURNS SETOF jsonb LANGUAGE sql AS $$
  SELECT item FROM singletable.scan(t) s, jsonb_array_elements(s->'Items') item ORDER BY item::text
$$;
SELECT 'init' FROM pg_create_logical_replication_slot('perf_batch_paths', 'test_decoding');
-- the rows written since the last call, in write order: table, change, sort key
CREATE FUNCTION written() RETURNS TABLE (tbl text, change text, sk text) LANGUAGE sql AS $$
  SELECT m[1], m[2], coalesce(substring(data FROM 'sk\[text\]:''([^'']*)'''),
                              substring(data FROM 'sk\[numeric\]:([^ ]*)'))
    FROM pg_logical_slot_get_changes('perf_batch_paths', NULL, NULL, 'include-xids', '0') c,
         regexp_match(c.data, '^table perf_batch_paths\.(\w+): (\w+):') m
   WHERE m IS NOT NULL
$$;
-- the error a call raises, or its result
CREATE FUNCTION try(request jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN singletable.batch_write(request)::text;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- Write order: table, then key as its canonical string, whose lengths
-- compare as text ("10:..." before "1:..." before "9:..."), whatever the
-- request order; neighbouring puts go as one statement, a delete between
-- them splits it.  The result is always an empty UnprocessedItems.
SELECT singletable.batch_write('{"o": [
  {"PutRequest": {"Item": {"PK": "p", "SK": "aaaaaaaaa", "n": 1}}},
  {"PutRequest": {"Item": {"PK": "p", "SK": "c", "n": 2}}},
  {"PutRequest": {"Item": {"PK": "p", "SK": "bbbbbbbbbb", "n": 3}}},
  {"PutRequest": {"Item": {"PK": "p", "SK": "d", "n": 4}}}]}');
SELECT * FROM written();
SELECT singletable.batch_write('{"o": [
  {"PutRequest": {"Item": {"PK": "p", "SK": "aaaaaaaaa", "n": 5}}},
  {"DeleteRequest": {"Key": {"PK": "p", "SK": "c"}}},
  {"PutRequest": {"Item": {"PK": "p", "SK": "bbbbbbbbbb", "n": 6}}},
  {"DeleteRequest": {"Key": {"PK": "p", "SK": "nothing here"}}},
  {"PutRequest": {"Item": {"PK": "p", "SK": "e", "n": 7}}}]}');
SELECT * FROM written();
SELECT * FROM items('o');
-- number keys are ordered by their normalised text
SELECT singletable.batch_write('{"n": [
  {"PutRequest": {"Item": {"PK": 1, "SK": 100, "v": "a"}}},
  {"PutRequest": {"Item": {"PK": 1, "SK": 2.50, "v": "b"}}},
  {"PutRequest": {"Item": {"PK": 1, "SK": -3, "v": "c"}}}]}');
SELECT * FROM written();

-- A key named twice is refused, compared by value: the same string, the
-- same number written two ways, the same bytes, a put and a delete of one
-- key.  The same key in two tables is not a duplicate.
SELECT singletable.batch_write('{"o": [
  {"PutRequest": {"Item": {"PK": "p", "SK": "x"}}},
  {"PutRequest": {"Item": {"PK": "p", "SK": "x", "other": true}}}]}');
SELECT singletable.batch_write('{"n": [
  {"PutRequest": {"Item": {"PK": 1, "SK": 2.5}}},
  {"PutRequest": {"Item": {"PK": 1.0, "SK": 2.50}}}]}');
SELECT singletable.batch_write('{"b": [
  {"PutRequest": {"Item": {"PK": {"$B": "AAEC"}}}},
  {"DeleteRequest": {"Key": {"PK": {"$B": "AAEC"}}}}]}');
SELECT singletable.batch_write('{"o": [
  {"DeleteRequest": {"Key": {"PK": "p", "SK": "e"}}},
  {"PutRequest": {"Item": {"PK": "p", "SK": "e"}}}]}');
SELECT singletable.batch_write('{"o": [{"PutRequest": {"Item": {"PK": "q", "SK": "1"}}}],
                                 "g": [{"PutRequest": {"Item": {"PK": "q", "SK": "1"}}}]}');
SELECT * FROM written();
-- batch_get and transact_write find duplicates with the same key strings
SELECT singletable.batch_get('{"n": {"Keys": [{"PK": 1, "SK": 2.5}, {"PK": 1.00, "SK": 2.5}]}}');
SELECT singletable.batch_get('{"b": {"Keys": [{"PK": {"$B": "AAEC"}}, {"PK": {"$B": "AAEC"}}]}}');
SELECT singletable.batch_get('{"o": {"Keys": [{"PK": "p", "SK": "e"}, {"PK": "p", "SK": "aaaaaaaaa"}]},
                               "n": {"Keys": [{"PK": 1, "SK": 2.5}]}}');
-- ... and before looking the table up, the same key twice in one table's
-- Keys, compared as JSON values (numbers by value, maps whatever their
-- key order); different keys are not duplicates, however alike
SELECT singletable.batch_get('{"missing": {"Keys": [{"PK": 1.0, "SK": "a"}, {"PK": 2, "SK": "a"}, {"SK": "a", "PK": 1.00}]}}');
SELECT singletable.batch_get('{"missing": {"Keys": [{"PK": {"$B": "AAEC"}, "SK": {"m": [1, {"x": null}]}},
                                                    {"SK": {"m": [1.0, {"x": null}]}, "PK": {"$B": "AAEC"}}]}}');
SELECT singletable.batch_get('{"missing": {"Keys": [{"PK": "a", "SK": "b"}, {"PK": "b", "SK": "a"}, {"PK": "a"},
                                                    {"PK": "a", "SK": "b", "x": 1}, {"PK": ["a", "b"]}, {"PK": ["b", "a"]}]}}');
SELECT singletable.batch_get(jsonb_build_object('n', jsonb_build_object('Keys',
         jsonb_agg(jsonb_build_object('PK', i, 'SK', i))))) FROM generate_series(1, 100) i;
SELECT singletable.batch_get(jsonb_build_object('n', jsonb_build_object('Keys',
         jsonb_agg(jsonb_build_object('PK', i % 99, 'SK', i % 99))))) FROM generate_series(1, 100) i;
SELECT singletable.transact_write('[
  {"Put": {"TableName": "n", "Item": {"PK": 1, "SK": 7}}},
  {"Delete": {"TableName": "n", "Key": {"PK": 1.0, "SK": 7.00}}}]');
SELECT singletable.transact_write('[
  {"Put": {"TableName": "b", "Item": {"PK": {"$B": "AAEC"}, "v": 1}}},
  {"Put": {"TableName": "o", "Item": {"PK": "p", "SK": "f"}}}]');
SELECT * FROM written();

-- Tables with a GSI: the index follows puts and deletes; an item without
-- the index keys is not in it.
SELECT singletable.batch_write('{"g": [
  {"PutRequest": {"Item": {"PK": "u", "SK": "1", "GSI1PK": "org", "GSI1SK": "b"}}},
  {"PutRequest": {"Item": {"PK": "u", "SK": "2", "GSI1PK": "org", "GSI1SK": "a"}}},
  {"PutRequest": {"Item": {"PK": "u", "SK": "3"}}}]}');
SELECT singletable.query('g', 'GSI1PK = :o', "values" => '{":o": "org"}', index => 'GSI1');
SELECT singletable.batch_write('{"g": [
  {"DeleteRequest": {"Key": {"PK": "u", "SK": "1"}}},
  {"PutRequest": {"Item": {"PK": "u", "SK": "2", "GSI1PK": "org", "GSI1SK": "c"}}},
  {"PutRequest": {"Item": {"PK": "u", "SK": "3", "GSI1PK": "org", "GSI1SK": "d"}}}]}');
SELECT singletable.query('g', 'GSI1PK = :o', "values" => '{":o": "org"}', index => 'GSI1');
SELECT * FROM written();

-- Every other shape of a write request is read field by field and
-- refused with its path (here the third request of "o"): conditions and
-- other parameters are not part of BatchWriteItem.
SELECT r AS request, try(jsonb_build_object('o', jsonb_build_array(
  '{"PutRequest": {"Item": {"PK": "r", "SK": "1"}}}'::jsonb,
  '{"DeleteRequest": {"Key": {"PK": "r", "SK": "2"}}}'::jsonb, r))) AS error
  FROM unnest(ARRAY[
    '{"PutRequest": {"Item": {"PK": "r", "SK": "3"}, "ConditionExpression": "attribute_not_exists(PK)"}}',
    '{"DeleteRequest": {"Key": {"PK": "r", "SK": "3"}, "ConditionExpression": "attribute_exists(PK)"}}',
    '{"PutRequest": {"Item": {"PK": "r", "SK": "3"}}, "ReturnValues": "ALL_OLD"}',
    '{"PutRequest": {"Item": {"PK": "r", "SK": "3"}}, "DeleteRequest": {"Key": {"PK": "r", "SK": "4"}}}',
    '{}', '{"PutRequest": null}', '{"PutRequest": {}}', '{"PutRequest": "x"}',
    '{"PutRequest": {"Item": null}}', '{"PutRequest": {"Item": [1]}}',
    '{"DeleteRequest": {"Key": "k"}}', '{"DeleteRequest": {"Item": {"PK": "r", "SK": "3"}}}',
    '{"Put": {"Item": {"PK": "r", "SK": "3"}}}', '5', '[]'
  ]::jsonb[]) r;
-- a request the usual shape allows but the item or key does not
SELECT singletable.batch_write('{"o": [{"PutRequest": {"Item": {"PK": "r"}}}]}');
SELECT singletable.batch_write('{"o": [{"PutRequest": {"Item": {"PK": "r", "SK": 1}}}]}');
SELECT singletable.batch_write('{"o": [{"DeleteRequest": {"Key": {"PK": "r"}}}]}');
SELECT singletable.batch_write('{"o": [{"DeleteRequest": {"Key": {"PK": "r", "SK": "1", "x": 1}}}]}');
SELECT singletable.batch_write('{"o": [{"PutRequest": {"Item": {"PK": "r", "SK": "1", "": 1}}}]}');
-- errors about an item's value name its top-level attribute, short or long
SELECT singletable.batch_write('{"o": [{"PutRequest": {"Item": {"PK": "r", "SK": "1", "n": 1e200}}}]}');
SELECT singletable.batch_write(jsonb_build_object('o', jsonb_build_array(jsonb_build_object('PutRequest',
  jsonb_build_object('Item', jsonb_build_object('PK', 'r', 'SK', '1', 'm', jsonb_build_object('a', 1),
                                                repeat('long', 20), '[[1e-200]]'::jsonb))))));
SELECT singletable.batch_write(jsonb_build_object('o', jsonb_build_array(jsonb_build_object('PutRequest',
  jsonb_build_object('Item', jsonb_build_object('PK', 'r', 'SK', '1', 'deep',
                                                (repeat('[', 40) || repeat(']', 40))::jsonb))))));
SELECT singletable.batch_write(jsonb_build_object('o', jsonb_build_array(jsonb_build_object('PutRequest',
  jsonb_build_object('Item', jsonb_build_object('PK', 'r', 'SK', '1', 'a', 1, repeat('x', 63),
                                                (repeat('[', 40) || repeat(']', 40))::jsonb))))));
SELECT singletable.batch_write(jsonb_build_object('o', jsonb_build_array(jsonb_build_object('PutRequest',
  jsonb_build_object('Item', jsonb_build_object('PK', 'r', 'SK', '1', 'a', 1, repeat('x', 63), 2, repeat('d', 64),
                                                (repeat('[', 40) || repeat(']', 40))::jsonb))))));
SELECT singletable.batch_write('{"o": [], "g": [{"PutRequest": {"Item": {"PK": "r", "SK": "1"}}}]}');
SELECT singletable.batch_write('{"missing": [{"PutRequest": {"Item": {"PK": "r", "SK": "1"}}}]}');
SELECT * FROM written();

-- The limits: 25 requests (the setting), items within max_item_size.
SELECT singletable.batch_write(jsonb_build_object('o', jsonb_agg(
         jsonb_build_object('PutRequest', jsonb_build_object('Item',
           jsonb_build_object('PK', 'l', 'SK', lpad(i::text, 2, '0'))))))) FROM generate_series(1, 25) i;
SELECT count(*) FROM o WHERE pk = 'l';
SELECT singletable.batch_write(jsonb_build_object('o', jsonb_agg(
         jsonb_build_object('DeleteRequest', jsonb_build_object('Key',
           jsonb_build_object('PK', 'l', 'SK', lpad(i::text, 2, '0'))))))) FROM generate_series(1, 26) i;
SET singletable.batch_write_max_items = 2;
SELECT singletable.batch_write('{"o": [{"DeleteRequest": {"Key": {"PK": "l", "SK": "01"}}}],
                                 "g": [{"PutRequest": {"Item": {"PK": "l", "SK": "1"}}},
                                       {"PutRequest": {"Item": {"PK": "l", "SK": "2"}}}]}');
RESET singletable.batch_write_max_items;
SET singletable.max_item_size = '1kB';
SELECT singletable.batch_write(jsonb_build_object('o', jsonb_build_array(
  '{"DeleteRequest": {"Key": {"PK": "l", "SK": "01"}}}'::jsonb,
  jsonb_build_object('PutRequest', jsonb_build_object('Item',
    jsonb_build_object('PK', 'l', 'SK', '02', 'data', repeat('x', 1100)))))));
RESET singletable.max_item_size;
-- none of the failed calls wrote anything
SELECT count(*) FROM o WHERE pk = 'l';
SELECT * FROM written();

-- execute('BatchWriteItem'): typed items and keys take the same paths.
SELECT singletable.execute('BatchWriteItem', '{"RequestItems": {"n": [
  {"PutRequest": {"Item": {"PK": {"N": "2"}, "SK": {"N": "1"}, "s": {"SS": ["a", "b"]}}}},
  {"DeleteRequest": {"Key": {"PK": {"N": "1"}, "SK": {"N": "100"}}}}]}}');
SELECT singletable.execute('BatchWriteItem', '{"RequestItems": {"n": [
  {"PutRequest": {"Item": {"PK": {"N": "2"}, "SK": {"N": "1"}}}},
  {"DeleteRequest": {"Key": {"PK": {"N": "2.0"}, "SK": {"N": "1"}}}}]}}', raise_errors => false);
SELECT singletable.execute('BatchWriteItem', '{"RequestItems": {"n": [
  {"PutRequest": {"Item": {"PK": {"N": "3"}, "SK": {"N": "1"}}, "ConditionExpression": "x"}}]}}',
  raise_errors => false);
SELECT * FROM items('n');
SELECT * FROM written();

-- batch_get reads a table's keys through one scan of its primary key, set
-- up at the table's first read: found and missing keys of two tables, a
-- projection, in request order.
SELECT singletable.batch_get('{"o": {"Keys": [{"PK": "p", "SK": "e"}, {"PK": "p", "SK": "none"},
                                              {"PK": "p", "SK": "aaaaaaaaa"}, {"PK": "l", "SK": "07"}],
                                     "ProjectionExpression": "SK, n"},
                               "n": {"Keys": [{"PK": 1, "SK": -3}, {"PK": 9, "SK": 9}, {"PK": 1, "SK": 2.5}]}}');
-- row-level security: the policy's rows only; a table without SELECT
-- privilege is refused, unless reading stopped at the size limit before
-- it, and then its keys come back unread
SELECT singletable.create_table('rl');
SELECT singletable.create_table('zz');
SELECT singletable.batch_write('{"rl": [{"PutRequest": {"Item": {"PK": "ok", "SK": "1"}}},
                                        {"PutRequest": {"Item": {"PK": "no", "SK": "1"}}}],
                                 "zz": [{"PutRequest": {"Item": {"PK": "z", "SK": "1"}}}]}');
SELECT singletable.batch_write(jsonb_build_object('o', jsonb_agg(jsonb_build_object('PutRequest',
  jsonb_build_object('Item', jsonb_build_object('PK', 'big', 'SK', i::text, 'data', repeat('x', 1500)))))))
  FROM generate_series(1, 3) i;
ALTER TABLE rl ENABLE ROW LEVEL SECURITY;
CREATE POLICY ok ON rl FOR SELECT USING (pk = 'ok');
CREATE ROLE perf_batch_paths_reader;
GRANT USAGE ON SCHEMA perf_batch_paths TO perf_batch_paths_reader;
GRANT SELECT ON o, rl TO perf_batch_paths_reader;
SET ROLE perf_batch_paths_reader;
SELECT singletable.batch_get('{"rl": {"Keys": [{"PK": "ok", "SK": "1"}, {"PK": "no", "SK": "1"}]},
                               "o": {"Keys": [{"PK": "p", "SK": "e"}], "ProjectionExpression": "SK"}}');
SELECT singletable.batch_get('{"o": {"Keys": [{"PK": "p", "SK": "e"}]}, "zz": {"Keys": [{"PK": "z", "SK": "1"}]}}');
SET singletable.batch_get_max_size = '2kB';
SELECT jsonb_array_length(r->'Responses'->'o') AS items, r->'Responses' ? 'zz' AS zz_read, r->'UnprocessedKeys' AS unprocessed
  FROM singletable.batch_get('{"o": {"Keys": [{"PK": "big", "SK": "1"}, {"PK": "big", "SK": "2"}, {"PK": "big", "SK": "3"}],
                                     "ProjectionExpression": "PK, SK, #d", "ExpressionAttributeNames": {"#d": "data"}},
                               "zz": {"Keys": [{"PK": "z", "SK": "1"}]}}') r;
RESET singletable.batch_get_max_size;
RESET ROLE;

SELECT 'drop' FROM pg_drop_replication_slot('perf_batch_paths');
DROP SCHEMA perf_batch_paths CASCADE;
DROP ROLE perf_batch_paths_reader;
