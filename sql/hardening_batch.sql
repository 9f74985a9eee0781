-- Read sizes of batch_get and transact_get.  batch_get returns at most
-- singletable.batch_get_max_size of items (DynamoDB's 16 MB) and leaves the
-- keys it did not read in UnprocessedKeys, in the request's shape;
-- transact_get fails when its items pass singletable.transact_get_max_size
-- (DynamoDB's 4 MB).  Items are measured as DynamoDB measures them, as for
-- singletable.max_item_size.
SET client_min_messages = warning;
CREATE SCHEMA hardening_batch;
SET search_path = hardening_batch, public;
SELECT singletable.create_table('hb');
SELECT singletable.create_table('hb_users', partition_key => 'id', sort_key => NULL);

SHOW singletable.batch_get_max_size;
SHOW singletable.transact_get_max_size;

-- Small items of 1011 bytes each: "PK" + "P", "SK" + "S1", "data" + 1000 bytes.
INSERT INTO hb (item)
SELECT jsonb_build_object('PK', 'P', 'SK', 'S' || i, 'data', repeat('x', 1000))
  FROM generate_series(1, 3) i;
INSERT INTO hb (item) VALUES (jsonb_build_object('PK', 'P', 'SK', 'BIG', 'data', repeat('y', 3000)));
INSERT INTO hb_users (item) VALUES ('{"id": "u1", "name": "Ann"}');

-- Under the limit nothing is left over.
SELECT jsonb_array_length(r->'Responses'->'hb') AS items, r->'UnprocessedKeys' AS unprocessed
  FROM singletable.batch_get('{"hb": {"Keys": [{"PK": "P", "SK": "S1"}, {"PK": "P", "SK": "S2"},
                                              {"PK": "P", "SK": "S3"}]}}') r;

-- 2 KB holds two of the items: the third key, and every key of the tables
-- after it, come back in UnprocessedKeys with the table's other parameters.
-- A key with no item costs nothing.
SET singletable.batch_get_max_size = '2kB';
SELECT jsonb_pretty(singletable.batch_get('{
  "hb": {"Keys": [{"PK": "P", "SK": "S1"}, {"PK": "P", "SK": "none"},
                  {"PK": "P", "SK": "S2"}, {"PK": "P", "SK": "S3"}],
         "ProjectionExpression": "PK, SK, #d", "ExpressionAttributeNames": {"#d": "data"}},
  "hb_users": {"Keys": [{"id": "u1"}], "ConsistentRead": true}}') #- '{Responses,hb,0,data}' #- '{Responses,hb,1,data}');

-- A projection makes the items smaller: all three fit.
SELECT jsonb_array_length(r->'Responses'->'hb') AS items, r->'UnprocessedKeys' AS unprocessed
  FROM singletable.batch_get('{"hb": {"Keys": [{"PK": "P", "SK": "S1"}, {"PK": "P", "SK": "S2"},
                                              {"PK": "P", "SK": "S3"}], "ProjectionExpression": "SK"}}') r;

-- The first item is returned even when it alone passes the limit, so that
-- sending UnprocessedKeys again always makes progress.
SELECT r->'Responses'->'hb'->0->'SK' AS returned, r->'UnprocessedKeys' AS unprocessed
  FROM singletable.batch_get('{"hb": {"Keys": [{"PK": "P", "SK": "BIG"}, {"PK": "P", "SK": "S1"}]}}') r;

-- Sending UnprocessedKeys until it is empty reads every item exactly once.
WITH RECURSIVE calls(n, r) AS (
	SELECT 1, singletable.batch_get('{"hb": {"Keys": [{"PK": "P", "SK": "S1"}, {"PK": "P", "SK": "S2"},
	                                                  {"PK": "P", "SK": "S3"}, {"PK": "P", "SK": "BIG"}]}}')
	UNION ALL
	SELECT n + 1, singletable.batch_get(r->'UnprocessedKeys') FROM calls WHERE r->'UnprocessedKeys' <> '{}'
)
SELECT n, (SELECT string_agg(i->>'SK', ', ') FROM jsonb_array_elements(r->'Responses'->'hb') i) AS read,
       r->'UnprocessedKeys'->'hb'->'Keys' AS left_over
  FROM calls ORDER BY n;

-- Through execute(), UnprocessedKeys is typed, as the request was.
SELECT r->'UnprocessedKeys'
  FROM singletable.execute('BatchGetItem', '{"RequestItems": {"hb": {"Keys": [
         {"PK": {"S": "P"}, "SK": {"S": "S1"}}, {"PK": {"S": "P"}, "SK": {"S": "S2"}},
         {"PK": {"S": "P"}, "SK": {"S": "S3"}}]}}}') r;
RESET singletable.batch_get_max_size;

-- transact_get: within the limit the items are returned ...
SET singletable.transact_get_max_size = '2kB';
SELECT jsonb_array_length(singletable.transact_get('[
  {"Get": {"TableName": "hb", "Key": {"PK": "P", "SK": "S1"}}},
  {"Get": {"TableName": "hb", "Key": {"PK": "P", "SK": "S2"}}},
  {"Get": {"TableName": "hb", "Key": {"PK": "P", "SK": "none"}}}]')->'Responses') AS responses;
-- ... past it the whole call fails, with nothing returned.
\set VERBOSITY sqlstate
SELECT singletable.transact_get('[
  {"Get": {"TableName": "hb", "Key": {"PK": "P", "SK": "S1"}}},
  {"Get": {"TableName": "hb", "Key": {"PK": "P", "SK": "S2"}}},
  {"Get": {"TableName": "hb", "Key": {"PK": "P", "SK": "S3"}}}]');
\set VERBOSITY default
SELECT singletable.transact_get('[
  {"Get": {"TableName": "hb", "Key": {"PK": "P", "SK": "S1"}}},
  {"Get": {"TableName": "hb", "Key": {"PK": "P", "SK": "S2"}}},
  {"Get": {"TableName": "hb", "Key": {"PK": "P", "SK": "S3"}}}]');
-- Projected items count as returned.
SELECT jsonb_array_length(singletable.transact_get('[
  {"Get": {"TableName": "hb", "Key": {"PK": "P", "SK": "S1"}, "ProjectionExpression": "SK"}},
  {"Get": {"TableName": "hb", "Key": {"PK": "P", "SK": "S2"}, "ProjectionExpression": "SK"}},
  {"Get": {"TableName": "hb", "Key": {"PK": "P", "SK": "S3"}, "ProjectionExpression": "SK"}}]')->'Responses') AS responses;
RESET singletable.transact_get_max_size;

-- At the default limits, with items of exactly 400 KB (409,600 bytes as
-- DynamoDB measures them: "PK" + "L" + "SK" + "Inn" + "data" + 409,588).
INSERT INTO hb (item)
SELECT jsonb_build_object('PK', 'L', 'SK', 'I' || lpad(i::text, 2, '0'), 'data', repeat('z', 409588))
  FROM generate_series(1, 41) i;

-- 40 of them make 16,384,000 bytes; the 41st would pass 16 MB (16,777,216).
SELECT jsonb_array_length(r->'Responses'->'hb') AS items, r->'UnprocessedKeys' AS unprocessed,
       octet_length(r::text) <= 16 * 1024 * 1024 AS within_16_mb
  FROM singletable.batch_get(jsonb_build_object('hb', jsonb_build_object('Keys',
         (SELECT jsonb_agg(jsonb_build_object('PK', 'L', 'SK', 'I' || lpad(i::text, 2, '0')) ORDER BY i)
            FROM generate_series(1, 41) i)))) r;

-- transact_get: 10 items make 4,096,000 bytes, within 4 MB; 11 do not.
SELECT jsonb_array_length(singletable.transact_get(
         (SELECT jsonb_agg(jsonb_build_object('Get', jsonb_build_object('TableName', 'hb',
                   'Key', jsonb_build_object('PK', 'L', 'SK', 'I' || lpad(i::text, 2, '0')))) ORDER BY i)
            FROM generate_series(1, 10) i))->'Responses') AS responses;
SELECT octet_length(singletable.transact_get(
         (SELECT jsonb_agg(jsonb_build_object('Get', jsonb_build_object('TableName', 'hb',
                   'Key', jsonb_build_object('PK', 'L', 'SK', 'I' || lpad(i::text, 2, '0')))) ORDER BY i)
            FROM generate_series(1, 11) i))::text) AS response_bytes;

DROP SCHEMA hardening_batch CASCADE;
