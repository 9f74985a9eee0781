-- Projections from the change stream, exactly once: apply_changes keeps the
-- seed's account-summary read model (balance per account, from the event
-- store's events) in step with the events table.
SET client_min_messages = warning;

SELECT singletable.create_table('events');
SELECT 'init' FROM pg_create_logical_replication_slot('st_apply', 'singletable');

-- Events in the seed layout, written as plain items.
CREATE FUNCTION add_event(account text, version int, type text, amount numeric)
RETURNS void LANGUAGE sql AS $$
	SELECT singletable.put_item('events', jsonb_build_object(
		'PK', 'ACCOUNT#' || account,
		'SK', 'EVENT#' || lpad(version::text, 10, '0'),
		'eventType', type,
		'eventData', jsonb_build_object('amount', amount),
		'eventVersion', version))
$$;

-- The read model and its handler (which fails while handler_fails has a row).
CREATE TABLE handler_fails (dummy int);
CREATE TABLE account_summary (
	account text PRIMARY KEY,
	balance numeric NOT NULL,
	events int NOT NULL
);
CREATE FUNCTION project_account(r jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	img jsonb := r->'dynamodb'->'NewImage';
	amount numeric;
BEGIN
	IF r->>'eventName' <> 'INSERT' OR img->>'SK' NOT LIKE 'EVENT#%' THEN
		RETURN;
	END IF;
	amount := (img->'eventData'->>'amount')::numeric;
	IF img->>'eventType' = 'MoneyWithdrawn' THEN
		amount := -amount;
	ELSIF img->>'eventType' <> 'MoneyDeposited' THEN
		RETURN;
	END IF;
	IF EXISTS (SELECT FROM handler_fails) THEN
		RAISE EXCEPTION 'handler fails on %', img->>'PK';
	END IF;
	INSERT INTO account_summary VALUES (substr(img->>'PK', 9), amount, 1)
	ON CONFLICT (account) DO UPDATE
		SET balance = account_summary.balance + EXCLUDED.balance,
		    events = account_summary.events + 1;
END
$$;

-- The same state recomputed from the events themselves.
CREATE VIEW account_summary_recomputed AS
	SELECT substr(pk, 9) AS account,
	       sum(CASE item->>'eventType' WHEN 'MoneyWithdrawn' THEN -1 ELSE 1 END
	           * (item->'eventData'->>'amount')::numeric) AS balance,
	       count(*)::int AS events
	FROM events
	WHERE sk LIKE 'EVENT#%' AND item->>'eventType' IN ('MoneyDeposited', 'MoneyWithdrawn')
	GROUP BY 1;
CREATE VIEW projection_check AS
	SELECT (SELECT count(*) FROM account_summary) AS accounts,
	       NOT EXISTS (SELECT * FROM account_summary EXCEPT SELECT * FROM account_summary_recomputed)
	       AND NOT EXISTS (SELECT * FROM account_summary_recomputed EXCEPT SELECT * FROM account_summary)
	       AS in_step;

SELECT add_event('acc-1', 1, 'MoneyDeposited', 100);
SELECT add_event('acc-1', 2, 'MoneyWithdrawn', 30);
BEGIN;
SELECT add_event('acc-2', 1, 'MoneyDeposited', 500);
SELECT add_event('acc-2', 2, 'MoneyDeposited', 25.5);
SELECT singletable.put_item('events', '{"PK": "ACCOUNT#acc-2", "SK": "VERSION", "version": 2}');
COMMIT;

SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)');
SELECT * FROM account_summary ORDER BY account;
SELECT * FROM projection_check;
-- nothing is applied twice
SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)');
SELECT sequence_number ~ '^[0-9]{30}$' AS seq_ok, lsn > '0/0' AS lsn_ok
FROM singletable.stream_checkpoints WHERE slot_name = 'st_apply';

-- A rolled back apply leaves nothing behind and skips nothing.
SELECT add_event('acc-1', 3, 'MoneyDeposited', 7);
BEGIN;
SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)');
SELECT * FROM projection_check;
ROLLBACK;
SELECT * FROM account_summary WHERE account = 'acc-1';
SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)');
SELECT * FROM projection_check;

-- A handler error rolls back the handler's writes and the checkpoint.
SELECT add_event('acc-3', 1, 'MoneyDeposited', 1);
SELECT add_event('acc-3', 2, 'MoneyDeposited', 2);
INSERT INTO handler_fails VALUES (1);
SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)');
SELECT * FROM account_summary WHERE account = 'acc-3';
DELETE FROM handler_fails;
SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)');
SELECT * FROM account_summary WHERE account = 'acc-3';

-- max_changes: whole transactions, in order; two calls in one transaction
-- do not apply anything twice.
SELECT add_event('acc-4', 1, 'MoneyDeposited', 10);
SELECT add_event('acc-4', 2, 'MoneyDeposited', 20);
SELECT add_event('acc-4', 3, 'MoneyDeposited', 30);
BEGIN;
SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)', max_changes => 1);
SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)', max_changes => 1);
COMMIT;
SELECT * FROM account_summary WHERE account = 'acc-4';
SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)', max_changes => NULL);
SELECT * FROM account_summary WHERE account = 'acc-4';

-- Options pass through to the plugin: only the events table, typed JSON.
CREATE TABLE seen (r jsonb);
CREATE FUNCTION remember(r jsonb) RETURNS void LANGUAGE sql AS $$ INSERT INTO seen VALUES (r) $$;
SELECT 'init' FROM pg_create_logical_replication_slot('st_apply_typed', 'singletable');
SELECT add_event('acc-5', 1, 'MoneyDeposited', 5);
SELECT singletable.apply_changes('st_apply_typed', 'remember(jsonb)',
                                 options => '{tables,events,format,typed,view,NEW_IMAGE}');
SELECT r->'dynamodb'->'NewImage'->'eventData', r->'dynamodb'->'StreamViewType' FROM seen;

-- The slot is confirmed up to the committed checkpoint by the next call
-- (advancing a slot cannot be rolled back, so a call never confirms its own).
SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)');
SELECT s.confirmed_flush_lsn >= c.lsn AS slot_confirmed
FROM pg_replication_slots s JOIN singletable.stream_checkpoints c USING (slot_name)
WHERE slot_name = 'st_apply';
SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)');
SELECT s.confirmed_flush_lsn >= c.lsn AS slot_confirmed
FROM pg_replication_slots s JOIN singletable.stream_checkpoints c USING (slot_name)
WHERE slot_name = 'st_apply';
SELECT * FROM projection_check;

-- Bad input.
SELECT singletable.apply_changes('nosuch', 'project_account(jsonb)');
SELECT 'init' FROM pg_create_logical_replication_slot('st_apply_td', 'test_decoding');
SELECT singletable.apply_changes('st_apply_td', 'project_account(jsonb)');
SELECT singletable.apply_changes('st_apply', 'add_event(text, int, text, numeric)');
SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)', max_changes => 0);
SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)', options => '{tables}');
SELECT singletable.apply_changes('st_apply', 'project_account(jsonb)', options => '{bogus,1}');

SELECT pg_drop_replication_slot('st_apply');
SELECT pg_drop_replication_slot('st_apply_typed');
SELECT pg_drop_replication_slot('st_apply_td');
DELETE FROM singletable.stream_checkpoints;
DROP VIEW projection_check, account_summary_recomputed;
DROP TABLE account_summary, seen, handler_fails;
DROP FUNCTION project_account(jsonb), remember(jsonb),
	add_event(text, int, text, numeric);
SELECT singletable.drop_table('events');
