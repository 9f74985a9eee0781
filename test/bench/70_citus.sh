#!/usr/bin/env bash
# Scale-out benchmark: get_item, put_item and a 20-item query page through
# the coordinator of a Citus cluster (a coordinator and two workers on this
# machine), against the hand-written prepared SQL on the same distributed
# table, as 10_items.sh does on one node.  Then the EXPLAIN of each
# hand-written statement, which shows the one task it routes to.  Only when
# Citus is installed in the PostgreSQL of PG_CONFIG (test/citus/build-citus);
# it starts and stops its own three servers.  Method in lib.sh (pgbench -M
# prepared, 2 clients, BENCH_ROUNDS interleaved rounds, ratio = ours / SQL).
#   called by test/bench/run, or alone: PG_CONFIG=... test/bench/70_citus.sh
set -euo pipefail
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PG_BINDIR=${PG_BINDIR:-$($PG_CONFIG --bindir)}
if [ ! -f "$($PG_CONFIG --pkglibdir)/citus.so" ]; then
	echo "citus bench: skipped: Citus not installed"
	exit 0
fi
. "$(dirname "$0")/../cluster.sh"
export PG_BINDIR
. "$(dirname "$0")/lib.sh"
# the three servers' folder ($work is lib.sh's, for the summary and scripts)
cwork=$(mktemp -d /tmp/singletable-citus-bench.XXXXXX); chmod 755 "$cwork"
[ "$(id -u)" -eq 0 ] && chown postgres: "$cwork"
USERS=2500			# partitions
ORDERS=40			# items per partition: 100,000 items
ports=()
stop_all() {
	for n in 0 1 2; do
		[ -f "$cwork/n$n/postmaster.pid" ] && as_server_user "$PG_BINDIR/pg_ctl" -D "$cwork/n$n" -m fast stop >/dev/null
	done
	rm -rf "$cwork"
}
trap stop_all EXIT
for n in 0 1 2; do
	p=$(free_port "$cwork/n$n")
	ports+=("$p")
	as_server_user "$PG_BINDIR/initdb" -D "$cwork/n$n" -A trust -U postgres --no-sync >/dev/null
	cat >>"$cwork/n$n/postgresql.conf" <<CONF
port = $p
listen_addresses = ''
unix_socket_directories = '$cwork'
shared_preload_libraries = 'citus'
max_prepared_transactions = 20
synchronous_commit = off
shared_buffers = 256MB
fsync = off
CONF
	as_server_user "$PG_BINDIR/pg_ctl" -D "$cwork/n$n" -w -l "$cwork/n$n.log" start >/dev/null
done
export PGHOST=$cwork PGUSER=postgres PGDATABASE=postgres PGPORT=${ports[0]}
for p in "${ports[@]}"; do psql -q -X -p "$p" -c "CREATE EXTENSION citus" >/dev/null; done
psql -q -X -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT citus_set_coordinator_host('$cwork', ${ports[0]});
SELECT citus_add_node('$cwork', ${ports[1]});
SELECT citus_add_node('$cwork', ${ports[2]});
CREATE EXTENSION singletable;
SET client_min_messages = warning;
SET singletable.create_distributed = on;
SELECT singletable.create_table('bench_items');
INSERT INTO bench_items(item, pk, sk)
SELECT i, i->>'PK', i->>'SK' FROM (
  SELECT jsonb_build_object('PK', 'USER#' || u, 'SK', 'ORDER#' || lpad(o::text, 4, '0'),
                            'status', CASE WHEN o % 3 = 0 THEN 'SHIPPED' ELSE 'PENDING' END,
                            'total', o * 10 + u % 7, 'items', jsonb_build_array('sku-' || o, 'sku-' || u),
                            'createdAt', '2024-01-01T00:00:00Z') AS i
    FROM generate_series(1, $USERS) u, generate_series(1, $ORDERS) o) s;
VACUUM ANALYZE bench_items;
SQL

cat >"$work/get_ours.sql" <<SQL
\set u random(1, $USERS)
\set o random(1, $ORDERS)
SELECT singletable.get_item('bench_items', jsonb_build_object('PK', 'USER#' || :u::int, 'SK', 'ORDER#' || lpad(:o::text, 4, '0')));
SQL
cat >"$work/get_sql.sql" <<SQL
\set u random(1, $USERS)
\set o random(1, $ORDERS)
SELECT item FROM bench_items WHERE pk = 'USER#' || :u::int AND sk = 'ORDER#' || lpad(:o::text, 4, '0');
SQL
cat >"$work/put_ours.sql" <<SQL
\set u random(1, $USERS)
\set o random(1, $ORDERS)
\set n random(1, 1000000)
SELECT singletable.put_item('bench_items', jsonb_build_object('PK', 'USER#' || :u::int, 'SK', 'ORDER#' || lpad(:o::text, 4, '0'), 'status', 'PENDING', 'total', :n::int));
SQL
# the same put, not alone in its statement: Citus' transaction block (BEGIN,
# the INSERT, COMMIT), which a sole put does without (pgbench -M prepared
# sends each Execute with its Sync: singletable.citus_put_autocommit auto)
cat >"$work/put_block.sql" <<SQL
\set u random(1, $USERS)
\set o random(1, $ORDERS)
\set n random(1, 1000000)
SELECT singletable.put_item('bench_items', jsonb_build_object('PK', 'USER#' || :u::int, 'SK', 'ORDER#' || lpad(:o::text, 4, '0'), 'status', 'PENDING', 'total', :n::int)), 1;
SQL
cat >"$work/put_sql.sql" <<SQL
\set u random(1, $USERS)
\set o random(1, $ORDERS)
\set n random(1, 1000000)
INSERT INTO bench_items(item, pk, sk) VALUES (jsonb_build_object('PK', 'USER#' || :u::int, 'SK', 'ORDER#' || lpad(:o::text, 4, '0'), 'status', 'PENDING', 'total', :n::int), 'USER#' || :u::int, 'ORDER#' || lpad(:o::text, 4, '0')) ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;
SQL
# pgbench takes every ":name" for a variable, even in a literal: the
# placeholders' colons are written \x3a.
cat >"$work/query_ours.sql" <<SQL
\set u random(1, $USERS)
SELECT singletable.query('bench_items', E'PK = \\x3ap AND begins_with(SK, \\x3as)', "values" => jsonb_build_object(E'\\x3ap', 'USER#' || :u::int, E'\\x3as', 'ORDER#'), "limit" => 20);
SQL
cat >"$work/query_sql.sql" <<SQL
\set u random(1, $USERS)
SELECT item FROM bench_items WHERE pk = 'USER#' || :u::int AND sk ^@ 'ORDER#' ORDER BY sk LIMIT 20;
SQL

for f in "$work"/{get,put,query}_{ours,sql}.sql; do check_script -f "$f"; done
check_script -f "$work/put_block.sql"
compare "citus get_item vs SELECT item" ">= 0.9" "$work/get_ours.sql" "$work/get_sql.sql"
compare "citus put_item vs upsert" ">= 0.9" "$work/put_ours.sql" "$work/put_sql.sql"
# singletable.citus_put_autocommit off: the same put in Citus' transaction
# block (BEGIN, the INSERT, COMMIT), the default before auto
PGOPTIONS="-c singletable.citus_put_autocommit=off" \
	compare "citus put_item, citus_put_autocommit off, vs upsert" "" "$work/put_ours.sql" "$work/put_sql.sql"
compare "citus put_item autocommit vs in a transaction block" "" "$work/put_ours.sql" "$work/put_block.sql"
compare "citus query page (20) vs SELECT ... LIMIT 20" ">= 0.9" "$work/query_ours.sql" "$work/query_sql.sql"

echo "EXPLAIN of the hand-written statements (the calls run the same statements through SPI):"
psql -X -At <<'SQL' | grep -E "Task Count|Tasks Shown|Node: |->  (Index|Custom|Sort|Limit)|Index Cond" | sed 's/^/  /'
EXPLAIN SELECT item FROM bench_items WHERE pk = 'USER#7' AND sk = 'ORDER#0001';
EXPLAIN INSERT INTO bench_items(item, pk, sk) VALUES ('{"PK": "USER#7", "SK": "ORDER#0001"}', 'USER#7', 'ORDER#0001')
	ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;
EXPLAIN SELECT item FROM bench_items WHERE pk = 'USER#7' AND sk ^@ 'ORDER#' ORDER BY sk LIMIT 20;
SQL
