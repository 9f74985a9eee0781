#!/usr/bin/env bash
# Event store benchmark.  Called by test/bench/run (PGHOST/PGPORT/PGUSER/
# PGDATABASE, BENCH_TIME, PG_BINDIR, BENCH_WORK set).  Not a test.
#
# 1. append: a one-event append_events with an expected version, against
#    the same work written by hand in SQL in one transaction (lock the
#    VERSION item, check it, insert the event item, update the version).
#    pgbench -M prepared, 2 clients each appending to its own stream, each
#    client carrying its stream's version from one transaction to the next.
#    Prints ours / SQL (goal: at least 1.0).
# 2. scale: append_events from 2 clients to distinct streams against 1
#    client.  Prints 2 clients / 1 client (goal: at least 1.6).
# 3. Message DB, when MESSAGE_DB_SRC names a checkout of message-db/message-db
#    (its database/install.sh is run into the bench database; nothing of it
#    is kept in this repository): a one-event append_events without expected
#    version to a random one of 10,000 streams against Message DB's
#    write_message to a random one of 10,000 streams of one category, with 2
#    clients and with 1.
# Sides alternate in rounds and transactions are summed (lib.sh), so drift in
# the machine hits both equally.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
STREAMS=10000		# background streams, so the table is not tiny

psql -q -X -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_es;
SELECT singletable.create_table('bench_es');
SELECT count(singletable.append_events('bench_es', 'OLD#' || s,
	'[{"eventType": "AccountOpened", "eventData": {"owner": "x"}},
	  {"eventType": "MoneyDeposited", "eventData": {"amount": 5}}]', 0))
  FROM generate_series(1, $STREAMS) s;
VACUUM ANALYZE bench_es;
SQL

# Each run appends to fresh streams <side>#<run>#<client>, created beforehand
# at version 1; pgbench -D v=1 gives each client that version to start from.
cat >"$work/es_ours.sql" <<'SQL'
SELECT singletable.append_events('bench_es', 'OURS#' || :run || '#' || :client_id, '[{"eventType": "MoneyDeposited", "eventData": {"amount": 10}}]', :v) AS v \gset
SQL
# pgbench takes every ":name" for a variable, even in a literal: the
# timestamp format's colons are written \x3a.
cat >"$work/es_sql.sql" <<'SQL'
BEGIN;
SELECT (item->>'version')::bigint AS cur FROM bench_es WHERE pk = 'SQL#' || :run || '#' || :client_id AND sk = 'VERSION' FOR UPDATE \gset
\if :cur = :v
INSERT INTO bench_es (item) VALUES (jsonb_build_object('PK', 'SQL#' || :run || '#' || :client_id, 'SK', 'EVENT#' || lpad((:v + 1)::text, 10, '0'), 'eventId', gen_random_uuid(), 'aggregateId', 'SQL#' || :run || '#' || :client_id, 'eventType', 'MoneyDeposited', 'eventData', '{"amount": 10}'::jsonb, 'eventVersion', :v + 1, 'timestamp', to_char(clock_timestamp() AT TIME ZONE 'UTC', E'YYYY-MM-DD"T"HH24\x3aMI\x3aSS.MS"Z"'), 'metadata', '{}'::jsonb));
UPDATE bench_es SET item = item || jsonb_build_object('version', :v + 1) WHERE pk = 'SQL#' || :run || '#' || :client_id AND sk = 'VERSION';
\set v :v + 1
\endif
COMMIT;
SQL

# transactions of one pgbench run: run SIDE (ours2, sql2, ours1: side and
# clients).  It runs in a subshell, so the run counter lives in a file.
echo 0 >"$work/es_run_no"
run() {
	local side=${1%[0-9]} clients=${1##*[a-z]} prefix run_no
	run_no=$(($(cat "$work/es_run_no") + 1))
	echo "$run_no" >"$work/es_run_no"
	prefix=$([ "$side" = sql ] && echo SQL || echo OURS)
	psql -q -X -v ON_ERROR_STOP=1 -c "SELECT singletable.append_events('bench_es', '$prefix#$run_no#' || c, '[{\"eventType\": \"AccountOpened\"}]', 0) FROM generate_series(0, $clients - 1) c" >/dev/null
	pgbench_tx "$work/es_$side.sql" "$clients" -D run="$run_no" -D v=1
}

RUN_SIDE=run compare "append_events vs lock/check/insert/update SQL" ">= 1.0" ours2 sql2
RUN_SIDE=run LABEL_OURS="2 clients" LABEL_ANCHOR="1 client" compare "append_events, 2 clients / 1 client" ">= 1.6" ours2 ours1

[ -n "${MESSAGE_DB_SRC:-}" ] || { echo "Message DB: skipped (set MESSAGE_DB_SRC to a message-db checkout)"; exit 0; }
mdb=$MESSAGE_DB_SRC
[ -f "$mdb/database/install.sh" ] && mdb=$mdb/database
[ -f "$mdb/install.sh" ] || { echo "MESSAGE_DB_SRC: no install.sh in $MESSAGE_DB_SRC or its database/" >&2; exit 1; }
if ! psql -X -At -c "SELECT 1 FROM pg_namespace WHERE nspname = 'message_store'" | grep -q 1; then
	PGOPTIONS='-c client_min_messages=warning' CREATE_DATABASE=off DATABASE_NAME=$PGDATABASE \
		bash "$mdb/install.sh" >"$work/message-db-install.log" 2>&1 ||
		{ cat "$work/message-db-install.log" >&2; exit 1; }
fi
# Message DB's functions name each other and their table unqualified.
psql -q -X -v ON_ERROR_STOP=1 >/dev/null <<SQL
ALTER DATABASE $PGDATABASE SET search_path = "\$user", public, message_store;
SET client_min_messages = warning;
SET search_path = message_store, public;
TRUNCATE message_store.messages;
DROP TABLE IF EXISTS public.bench_es_any;
SELECT singletable.create_table('public.bench_es_any');
SELECT count(singletable.append_events('public.bench_es_any', 'account-' || s,
	'[{"eventType": "AccountOpened", "eventData": {"owner": "x"}}]'))
  FROM generate_series(1, $STREAMS) s;
SELECT count(message_store.write_message(gen_random_uuid()::varchar, 'account-' || s, 'AccountOpened', '{"owner": "x"}'))
  FROM generate_series(1, $STREAMS) s;
VACUUM ANALYZE public.bench_es_any, message_store.messages;
SQL
cat >"$work/es_any_ours.sql" <<SQL
\set s random(1, $STREAMS)
SELECT singletable.append_events('bench_es_any', 'account-' || :s, '[{"eventType": "MoneyDeposited", "eventData": {"amount": 10}}]');
SQL
cat >"$work/es_any_mdb.sql" <<SQL
\set s random(1, $STREAMS)
SELECT message_store.write_message(gen_random_uuid()::varchar, 'account-' || :s, 'MoneyDeposited', '{"amount": 10}');
SQL
check_script -f "$work/es_any_ours.sql"
check_script -f "$work/es_any_mdb.sql"
LABEL_ANCHOR="Message DB" compare "append_events vs Message DB write_message, 2 cl" ">= 3" "$work/es_any_ours.sql" "$work/es_any_mdb.sql" 2
LABEL_ANCHOR="Message DB" compare "the same, 1 client" ">= 1.3" "$work/es_any_ours.sql" "$work/es_any_mdb.sql" 1
