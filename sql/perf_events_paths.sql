-- The append's fast paths build its items without a parse state and
-- without SQL: the event items, the VERSION item bumped in place of
-- item || {"version": N}, the eventIds, the timestamps.  Each is checked
-- here against what the statements and pushJsonbValue make: the same
-- attributes, in jsonb's own key order (a stored object whose keys were out
-- of order would not equal its own text parsed again, and lookups by key
-- would miss), the same errors.
CREATE SCHEMA es_paths;
SET search_path = es_paths;

-- key names of other lengths than the event attributes, so that the key
-- order of an event item interleaves them
SELECT singletable.create_table('ev', partition_key => 'streamIdentifierName', sort_key => 'S');

-- every shape of eventData and metadata: absent, object, array, scalar,
-- string, null, nested, keys needing the order by length
SELECT singletable.append_events('ev', 'a', '[
  {"eventType": "None"},
  {"eventType": "Obj", "eventData": {"zz": 1, "a": [1, {"y": 2, "bb": 3}], "ccc": {"d": null}}, "metadata": {"m": true}},
  {"eventType": "Arr", "eventData": [3, "x", {"k": 1}], "metadata": []},
  {"eventType": "Num", "eventData": 12.50},
  {"eventType": "Str", "eventData": "text", "metadata": "m"},
  {"eventType": "Null", "eventData": null, "metadata": null},
  {"eventType": "Empty", "eventData": {}, "metadata": {}, "eventId": "id-7"}
]');

-- stored in canonical order: equal to their own text parsed again, and
-- every attribute found by key
SELECT sk, item = item::text::jsonb AS canonical,
       item->'streamIdentifierName' AS item_pk, item->'S' AS item_sk,
       item->'aggregateId' AS aggregate, item->'eventType' AS type,
       item->'eventData' AS data, item->'metadata' AS metadata,
       item->'eventVersion' AS version,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(item) k) AS attrs
  FROM ev WHERE pk = 'a' ORDER BY sk;
-- nested objects are canonical too, and found by key
SELECT item->'eventData'->'a'->1->'bb' AS bb, item->'eventData'->'ccc' AS ccc
  FROM ev WHERE pk = 'a' AND sk = 'EVENT#0000000002';

-- the same event item as jsonb_build_object makes it, apart from the
-- generated eventId and the timestamp
SELECT item - 'eventId' - 'timestamp' = jsonb_build_object(
         'streamIdentifierName', 'a', 'S', 'EVENT#0000000002', 'aggregateId', 'a',
         'eventType', 'Obj', 'eventVersion', 2,
         'eventData', '{"zz": 1, "a": [1, {"y": 2, "bb": 3}], "ccc": {"d": null}}'::jsonb,
         'metadata', '{"m": true}'::jsonb) AS same_item,
       pg_column_size(item) = pg_column_size(item::text::jsonb) AS same_size
  FROM ev WHERE pk = 'a' AND sk = 'EVENT#0000000002';

-- timestamps: ISO 8601 UTC with milliseconds, the server's time of the
-- append
SELECT count(*) AS events,
       bool_and(item->>'timestamp' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$') AS iso,
       bool_and((item->>'timestamp')::timestamptz BETWEEN now() - interval '1 hour' AND clock_timestamp()) AS now
  FROM ev WHERE pk = 'a';

-- generated eventIds: version 4 UUIDs, all distinct, also across the
-- batches of random bytes they are cut from (3,000 ids: 48,000 bytes)
SELECT count(singletable.append_events('ev', 'many-' || i,
         (SELECT jsonb_agg(jsonb_build_object('eventType', 'T')) FROM generate_series(1, 100))))
  FROM generate_series(1, 30) i;
SELECT count(*) AS ids, count(DISTINCT item->>'eventId') AS distinct_ids,
       bool_and(item->>'eventId' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$') AS v4
  FROM ev WHERE pk LIKE 'many-%' AND sk LIKE 'EVENT#%';

-- the VERSION item: the seed's three attributes, bumped by later appends
-- (expected version or none) to exactly what item || {"version": N} makes
SELECT singletable.append_events('ev', 'a', '[{"eventType": "More"}]', 7);
SELECT singletable.append_events('ev', 'a', '[{"eventType": "More"}, {"eventType": "More"}]');
SELECT item, item = item::text::jsonb AS canonical,
       item = jsonb_build_object('streamIdentifierName', 'a', 'S', 'VERSION', 'version', 10) AS same_item
  FROM ev WHERE pk = 'a' AND sk = 'VERSION';
-- a VERSION item with an attribute of its own keeps it
UPDATE ev SET item = item || '{"note": "kept", "version": 10}' WHERE pk = 'a' AND sk = 'VERSION';
SELECT singletable.append_events('ev', 'a', '[{"eventType": "More"}]', 10);
SELECT singletable.append_events('ev', 'a', '[{"eventType": "More"}]');
SELECT item, item = item::text::jsonb AS canonical
  FROM ev WHERE pk = 'a' AND sk = 'VERSION';

-- versions the bump must not take: a conflict names expected and actual;
-- a version that is not plain digits goes to the general path, which takes
-- 12.0 as 12 and explains -1
SELECT singletable.append_events('ev', 'a', '[{"eventType": "Late"}]', 11);
UPDATE ev SET item = item || '{"version": 12.0}' WHERE pk = 'a' AND sk = 'VERSION';
SELECT singletable.append_events('ev', 'a', '[{"eventType": "Odd"}]', 12);
SELECT singletable.append_events('ev', 'a', '[{"eventType": "Odd"}]');
UPDATE ev SET item = item || '{"version": -1}' WHERE pk = 'a' AND sk = 'VERSION';
SELECT singletable.append_events('ev', 'a', '[{"eventType": "Odd"}]');
UPDATE ev SET item = item || '{"version": 14}' WHERE pk = 'a' AND sk = 'VERSION';
SELECT singletable.append_events('ev', 'a', '[{"eventType": "Back"}]', 14);
SELECT singletable.stream_version('ev', 'a');

-- events by type: two more attributes in the item, in key order
SELECT singletable.events_by_type('ev', true, 'GSI1PK', 'GSI1SK');
SELECT singletable.append_events('ev', 'b', '[{"eventType": "Typed", "eventData": {"n": 1}}]');
SELECT item = item::text::jsonb AS canonical, item->'GSI1PK' AS type_pk,
       item->'GSI1SK' = item->'timestamp' AS type_sk,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(item) k) AS attrs
  FROM ev WHERE pk = 'b' AND sk = 'EVENT#0000000001';

-- a setting written by hand whose attribute is an event attribute: the
-- later attribute wins, as when the item was pushed attribute by attribute
SELECT singletable.create_table('ev2');
INSERT INTO singletable.event_type_indexes (relid, partition_key, sort_key)
  VALUES ('ev2'::regclass, 'eventType', 'metadata');
SELECT singletable.append_events('ev2', 'c', '[{"eventType": "Clash", "metadata": {"m": 1}}]');
SELECT item = item::text::jsonb AS canonical, item->'eventType' AS type,
       item->'metadata' = item->'timestamp' AS metadata_is_timestamp,
       (SELECT count(*) FROM jsonb_object_keys(item)) AS attrs
  FROM ev2 WHERE pk = 'c' AND sk = 'EVENT#0000000001';

-- the CHECK constraint still applies to what the user gave
SELECT singletable.append_events('ev', 'a', '[{"eventType": "Big", "eventData": {"n": 1e126}}]');
SELECT singletable.append_events('ev', 'a', '[{"eventType": "Big", "metadata": {"n": [1e-200]}}]');
SELECT singletable.stream_version('ev', 'a');

DROP SCHEMA es_paths CASCADE;
