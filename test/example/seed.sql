-- The worked example that `make run` loads: the seed domain of a
-- single-table design (users and their orders, a forum, a bank account kept
-- as an event stream) and the change stream it produces.
\set QUIET on
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION singletable;
SET client_min_messages = notice;

-- Capture the change stream from the start.
SELECT 'slot created' AS stream FROM pg_create_logical_replication_slot('example', 'singletable');

\echo '== one table for everything, with a GSI for the second access pattern'
SELECT singletable.create_table('app');
SELECT singletable.create_index('app', 'GSI1', 'GSI1PK', 'GSI1SK');

\echo '== users and their orders: PK = USER#<id>, SK = PROFILE | ORDER#<date>#<id>'
SELECT singletable.put_item('app', '{"PK": "USER#ann", "SK": "PROFILE", "name": "Ann", "email": "ann@example.com"}') AS ann_put;
SELECT singletable.put_item('app', '{"PK": "USER#bob", "SK": "PROFILE", "name": "Bob", "email": "bob@example.com"}') AS bob_put;
SELECT count(*) AS orders_put FROM (SELECT singletable.put_item('app', jsonb_build_object(
	'PK', 'USER#' || u, 'SK', format('ORDER#2026-11-%s#%s', lpad(d::text, 2, '0'), u || d),
	'total', d * 10 + 0.99, 'status', s,
	'GSI1PK', 'ORDER_STATUS#' || s, 'GSI1SK', format('2026-11-%s', lpad(d::text, 2, '0'))))
  FROM (VALUES ('ann', 1, 'shipped'), ('ann', 5, 'pending'), ('ann', 9, 'shipped'),
               ('bob', 2, 'shipped'), ('bob', 7, 'pending')) AS o(u, d, s)) AS puts;

\echo '-- Ann''s orders, newest first: begins_with on the sort key'
SELECT item->>'SK' AS order, item->>'total' AS total, item->>'status' AS status
  FROM singletable.query_items('app', 'PK = :pk AND begins_with(SK, :prefix)',
	"values" => '{":pk": "USER#ann", ":prefix": "ORDER#"}', forward => false) AS item;

\echo '-- a conditional update: ship an order only if it is pending'
SELECT singletable.update_item('app', '{"PK": "USER#ann", "SK": "ORDER#2026-11-05#ann5"}',
	update => 'SET #s = :shipped, GSI1PK = :gsi',
	condition => '#s = :pending',
	names => '{"#s": "status"}',
	"values" => '{":shipped": "shipped", ":pending": "pending", ":gsi": "ORDER_STATUS#shipped"}',
	return_values => 'UPDATED_NEW');

\echo '-- shipped orders of every user, through the GSI'
SELECT item->>'PK' AS user, item->>'SK' AS order
  FROM singletable.query_items('app', 'GSI1PK = :s', "values" => '{":s": "ORDER_STATUS#shipped"}',
	index => 'GSI1') AS item;

\echo '== the forum: CATEGORY#<c> / TOPIC#<t> / POST#<t>#<n>, read a page at a time'
SELECT count(*) AS topics_put FROM (
	SELECT singletable.put_item('app', jsonb_build_object('PK', 'CATEGORY#postgres', 'SK', 'TOPIC#' || t, 'title', 'Topic ' || t))
	  FROM generate_series(1, 3) t) AS puts;
SELECT count(*) AS posts_put FROM (
	SELECT singletable.put_item('app', jsonb_build_object('PK', 'TOPIC#1', 'SK', 'POST#' || lpad(n::text, 4, '0'),
		'author', CASE WHEN n % 2 = 0 THEN 'ann' ELSE 'bob' END, 'body', 'post number ' || n))
	  FROM generate_series(1, 12) n) AS puts;
\echo '-- first page of 5 posts'
SELECT singletable.query('app', 'PK = :t AND begins_with(SK, :p)',
	"values" => '{":t": "TOPIC#1", ":p": "POST#"}', "limit" => 5, projection => 'SK, author') AS page \gset
SELECT :'page'::jsonb -> 'Items' AS items, :'page'::jsonb -> 'LastEvaluatedKey' AS last_evaluated_key;
\echo '-- the next page resumes exactly after it'
SELECT singletable.query('app', 'PK = :t AND begins_with(SK, :p)',
	"values" => '{":t": "TOPIC#1", ":p": "POST#"}', "limit" => 5, projection => 'SK, author',
	start_key => :'page'::jsonb -> 'LastEvaluatedKey') -> 'Items' AS next_items;

\echo '== a bank account as an event stream, with optimistic version checks'
SELECT singletable.append_events('app', 'ACCOUNT#acc-1',
	'[{"eventType": "AccountOpened", "eventData": {"owner": "ann"}},
	  {"eventType": "MoneyDeposited", "eventData": {"amount": 100}}]', expected_version => 0) AS version;
SELECT singletable.append_events('app', 'ACCOUNT#acc-1',
	'[{"eventType": "MoneyWithdrawn", "eventData": {"amount": 30}}]', expected_version => 2) AS version;
\echo '-- a writer that read version 2 too loses: the version check catches it'
DO $$
BEGIN
	PERFORM singletable.append_events('app', 'ACCOUNT#acc-1',
		'[{"eventType": "MoneyWithdrawn", "eventData": {"amount": 90}}]', expected_version => 2);
EXCEPTION WHEN SQLSTATE 'ST003' THEN
	RAISE NOTICE 'rejected: %', SQLERRM;
END
$$;
\echo '-- the balance, folded from the stream'
SELECT sum(CASE e->>'eventType' WHEN 'MoneyDeposited' THEN (e->'eventData'->>'amount')::numeric
                                WHEN 'MoneyWithdrawn' THEN -(e->'eventData'->>'amount')::numeric
                                ELSE 0 END) AS balance,
       max((e->>'eventVersion')::int) AS version
  FROM singletable.read_stream('app', 'ACCOUNT#acc-1') AS e;

\echo '== the change stream: DynamoDB Streams records, one per item change, in commit order'
SELECT r->>'eventName' AS event, r->>'tableName' AS tbl, r->'dynamodb'->'Keys' AS keys,
       r->'dynamodb'->>'SequenceNumber' AS sequence_number
  FROM (SELECT data::jsonb AS r FROM pg_logical_slot_peek_changes('example', NULL, NULL)) AS s
 LIMIT 8;
\echo '-- the conditional update above, as a MODIFY record with both images'
SELECT jsonb_pretty((r->'dynamodb') - 'Keys') AS modify_record
  FROM (SELECT data::jsonb AS r FROM pg_logical_slot_peek_changes('example', NULL, NULL)) AS s
 WHERE r->>'eventName' = 'MODIFY' LIMIT 1;
SELECT count(*) AS records_waiting FROM pg_logical_slot_peek_changes('example', NULL, NULL);
