-- The change stream's images and keys, byte for byte, for items that are
-- hard to print: binary values, sets, nested maps and lists, escapes and
-- unicode, big and exact numbers, empty containers, and maps and lists of
-- more than 32 members (jsonb stores an offset every 32 members and lengths
-- between).  A plain image is the text of the item as Postgres prints it
-- (item::text) and a typed one the text of to_dynamodb_json(item), for
-- every envelope and view that carries it.
SET client_min_messages = warning;

SELECT singletable.create_table('img');
SELECT 'init' FROM pg_create_logical_replication_slot('st_images', 'singletable');

CREATE TEMP TABLE img_src (n int PRIMARY KEY, item jsonb);
INSERT INTO img_src VALUES
 (1, '{"PK": "bin", "SK": "1", "b": {"$B": "AAH/"}, "bs": {"$BS": ["YQ==", "Yg=="]}, "eb": {"$B": ""}}'),
 (2, '{"PK": "sets", "SK": "2", "ss": {"$SS": ["b", "a", "\"q\""]}, "ns": {"$NS": [1.50, 1e2, -0.001]}}'),
 (3, '{"PK": "nest", "SK": "3", "m": {"a": {"b": {"c": [1, [2, [3, {"d": null}]], {}]}}, "e": []},
       "l": [true, false, null, "x", 0, {"$M": {"$B": "not binary"}}]}'),
 (4, E'{"PK": "esc\\"\\\\/", "SK": "4", "s": "tab\\there\\nnl\\r\\b\\f\\u0001\\u001f end",
       "u": "caf\u00e9 \u65e5\u672c \ud83d\ude00", "k\\"ey\\n": "v", "": "empty key"}'),
 (5, '{"PK": "num", "SK": "5", "big": 12345678901234567890123456789012345678,
       "exact": 12345678901234567890.123456789, "small": 0.000000000000000000001,
       "neg": -42, "zero": 0, "scaled": 1.500, "exp": 1e-130, "large": 9.9e125}'),
 (6, '{"PK": "empty", "SK": "6", "m": {}, "l": [], "s": ""}'),
 (8, E'{"PK": "edges", "SK": "8", "a": "1234567\\"", "b": "12345678\\\\9", "c": "\\u001f234567812345678\\u0001",
       "d": "\\"\\"\\"\\"\\"\\"\\"\\"\\"", "e": "\u00e9\u00e9\u00e9\u00e9x\\n", "1234567\\"9": "\\u007f~",
       "f": "1234\\\\678abc", "g": "abcdefgh\\u0002\\"\\\\ijklmnop"}');
-- 40 members, 40 elements, and a nested map of 35
INSERT INTO img_src
SELECT 7, jsonb_build_object('PK', 'wide', 'SK', '7') ||
          (SELECT jsonb_object_agg('a' || lpad(i::text, 2, '0'), repeat('v', i)) FROM generate_series(1, 40) i) ||
          jsonb_build_object('list', (SELECT jsonb_agg(CASE WHEN i % 3 = 0 THEN to_jsonb(i) WHEN i % 3 = 1 THEN to_jsonb(repeat('e', i)) ELSE 'null'::jsonb END)
                                        FROM generate_series(1, 40) i),
                             'map', (SELECT jsonb_object_agg('k' || i, i * 1.5) FROM generate_series(1, 35) i));

-- INSERT, MODIFY (and one that changes nothing), REMOVE; a number key
INSERT INTO img (item) SELECT item FROM img_src ORDER BY n;
UPDATE img SET item = item || '{"extra": "\u00e9\"\\"}' WHERE pk IN ('nest', 'esc"\/');
UPDATE img SET item = item WHERE pk = 'bin';
DELETE FROM img WHERE pk IN ('num', 'wide');
SELECT singletable.create_table('imgn', partition_key => 'id', partition_key_type => 'N', sort_key => NULL);
SELECT singletable.put_item('imgn', '{"id": 12345678901234567890.5, "v": "x"}');
SELECT singletable.delete_item('imgn', '{"id": 12345678901234567890.5}');

-- Every record, default envelope, the run-dependent fields masked
CREATE TEMP VIEW masked AS
SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(
         d, '"eventID":"[0-9A-F]+"', '"eventID":"*"'),
         '"transactionId":[0-9]+,"commitLsn":"[0-9A-F/]+","commitTime":"[^"]*"', '"transactionId":*,"commitLsn":*,"commitTime":*'),
         '"ApproximateCreationDateTime":[0-9]+', '"ApproximateCreationDateTime":*'),
         '"SequenceNumber":"[0-9]{20}', '"SequenceNumber":"*') AS d
  FROM (SELECT data AS d FROM pg_logical_slot_peek_changes('st_images', NULL, NULL)) s;
SELECT d FROM masked;

-- The same with the other formats, envelopes and views, in full
SELECT regexp_replace(data, '"transactionId":[0-9]+,"commitLsn":"[0-9A-F/]+","commitTime":"[^"]*",', '', 'g') AS compact_typed
  FROM pg_logical_slot_peek_changes('st_images', NULL, NULL, 'envelope', 'compact', 'format', 'typed');
SELECT regexp_replace(data, '"transactionId":[0-9]+,"commitLsn":"[0-9A-F/]+","commitTime":"[^"]*",', '', 'g') AS compact_keys_only
  FROM pg_logical_slot_peek_changes('st_images', NULL, NULL, 'envelope', 'compact', 'view', 'KEYS_ONLY');
SELECT regexp_replace(data, '"transactionId":[0-9]+,"commitLsn":"[0-9A-F/]+","commitTime":"[^"]*",', '', 'g') AS compact_old_image
  FROM pg_logical_slot_peek_changes('st_images', NULL, NULL, 'envelope', 'compact', 'view', 'OLD_IMAGE');

-- Byte for byte: each image is the item's own text, plain (item::text) or
-- typed (to_dynamodb_json(item)::text), in both envelopes; the records
-- that carry an image and those whose image is not that text.
CREATE TEMP TABLE img_items AS
SELECT item FROM img_src
UNION SELECT item || '{"extra": "\u00e9\"\\"}' FROM img_src WHERE n IN (3, 4)
UNION SELECT '{"id": 12345678901234567890.5, "v": "x"}'::jsonb;
WITH recs AS (
  SELECT 'dynamodb' AS envelope, 'plain' AS format, data FROM pg_logical_slot_peek_changes('st_images', NULL, NULL)
  UNION ALL SELECT 'compact', 'plain', data FROM pg_logical_slot_peek_changes('st_images', NULL, NULL, 'envelope', 'compact')
  UNION ALL SELECT 'dynamodb', 'typed', data FROM pg_logical_slot_peek_changes('st_images', NULL, NULL, 'format', 'typed')
  UNION ALL SELECT 'compact', 'typed', data FROM pg_logical_slot_peek_changes('st_images', NULL, NULL, 'envelope', 'compact', 'format', 'typed')),
images AS (
  SELECT envelope, format, data, img, (data::jsonb #> CASE envelope WHEN 'compact' THEN ARRAY[img] ELSE ARRAY['dynamodb', img] END) AS parsed
    FROM recs, (VALUES ('NewImage'), ('OldImage')) v(img))
SELECT envelope, format, img, count(*) FILTER (WHERE parsed IS NOT NULL) AS images,
       count(*) FILTER (WHERE parsed IS NOT NULL AND NOT EXISTS (
         SELECT 1 FROM img_items i
          WHERE strpos(data, '"' || img || '":' || CASE format WHEN 'plain' THEN i.item::text
                                                   ELSE singletable.to_dynamodb_json(i.item)::text END) > 0)) AS not_identical
  FROM images GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

SELECT 'done' FROM pg_drop_replication_slot('st_images');
DROP TABLE img, imgn;
