-- Worked example: the seed's bank account as an event-sourced aggregate.
-- The stream AGGREGATE#<account> holds AccountOpened, MoneyDeposited,
-- MoneyWithdrawn and AccountClosed.  The caller folds the events into the
-- account's state and enforces the rules; the version check of
-- append_events catches a concurrent writer.
CREATE SCHEMA eventstore_bank;
SET search_path = eventstore_bank, public;
SELECT singletable.create_table('bank');

-- Fold events into a state {"balance", "open", "owner"}.
CREATE FUNCTION bank_apply(state jsonb, e jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
	CASE e->>'eventType'
	WHEN 'AccountOpened' THEN
		RETURN jsonb_build_object('owner', e->'eventData'->'owner', 'balance', 0, 'open', true);
	WHEN 'MoneyDeposited' THEN
		RETURN jsonb_set(state, '{balance}', to_jsonb((state->>'balance')::numeric + (e->'eventData'->>'amount')::numeric));
	WHEN 'MoneyWithdrawn' THEN
		RETURN jsonb_set(state, '{balance}', to_jsonb((state->>'balance')::numeric - (e->'eventData'->>'amount')::numeric));
	WHEN 'AccountClosed' THEN
		RETURN jsonb_set(state, '{open}', 'false');
	ELSE
		RAISE EXCEPTION 'unknown event type %', e->>'eventType';
	END CASE;
END
$$;

-- The account rebuilt from its stream: the latest snapshot and the events
-- after it, in one call.  Returns the state with its version.
CREATE FUNCTION bank_load(account text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	s jsonb := singletable.load_stream('bank', 'AGGREGATE#' || account);
	state jsonb := s->'snapshot'->'state';
	e jsonb;
BEGIN
	FOR e IN SELECT jsonb_array_elements(s->'events') LOOP
		state := bank_apply(state, e);
	END LOOP;
	RETURN jsonb_build_object('state', state, 'version', s->'version');
END
$$;

-- Decide: check a command against the state, return the event to append.
CREATE FUNCTION bank_decide(state jsonb, command text, amount numeric) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
	state := nullif(state, 'null');		-- no account yet
	IF state IS NULL AND command <> 'open' THEN
		RAISE EXCEPTION 'account does not exist';
	END IF;
	CASE command
	WHEN 'open' THEN
		IF state IS NOT NULL THEN RAISE EXCEPTION 'account already open'; END IF;
		RETURN jsonb_build_object('eventType', 'AccountOpened', 'eventData', jsonb_build_object('owner', 'ann'));
	WHEN 'deposit' THEN
		IF NOT (state->>'open')::boolean THEN RAISE EXCEPTION 'account is closed'; END IF;
		RETURN jsonb_build_object('eventType', 'MoneyDeposited', 'eventData', jsonb_build_object('amount', amount));
	WHEN 'withdraw' THEN
		IF NOT (state->>'open')::boolean THEN RAISE EXCEPTION 'account is closed'; END IF;
		IF (state->>'balance')::numeric < amount THEN
			RAISE EXCEPTION 'insufficient funds: balance %, withdrawal %', state->>'balance', amount;
		END IF;
		RETURN jsonb_build_object('eventType', 'MoneyWithdrawn', 'eventData', jsonb_build_object('amount', amount));
	WHEN 'close' THEN
		IF (state->>'balance')::numeric <> 0 THEN RAISE EXCEPTION 'balance must be zero to close'; END IF;
		RETURN jsonb_build_object('eventType', 'AccountClosed', 'eventData', '{}'::jsonb);
	END CASE;
END
$$;

-- Handle a command: load, decide, append with the version loaded.  On a
-- version conflict (ST003) load again and decide again, as a client would.
CREATE FUNCTION bank_handle(account text, command text, amount numeric DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	acc jsonb;
	event jsonb;
	attempt int := 0;
BEGIN
	LOOP
		acc := bank_load(account);
		event := bank_decide(acc->'state', command, amount);
		IF current_setting('bank.other_writer', true) = 'on' THEN
			PERFORM set_config('bank.other_writer', 'off', false);
			PERFORM singletable.append_events('bank', 'AGGREGATE#' || account,
				'[{"eventType": "MoneyDeposited", "eventData": {"amount": 5}}]');
		END IF;
		BEGIN
			RETURN singletable.append_events('bank', 'AGGREGATE#' || account,
				jsonb_build_array(event), (acc->>'version')::bigint);
		EXCEPTION WHEN SQLSTATE 'ST003' THEN
			attempt := attempt + 1;
			RAISE NOTICE 'version conflict at version %, retrying', acc->>'version';
			IF attempt > 3 THEN RAISE; END IF;
		END;
	END LOOP;
END
$$;

SELECT bank_handle('acc-1', 'open');
SELECT bank_handle('acc-1', 'deposit', 100);
SELECT bank_handle('acc-1', 'withdraw', 30);
SELECT bank_load('acc-1');
-- the rule lives in the caller: no withdrawal past the balance
SELECT bank_handle('acc-1', 'withdraw', 500);
SELECT bank_handle('acc-1', 'close');
SELECT singletable.stream_version('bank', 'AGGREGATE#acc-1');

-- A concurrent writer: this client loads the account at version 3 and
-- decides to withdraw 70 ...
CREATE TEMP TABLE loaded AS SELECT bank_load('acc-1') AS acc;
SELECT acc FROM loaded;
-- ... meanwhile another client withdraws 50 (version 4) ...
SELECT bank_handle('acc-1', 'withdraw', 50);
-- ... so the first client's append, made on what it saw, is refused: the
-- balance is 20 now, and withdrawing 70 would overdraw the account.
SELECT singletable.append_events('bank', 'AGGREGATE#acc-1',
	jsonb_build_array(bank_decide(acc->'state', 'withdraw', 70)), (acc->>'version')::bigint)
  FROM loaded;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- handled with a reload, the rule now refuses the withdrawal
SELECT bank_handle('acc-1', 'withdraw', 70);
SELECT bank_load('acc-1');

-- A conflict inside bank_handle is retried on the reloaded state.  The
-- test hook bank.other_writer makes another writer deposit 5 between the
-- load and the append.
SET bank.other_writer = 'on';
SELECT bank_handle('acc-1', 'withdraw', 15);
SELECT bank_load('acc-1');

-- A long history loads from a snapshot plus the events after it.
SELECT singletable.append_events('bank', 'AGGREGATE#acc-2',
	(SELECT jsonb_build_array(jsonb_build_object('eventType', 'AccountOpened', 'eventData', '{"owner": "bob"}'::jsonb))
	     || jsonb_agg(jsonb_build_object('eventType', 'MoneyDeposited', 'eventData', jsonb_build_object('amount', i)))
	   FROM generate_series(1, 500) i), 0);
SELECT bank_load('acc-2');
SELECT singletable.save_snapshot('bank', 'AGGREGATE#acc-2', v, bank_load('acc-2')->'state')
  FROM singletable.stream_version('bank', 'AGGREGATE#acc-2') v;
SELECT bank_handle('acc-2', 'withdraw', 250);
SELECT s->'snapshot'->'version' AS snapshot_version, jsonb_array_length(s->'events') AS events_after
  FROM singletable.load_stream('bank', 'AGGREGATE#acc-2') s;
SELECT bank_load('acc-2');
-- the same state, folded from the whole stream
SELECT sum(CASE e->>'eventType' WHEN 'MoneyDeposited' THEN (e->'eventData'->>'amount')::numeric
                                WHEN 'MoneyWithdrawn' THEN -(e->'eventData'->>'amount')::numeric
                                ELSE 0 END) AS balance
  FROM singletable.read_stream('bank', 'AGGREGATE#acc-2') e;

-- Closing needs a zero balance; a closed account takes no more deposits.
SELECT bank_handle('acc-1', 'withdraw', (bank_load('acc-1')->'state'->>'balance')::numeric);
SELECT bank_handle('acc-1', 'close');
SELECT bank_handle('acc-1', 'deposit', 1);
SELECT e->>'eventType' AS type, e->'eventData' AS data, e->'eventVersion' AS version
  FROM singletable.read_stream('bank', 'AGGREGATE#acc-1') e;

SET client_min_messages = warning;
DROP SCHEMA eventstore_bank CASCADE;
RESET client_min_messages;
