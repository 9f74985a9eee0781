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
# Sides alternate (A, B, A, B) and transactions are summed, so drift in the
# machine hits both equally.
set -euo pipefail
PGBENCH=${PG_BINDIR:+$PG_BINDIR/}pgbench
work=${BENCH_WORK:-$(mktemp -d)}
T=${BENCH_TIME:-10}
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

# transactions of one pgbench run: run SIDE CLIENTS (runs in a subshell, so
# the run counter lives in a file)
echo 0 >"$work/es_run_no"
run() {
	local side=$1 clients=$2 prefix run_no
	run_no=$(($(cat "$work/es_run_no") + 1))
	echo "$run_no" >"$work/es_run_no"
	prefix=$([ "$side" = sql ] && echo SQL || echo OURS)
	psql -q -X -v ON_ERROR_STOP=1 -c "SELECT singletable.append_events('bench_es', '$prefix#$run_no#' || c, '[{\"eventType\": \"AccountOpened\"}]', 0) FROM generate_series(0, $clients - 1) c" >/dev/null
	"$PGBENCH" -n -M prepared -c "$clients" -j "$clients" -T "$T" -D run=$run_no -D v=1 -f "$work/es_$side.sql" 2>&1 |
		awk '/number of transactions actually processed/ { split($0, a, ": "); split(a[2], b, "/"); print b[1] }
		     /(ERROR|error|aborted)/ { print "pgbench: " $0 > "/dev/stderr" }'
}

compare() {
	local name=$1 a_side=$2 a_clients=$3 b_side=$4 b_clients=$5 label_a=$6 label_b=$7 a=0 b=0 n
	for round in 1 2; do
		n=$(run "$a_side" "$a_clients"); a=$((a + n))
		n=$(run "$b_side" "$b_clients"); b=$((b + n))
	done
	awk -v name="$name" -v a="$a" -v b="$b" -v t="$T" -v la="$label_a" -v lb="$label_b" 'BEGIN {
		printf "%-13s %s %9.0f tps   %s %9.0f tps   ratio %.2f\n", name, la, a / (2 * t), lb, b / (2 * t), (b > 0 ? a / b : 0) }'
}

compare append ours 2 sql 2 "ours" "SQL"
compare append-scale ours 2 ours 1 "2 clients" "1 client"
