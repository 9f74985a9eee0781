-- The change stream's fast paths, byte for byte: the decoder writes JSON
-- strings, numbers, commit times and the digits of places and sizes itself
-- rather than through Postgres' output functions, and must write exactly
-- what those write.  Images are compared with jsonb's own text (item::text,
-- and to_dynamodb_json(item)::text for the typed format), keys with
-- to_json(), places and sizes with what the record says elsewhere; only
-- mismatches would be listed.  (stream_bytes shows whole records.)
SET client_min_messages = warning;
SET TimeZone = 'Pacific/Chatham';	-- the stream writes UTC whatever this is

SELECT singletable.create_table('paths');
SELECT singletable.create_table('paths_n', partition_key => 'id',
                                partition_key_type => 'N', sort_key => NULL);
SELECT 'init' FROM pg_create_logical_replication_slot('st_paths', 'singletable');

-- Strings: every byte that needs an escape (and a few that do not: DEL,
-- U+2028, U+2029, multi-byte UTF-8) at every place of strings of 1 to 20
-- bytes, as an attribute name, a value, a list element and in the sort key.
CREATE TEMP TABLE string_cases AS
SELECT row_number() OVER (ORDER BY ord) AS n, s
FROM (SELECT c.ord * 1000 + len * 20 + pos AS ord,
             repeat('a', pos) || c.ch || repeat('b', len - pos - 1) AS s
      FROM (VALUES (1, E'\x01'), (2, E'\b'), (3, E'\t'), (4, E'\n'), (5, E'\x0b'),
                   (6, E'\f'), (7, E'\r'), (8, E'\x1f'), (9, ' '), (10, '"'),
                   (11, '\'), (12, E'\x7f'), (13, U&'\2028'), (14, U&'\2029'),
                   (15, 'é'), (16, '😀')) AS c(ord, ch),
           generate_series(1, 20) AS len, generate_series(0, 19) AS pos
      WHERE pos < len
      UNION ALL
      -- long strings: escapes in runs, and none at all
      SELECT 100000 + i, repeat(E'x"\\\n', i) FROM generate_series(0, 40) i
      UNION ALL
      SELECT 200000 + i, repeat('0123456789', i) FROM generate_series(1, 40) i) c;

BEGIN;
INSERT INTO paths(item)
SELECT jsonb_build_object('PK', 'S', 'SK', s || '#' || n, 'n', n, s, s,
                          'l', jsonb_build_array(s, jsonb_build_object(s, s)))
FROM string_cases ORDER BY n;
COMMIT;

-- The records of the items of paths with partition key pk: the text of
-- Keys and of the image, the item they come from and its place n.
CREATE FUNCTION records(pk text, VARIADIC opts text[])
RETURNS TABLE (n bigint, keys text, image text, item jsonb, data text)
LANGUAGE sql AS $$
	SELECT (p.item->>'n')::bigint, r.keys, r.image, p.item, r.data
	FROM (SELECT data,
	             substring(data FROM position('"Keys":' IN data) + 7
	                       FOR position(',"NewImage":' IN data) - position('"Keys":' IN data) - 7) AS keys,
	             CASE WHEN data LIKE '%"SequenceNumber":%'
	                  THEN substring(data FROM position('"NewImage":' IN data) + 11
	                                 FOR position(',"SequenceNumber":"' IN data) - position('"NewImage":' IN data) - 11)
	                  ELSE substring(data FROM position('"NewImage":' IN data) + 11
	                                 FOR length(data) - position('"NewImage":' IN data) - 11) END AS image
	      FROM pg_logical_slot_peek_changes('st_paths', NULL, NULL, VARIADIC opts)
	      WHERE data LIKE '%"tableName":"paths",%') r
	JOIN paths p ON p.pk = coalesce(r.keys::jsonb->'PK'->>'S', r.keys::jsonb->>'PK')
	            AND p.sk = coalesce(r.keys::jsonb->'SK'->>'S', r.keys::jsonb->>'SK')
	WHERE p.pk = records.pk
$$;

-- A record with what depends on the run masked: the commit's LSN,
-- transaction id and time.
CREATE FUNCTION masked(data text) RETURNS text LANGUAGE sql AS $$
	SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(data,
		'"eventID":"[0-9A-F]{16}', '"eventID":"<lsn>'),
		'"SequenceNumber":"[0-9]{20}', '"SequenceNumber":"<lsn>'),
		'"transactionId":[0-9]+,"commitLsn":"[0-9A-F/]+","commitTime":"[^"]*"', '<txn>'),
		'"ApproximateCreationDateTime":[0-9]+', '"ApproximateCreationDateTime":<epoch>'),
		'"expires": (\{"N": ")?[0-9]+', '"expires": \1<expires>', 'g')
$$;

-- Plain and typed, compact and DynamoDB's envelope.
SELECT 'compact plain' AS path, count(*) AS records,
       count(*) FILTER (WHERE image <> item::text) AS image_mismatches,
       count(*) FILTER (WHERE keys <> format('{"PK":%s,"SK":%s}', to_json(item->>'PK'), to_json(item->>'SK'))) AS key_mismatches
FROM records('S', 'view', 'NEW_IMAGE', 'envelope', 'compact')
UNION ALL
SELECT 'compact typed', count(*),
       count(*) FILTER (WHERE image <> singletable.to_dynamodb_json(item)::text),
       count(*) FILTER (WHERE keys <> format('{"PK":{"S":%s},"SK":{"S":%s}}', to_json(item->>'PK'), to_json(item->>'SK')))
FROM records('S', 'view', 'NEW_IMAGE', 'envelope', 'compact', 'format', 'typed')
UNION ALL
SELECT 'dynamodb plain', count(*),
       count(*) FILTER (WHERE image <> item::text),
       count(*) FILTER (WHERE keys <> format('{"PK":%s,"SK":%s}', to_json(item->>'PK'), to_json(item->>'SK')))
FROM records('S', 'view', 'NEW_IMAGE')
UNION ALL
SELECT 'dynamodb typed', count(*),
       count(*) FILTER (WHERE image <> singletable.to_dynamodb_json(item)::text),
       count(*) FILTER (WHERE keys <> format('{"PK":{"S":%s},"SK":{"S":%s}}', to_json(item->>'PK'), to_json(item->>'SK')))
FROM records('S', 'view', 'NEW_IMAGE', 'format', 'typed');

-- DynamoDB's envelope: eventID is the commit LSN and the change's place in
-- hexadecimal, SequenceNumber the same in decimal, SizeBytes the bytes of
-- Keys and images; the compact envelope's sequence is the place times 10.
SELECT count(*) AS records,
       count(*) FILTER (WHERE substring(data FROM '"eventID":"([0-9A-F]+)"') <>
                        upper(lpad(split_part(lsn, '/', 1), 8, '0') || lpad(split_part(lsn, '/', 2), 8, '0') ||
                              lpad(to_hex(n), 8, '0') || '0')) AS event_id_mismatches,
       count(*) FILTER (WHERE substring(data FROM '"SequenceNumber":"([0-9]+)"') <>
                        lpad((lsn::pg_lsn - '0/0')::text, 20, '0') || lpad(n::text, 9, '0') || '0') AS sequence_number_mismatches,
       count(*) FILTER (WHERE substring(data FROM '"SizeBytes":([0-9]+),')::int <>
                        octet_length(substring(data FROM position('"Keys":' IN data)
                                               FOR position(',"SequenceNumber":"' IN data) - position('"Keys":' IN data)))) AS size_mismatches,
       count(*) FILTER (WHERE data !~ '"transactionId":[1-9][0-9]*,') AS xid_mismatches
FROM (SELECT n, data, substring(data FROM '"commitLsn":"([0-9A-F]+/[0-9A-F]+)"') AS lsn
      FROM records('S', 'view', 'NEW_AND_OLD_IMAGES')) r;
SELECT count(*) AS records,
       count(*) FILTER (WHERE substring(data FROM '"sequence":([0-9]+)')::bigint <> n * 10) AS sequence_mismatches
FROM records('S', 'envelope', 'compact', 'view', 'NEW_IMAGE');
-- A few of them whole.
SELECT masked(data) AS record
FROM records('S', 'view', 'NEW_AND_OLD_IMAGES') WHERE n IN (1, 18, 191, 2851, 3192, 3361, 3363, 3403)
ORDER BY n;

-- Numbers: integers of every length and sign, which the decoder writes
-- itself, as numeric_out writes them, and numbers with a fraction or an
-- exponent, which go through numeric_out (DynamoDB's limits: 38
-- significant digits, magnitudes from 1e-130 to below 1e126).
CREATE TEMP TABLE number_cases AS
SELECT row_number() OVER () AS n, v
FROM (SELECT (sign * (10::numeric ^ k + d))::numeric AS v
      FROM generate_series(0, 37) k, (VALUES (-1), (0), (1), (1233)) AS d(d),
           (VALUES (1), (-1)) AS s(sign)
      UNION ALL
      SELECT v FROM unnest('{0, 1, 9, 10, 99, 100, 9999, 10000, 10001, 99999999, 100000000,
                             123456789012345678901234567890123456, -98765432109876543210,
                             9223372036854775807, 9223372036854775808, -9223372036854775808,
                             1e125, -1e125, 99999999999999999999999999999999999999e88, 1e-130,
                             12.50, 1.5, 0.1, -0.000000001, 1e-30, 100.0, 0.0, 1.0e2, 1e2}'::numeric[]) AS v
      UNION ALL
      SELECT (i::numeric ^ 3) * 7919 * CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END
      FROM generate_series(1, 500) i) c;
BEGIN;
INSERT INTO paths(item)
SELECT jsonb_build_object('PK', 'N', 'SK', n::text, 'n', n, 'v', v, 'l', jsonb_build_array(v, -v))
FROM number_cases ORDER BY n;
INSERT INTO paths_n(item)
SELECT DISTINCT ON (v) jsonb_build_object('id', v, 'n', n) FROM number_cases ORDER BY v, n;
COMMIT;
SELECT count(*) AS records,
       count(*) FILTER (WHERE image <> item::text) AS image_mismatches
FROM records('N', 'view', 'NEW_IMAGE', 'envelope', 'compact');
-- The keys of the number-keyed table, plain and typed (DynamoDB's
-- normalised text there).
SELECT count(*) AS records,
       count(*) FILTER (WHERE keys <> format('{"id":%s}', image::jsonb->'id')) AS key_mismatches
FROM (SELECT substring(data FROM '"Keys":(\{[^}]*\})') AS keys, substring(data FROM '"NewImage":(.*)\}$') AS image
      FROM pg_logical_slot_peek_changes('st_paths', NULL, NULL, 'envelope', 'compact', 'view', 'NEW_IMAGE')
      WHERE data LIKE '%"tableName":"paths_n",%') r;
SELECT count(*) AS records,
       count(*) FILTER (WHERE keys <> format('{"id":{"N":%s}}', image::jsonb->'id'->'N')) AS key_mismatches
FROM (SELECT substring(data FROM '"Keys":(\{[^}]*\}\})') AS keys, substring(data FROM '"NewImage":(.*)\}$') AS image
      FROM pg_logical_slot_peek_changes('st_paths', NULL, NULL, 'envelope', 'compact', 'view', 'NEW_IMAGE', 'format', 'typed')
      WHERE data LIKE '%"tableName":"paths_n",%') r;

-- Keys are found in one pass over the item's attribute names, which jsonb
-- sorts by length first: key attributes of different lengths among other
-- names of the same lengths, on a table and on its index's table.
SELECT singletable.create_table('paths_k', partition_key => 'user',
                                sort_key => 'ts', sort_key_type => 'N');
SELECT singletable.create_index('paths_k', 'by_status', partition_key => 'status',
                                sort_key => 'u');
BEGIN;
INSERT INTO paths_k(item)
SELECT jsonb_build_object('user', 'u' || (i % 7), 'ts', i * 1000 - 500000, 'n', i) ||
       CASE WHEN i % 2 = 0 THEN '{"a": 1, "tt": 2, "us": 3, "ts2": 4, "usex": 5, "zz": 6}'::jsonb ELSE '{}' END ||
       CASE WHEN i % 3 = 0 THEN jsonb_build_object('status', 'st' || i, 'u', U&'\2028' || i, 'statu', 7, 'stat', 8)
            ELSE '{}' END
FROM generate_series(1, 300) i;
COMMIT;
SELECT substring(data FROM '"tableName":"([^"]*)"') AS table_name,
       data LIKE '%"indexName":%' AS index_entry, count(*) AS records,
       count(*) FILTER (WHERE keys <> CASE WHEN data LIKE '%"indexName":%'
                                           THEN format('{"status":%s,"u":%s,"user":%s,"ts":%s}', to_json(image::jsonb->>'status'),
                                                       to_json(image::jsonb->>'u'), to_json(image::jsonb->>'user'), image::jsonb->'ts')
                                           ELSE format('{"user":%s,"ts":%s}', to_json(image::jsonb->>'user'), image::jsonb->'ts') END) AS key_mismatches
FROM (SELECT data, substring(data FROM '"Keys":(\{[^}]*\})') AS keys, substring(data FROM '"NewImage":(.*)\}$') AS image
      FROM pg_logical_slot_peek_changes('st_paths', NULL, NULL, 'envelope', 'compact', 'view', 'NEW_IMAGE',
                                        'include_indexes', 'on')
      WHERE data LIKE '%"tableName":"paths_k",%') r
GROUP BY 1, 2 ORDER BY 1, 2;

-- Commit times: a replication origin sets the commit time that decoding
-- reports, so each transaction below commits at the time given: across
-- midnights (in both directions), microseconds 0 and 1, before 2000 and
-- before 1970, and years that need the general format.
SELECT pg_replication_origin_create('perf_paths') IS NOT NULL AS origin;
SELECT pg_replication_origin_session_setup('perf_paths');
CREATE TEMP TABLE time_cases (n int, t timestamptz);
INSERT INTO time_cases VALUES
	(1, '2024-02-29 23:59:59.999999+00'), (2, '2024-03-01 00:00:00+00'),
	(3, '2024-03-01 00:00:00.000001+00'), (4, '2024-03-01 12:34:56.5+00'),
	(5, '2024-03-01 23:59:59.999999+00'), (6, '2024-02-29 12:00:00.000001+00'),
	(7, '2024-02-29 00:00:00+00'), (8, '1999-12-31 23:59:59.999999+00'),
	(9, '2000-01-01 00:00:00+00'), (10, '2000-01-01 00:00:00.000001+00'),
	(11, '1970-01-01 00:00:00+00'), (12, '1969-12-31 23:59:59.5+00'),
	(13, '0001-01-01 00:00:00+00'), (14, '9999-12-31 23:59:59.999999+00'),
	(15, '10000-01-01 00:00:00+00'), (16, '0044-03-15 12:00:00+00 BC'),
	(17, '2024-02-29 23:59:59.999999+00'), (18, '2038-01-19 03:14:08.000001+00');
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN SELECT * FROM time_cases ORDER BY n LOOP
		PERFORM pg_replication_origin_xact_setup('0/1', c.t);
		PERFORM singletable.put_item('paths', jsonb_build_object('PK', 'T', 'SK', c.n::text));
		COMMIT;
	END LOOP;
END
$$;
SELECT pg_replication_origin_session_reset();
SELECT substring(data FROM '"SK":"([0-9]+)"') AS n,
       substring(data FROM '"commitTime":("[^"]*"|null)') AS commit_time,
       substring(data FROM '"ApproximateCreationDateTime":(-?[0-9]+)') AS epoch
FROM pg_logical_slot_peek_changes('st_paths', NULL, NULL, 'view', 'KEYS_ONLY')
WHERE data LIKE '%"PK":"T"%';
-- The BEGIN and COMMIT markers of the compact envelope carry the same
-- commit times.
SELECT count(*) AS markers,
       count(*) FILTER (WHERE m.commit_time IS DISTINCT FROM r.commit_time) AS mismatches
FROM (SELECT xid, substring(data FROM '"commitTime":("[^"]*"|null)') AS commit_time
      FROM pg_logical_slot_peek_changes('st_paths', NULL, NULL, 'envelope', 'compact',
                                        'transaction_markers', 'on', 'view', 'KEYS_ONLY')
      WHERE data LIKE '{"transaction":%') m
JOIN (SELECT xid, substring(data FROM '"commitTime":("[^"]*"|null)') AS commit_time
      FROM pg_logical_slot_peek_changes('st_paths', NULL, NULL, 'view', 'KEYS_ONLY')
      WHERE data LIKE '%"PK":"T"%') r USING (xid);
-- The commit times as Postgres reads them back: the same instants.
SELECT count(*) AS times,
       count(*) FILTER (WHERE substring(data FROM '"commitTime":"([^"]*)"')::timestamptz <> c.t) AS mismatches
FROM pg_logical_slot_peek_changes('st_paths', NULL, NULL, 'view', 'KEYS_ONLY') r
JOIN time_cases c ON r.data LIKE '%"PK":"T","SK":"' || c.n || '"%'
WHERE c.n NOT IN (9, 15, 16);
SELECT pg_replication_origin_drop('perf_paths');

-- Deletes, TTL deletes and the images of an update, in every view.
SELECT singletable.update_time_to_live('paths', 'expires');
SELECT singletable.put_item('paths', jsonb_build_object('PK', 'D', 'SK', '1', 'v', U&'a\2028b\0001',
                                                      'expires', extract(epoch FROM now())::bigint - 60));
SELECT singletable.put_item('paths', '{"PK": "D", "SK": "2", "v": -12345678901234567890}');
SELECT singletable.update_item('paths', '{"PK": "D", "SK": "2"}', 'SET v = :v',
                               "values" => '{":v": 10000}');
SELECT singletable.delete_item('paths', '{"PK": "D", "SK": "2"}');
SELECT singletable.expire_items('paths');
SELECT v AS view, masked(data) AS record
FROM unnest('{KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES}'::text[]) v,
     pg_logical_slot_peek_changes('st_paths', NULL, NULL, 'view', v, 'format', 'typed') c
WHERE c.data LIKE '%"PK":"D"%' OR c.data LIKE '%"PK":{"S":"D"}%';
SELECT masked(data) AS compact
FROM pg_logical_slot_peek_changes('st_paths', NULL, NULL, 'envelope', 'compact')
WHERE data LIKE '%"PK":"D"%';

SELECT pg_drop_replication_slot('st_paths');
SELECT singletable.drop_table('paths'), singletable.drop_table('paths_n'), singletable.drop_table('paths_k');
