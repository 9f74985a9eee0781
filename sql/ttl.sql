-- Time to live: update_time_to_live, describe_time_to_live, is_expired,
-- expire_items, execute's UpdateTimeToLive and DescribeTimeToLive, and the
-- change stream's marking of TTL deletions.  (The background worker that
-- runs expire passes on its own is test/t/50_ttl.pl's.)
\set VERBOSITY default
SET client_min_messages = warning;
SELECT singletable.create_table('ttl_app');
SELECT singletable.create_index('ttl_app', 'GSI1', 'GSI1PK', 'GSI1SK');
SELECT 'init' FROM pg_create_logical_replication_slot('ttl_slot', 'singletable');

-- A new table has TTL disabled.
SELECT singletable.describe_time_to_live('ttl_app');

-- Enabling returns DynamoDB's TimeToLiveSpecification; describing shows it.
SELECT singletable.update_time_to_live('ttl_app', 'expiresAt');
SELECT singletable.describe_time_to_live('ttl_app');
SELECT ttl_attribute FROM singletable.tables WHERE relid = 'ttl_app'::regclass;

-- DynamoDB's rules: one attribute per table, no repeated change.
SELECT singletable.update_time_to_live('ttl_app', 'expiresAt');
SELECT singletable.update_time_to_live('ttl_app', 'other');
SELECT singletable.update_time_to_live('ttl_app', 'other', false);
SELECT singletable.update_time_to_live('ttl_app', 'expiresAt', false);
SELECT singletable.update_time_to_live('ttl_app', 'expiresAt', false);
SELECT singletable.describe_time_to_live('ttl_app');
SELECT singletable.update_time_to_live('ttl_app', 'expiresAt', enabled => true);

-- Bad arguments.
SELECT singletable.update_time_to_live(NULL, 'expiresAt');
SELECT singletable.update_time_to_live('ttl_app', NULL);
SELECT singletable.update_time_to_live('ttl_app', 'expiresAt', NULL);
SELECT singletable.update_time_to_live('ttl_app', '');
SELECT singletable.update_time_to_live('ttl_app', repeat('a', 256));
CREATE TABLE ttl_plain (id int);
SELECT singletable.update_time_to_live('ttl_plain', 'expiresAt');
SELECT singletable.describe_time_to_live('ttl_plain');
SELECT singletable.describe_time_to_live(NULL);

-- Which items are expired, by DynamoDB's rules, at 2024-01-01 00:00:00 UTC
-- (epoch 1704067200): a top-level Number of epoch seconds before that, and
-- not more than five years (157,788,000 s) before it.
SELECT label, singletable.is_expired(item, 'ttl', '2024-01-01 00:00:00+00') AS expired
  FROM (VALUES
	('a second ago', '{"ttl": 1704067199}'::jsonb),
	('a fraction ago', '{"ttl": 1704067199.999}'),
	('exactly now', '{"ttl": 1704067200}'),
	('in the future', '{"ttl": 1704067201}'),
	('in milliseconds', '{"ttl": 1704067199000}'),
	('five years ago', '{"ttl": 1546279200}'),
	('more than five years ago', '{"ttl": 1546279199}'),
	('before the epoch', '{"ttl": -1}'),
	('a string', '{"ttl": "1704067199"}'),
	('a number set', '{"ttl": {"$NS": ["1704067199"]}}'),
	('a map', '{"ttl": {"ttl": 1704067199}}'),
	('null', '{"ttl": null}'),
	('missing', '{"other": 1704067199}'),
	('not an object', '[1704067199]'),
	('a scalar', '1704067199')) AS t(label, item);
SELECT singletable.is_expired('{"ttl": 1}', 'ttl', 'infinity');
SELECT singletable.is_expired('{"ttl": 1}', 'ttl', '-infinity');
-- "at" defaults to now()
SELECT singletable.is_expired(jsonb_build_object('ttl', extract(epoch FROM now()) - 1), 'ttl');
-- the attribute's name is taken as it is, case and all
SELECT singletable.is_expired('{"TTL": 1704067199}', 'ttl', '2024-01-01 00:00:00+00');
-- a different "at" per row
SELECT singletable.is_expired('{"ttl": 1704067199}', 'ttl', at)
  FROM (VALUES ('2024-01-01 00:00:00+00'::timestamptz), ('2023-01-01 00:00:00+00')) AS v(at);

-- The items: expired ones (with an index entry), and ones that never
-- expire by DynamoDB's rules.  Reads return an expired item until a pass
-- deletes it; a filter on the attribute hides it.
CREATE FUNCTION ttl_put(pk text, expires jsonb) RETURNS void LANGUAGE sql AS $$
	SELECT singletable.put_item('ttl_app', jsonb_build_object('PK', pk, 'SK', 'ITEM',
		'GSI1PK', 'ALL', 'GSI1SK', pk) || coalesce(jsonb_build_object('expiresAt', expires), '{}'))
$$;
SELECT ttl_put('expired#1', to_jsonb(extract(epoch FROM now())::bigint - 60)),
	   ttl_put('expired#2', to_jsonb(extract(epoch FROM now())::bigint - 3600)),
	   ttl_put('expired#3', to_jsonb(extract(epoch FROM now()) - 0.5)),
	   ttl_put('future', to_jsonb(extract(epoch FROM now())::bigint + 3600)),
	   ttl_put('ancient', to_jsonb(extract(epoch FROM now())::bigint - 6 * 365 * 86400)),
	   ttl_put('string', '"1"'),
	   ttl_put('none', NULL);
SELECT singletable.get_item('ttl_app', '{"PK": "expired#1", "SK": "ITEM"}') ->> 'PK' AS still_readable;
SELECT singletable.query('ttl_app', 'PK = :p', filter => 'attribute_not_exists(#ttl) OR #ttl > :now',
	names => '{"#ttl": "expiresAt"}',
	"values" => jsonb_build_object(':p', 'expired#1', ':now', extract(epoch FROM now())::bigint)) -> 'Count' AS hidden_by_filter;

-- expire_items: one pass, returns how many it deleted; GSIs follow.
SELECT singletable.expire_items('ttl_app');
SELECT pk FROM ttl_app ORDER BY pk;
SELECT item ->> 'GSI1SK' AS index_items FROM "ttl_app__GSI1" ORDER BY 1;
SELECT singletable.expire_items('ttl_app');

-- In the change stream the pass's REMOVE records are marked as service
-- deletions, as in DynamoDB Streams; a delete of the caller's in the same
-- transaction is not.
BEGIN;
SELECT ttl_put('expired#4', to_jsonb(extract(epoch FROM now())::bigint - 60));
SELECT singletable.expire_items('ttl_app');
SELECT singletable.delete_item('ttl_app', '{"PK": "none", "SK": "ITEM"}');
COMMIT;
SELECT data::jsonb ->> 'eventName' AS event, data::jsonb -> 'dynamodb' -> 'Keys' ->> 'PK' AS pk,
	   data::jsonb -> 'userIdentity' AS user_identity
  FROM pg_logical_slot_get_changes('ttl_slot', NULL, NULL)
 WHERE data::jsonb ->> 'eventName' = 'REMOVE';
-- with index tables in the stream, their REMOVE records are marked too
SELECT ttl_put('expired#5', to_jsonb(extract(epoch FROM now())::bigint - 60));
SELECT singletable.expire_items('ttl_app');
SELECT data::jsonb ->> 'indexName' AS index, data::jsonb -> 'dynamodb' -> 'Keys' ->> 'PK' AS pk,
	   data::jsonb -> 'userIdentity' ->> 'type' AS user_type
  FROM pg_logical_slot_get_changes('ttl_slot', NULL, NULL, 'include_indexes', 'on')
 WHERE data::jsonb ->> 'eventName' = 'REMOVE';
-- a marker written by hand to another prefix, or a malformed one, marks nothing
BEGIN;
SELECT 'm' FROM pg_logical_emit_message(true, 'singletable.ttl', 'ttl_app');
SELECT 'm' FROM pg_logical_emit_message(true, 'singletable.ttlx', ('ttl_app'::regclass::oid)::text);
SELECT singletable.delete_item('ttl_app', '{"PK": "future", "SK": "ITEM"}');
COMMIT;
SELECT 'm' FROM pg_logical_emit_message(false, 'singletable.ttl', ('ttl_app'::regclass::oid)::text);
SELECT singletable.delete_item('ttl_app', '{"PK": "string", "SK": "ITEM"}');
SELECT data::jsonb ->> 'eventName' AS event, data::jsonb -> 'userIdentity' AS user_identity
  FROM pg_logical_slot_get_changes('ttl_slot', NULL, NULL)
 WHERE data::jsonb ->> 'eventName' = 'REMOVE';

-- max_items bounds one call; batches of singletable.ttl_batch_size items
-- each resume where the one before stopped.
SELECT ttl_put('batch#' || i, to_jsonb(extract(epoch FROM now())::bigint - i)) FROM generate_series(1, 7) i;
SELECT singletable.expire_items('ttl_app', 3);
SET singletable.ttl_batch_size = 2;
SELECT singletable.expire_items('ttl_app', max_items => 3);
SELECT singletable.expire_items('ttl_app');
RESET singletable.ttl_batch_size;
SELECT count(*) AS batch_items_left FROM ttl_app WHERE pk LIKE 'batch#%';

-- A pass over a table of many heap blocks reads them a range at a time.
INSERT INTO ttl_app (item)
SELECT jsonb_build_object('PK', 'wide#' || i, 'SK', 'ITEM', 'pad', repeat('x', 900),
	'expiresAt', extract(epoch FROM now())::bigint + CASE WHEN i % 10 = 0 THEN 3600 ELSE -60 END)
  FROM generate_series(1, 3000) i;
SELECT pg_relation_size('ttl_app') / current_setting('block_size')::int > 300 AS more_than_300_blocks;
SELECT singletable.expire_items('ttl_app');
SELECT count(*) AS wide_left, count(*) FILTER (WHERE (item ->> 'expiresAt')::numeric > extract(epoch FROM now())) AS not_expired
  FROM ttl_app WHERE pk LIKE 'wide#%';
DELETE FROM ttl_app WHERE pk LIKE 'wide#%';

-- expire_items errors.
SELECT singletable.expire_items(NULL);
SELECT singletable.expire_items('ttl_app', 0);
SELECT singletable.expire_items('ttl_plain');
SELECT singletable.create_table('ttl_off');
SELECT singletable.expire_items('ttl_off');
BEGIN READ ONLY;
SELECT singletable.expire_items('ttl_app');
ROLLBACK;

-- Privileges: changing TTL takes ownership; expire_items takes DELETE (and
-- SELECT, to read the items), not UPDATE; describing takes nothing.
CREATE ROLE ttl_reader;
CREATE ROLE ttl_deleter;
GRANT SELECT ON ttl_app TO ttl_reader, ttl_deleter;
GRANT DELETE ON ttl_app TO ttl_deleter;
SELECT ttl_put('expired#6', to_jsonb(extract(epoch FROM now())::bigint - 60));
SET ROLE ttl_reader;
SELECT singletable.update_time_to_live('ttl_app', 'expiresAt', false);
SELECT singletable.describe_time_to_live('ttl_app');
SELECT singletable.expire_items('ttl_app');
RESET ROLE;
SET ROLE ttl_deleter;
SELECT singletable.expire_items('ttl_app');
RESET ROLE;

-- Row-level security: the caller expires only the items its policies let
-- it see and delete.
SELECT ttl_put('tenant1#a', to_jsonb(extract(epoch FROM now())::bigint - 60)),
	   ttl_put('tenant2#a', to_jsonb(extract(epoch FROM now())::bigint - 60));
ALTER TABLE ttl_app ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant1 ON ttl_app USING (pk LIKE 'tenant1#%');
SET ROLE ttl_deleter;
SELECT singletable.expire_items('ttl_app');
RESET ROLE;
SELECT pk FROM ttl_app WHERE pk LIKE 'tenant%' ORDER BY pk;
ALTER TABLE ttl_app DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant1 ON ttl_app;

-- execute(): UpdateTimeToLive and DescribeTimeToLive in DynamoDB's shapes.
SELECT singletable.execute('DescribeTimeToLive', '{"TableName": "ttl_app"}');
SELECT singletable.execute('UpdateTimeToLive', '{"TableName": "ttl_app",
	"TimeToLiveSpecification": {"Enabled": false, "AttributeName": "expiresAt"}}');
SELECT singletable.execute('DynamoDB_20120810.DescribeTimeToLive', '{"TableName": "ttl_app"}');
SELECT singletable.execute('UpdateTimeToLive', '{"TableName": "ttl_app",
	"TimeToLiveSpecification": {"Enabled": true, "AttributeName": "ttl"}}');
SELECT singletable.execute('UpdateTimeToLive', '{"TableName": "ttl_app",
	"TimeToLiveSpecification": {"Enabled": true, "AttributeName": "ttl"}}');
SELECT singletable.execute('UpdateTimeToLive', '{"TableName": "ttl_app",
	"TimeToLiveSpecification": {"Enabled": false, "AttributeName": "expiresAt"}}');
SELECT singletable.execute('UpdateTimeToLive', '{"TableName": "nope",
	"TimeToLiveSpecification": {"Enabled": true, "AttributeName": "ttl"}}');
SELECT singletable.execute('DescribeTimeToLive', '{"TableName": "nope"}');
SELECT singletable.execute('DescribeTimeToLive', '{}');
SELECT singletable.execute('DescribeTimeToLive', '{"TableName": "ttl_app", "Extra": 1}');
SELECT singletable.execute('UpdateTimeToLive', '{"TableName": "ttl_app"}');
SELECT singletable.execute('UpdateTimeToLive', '{"TableName": "ttl_app", "TimeToLiveSpecification": []}');
SELECT singletable.execute('UpdateTimeToLive', '{"TableName": "ttl_app",
	"TimeToLiveSpecification": {"AttributeName": "ttl"}}');
SELECT singletable.execute('UpdateTimeToLive', '{"TableName": "ttl_app",
	"TimeToLiveSpecification": {"Enabled": "true", "AttributeName": "ttl"}}');
SELECT singletable.execute('UpdateTimeToLive', '{"TableName": "ttl_app",
	"TimeToLiveSpecification": {"Enabled": false}}');
SELECT singletable.execute('UpdateTimeToLive', '{"TableName": "ttl_app",
	"TimeToLiveSpecification": {"Enabled": false, "AttributeName": ""}}');
SELECT singletable.execute('UpdateTimeToLive', '{"TableName": "ttl_app",
	"TimeToLiveSpecification": {"Enabled": false, "AttributeName": "ttl", "Status": "x"}}');

-- A table dropped with TTL enabled leaves nothing behind.
SELECT singletable.drop_table('ttl_app');
SELECT count(*) FROM singletable.tables WHERE ttl_attribute IS NOT NULL;

SELECT pg_drop_replication_slot('ttl_slot');
DROP FUNCTION ttl_put(text, jsonb);
SELECT singletable.drop_table('ttl_off');
DROP TABLE ttl_plain;
DROP ROLE ttl_reader, ttl_deleter;
