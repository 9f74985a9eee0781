#!/usr/bin/env bash
# Foundation benchmark: our item and query calls against the hand-written
# SQL a Postgres user would write for the same access, on the same table.
# Called by test/bench/run (PGHOST/PGPORT/PGUSER/PGDATABASE, BENCH_TIME,
# PG_BINDIR, BENCH_WORK set).  pgbench -M prepared, 2 clients, 2 threads;
# the two sides alternate (ours, SQL, ours, SQL) and each side's
# transactions are summed, so drift in the machine hits both equally.
# Prints one ratio line per operation: ours / SQL (1.00 = as fast).
set -euo pipefail
PGBENCH=${PG_BINDIR:+$PG_BINDIR/}pgbench
work=${BENCH_WORK:-$(mktemp -d)}
T=${BENCH_TIME:-10}
USERS=2500			# partitions
ORDERS=40			# items per partition: 100,000 items

psql -q -X -v ON_ERROR_STOP=1 <<SQL
DROP TABLE IF EXISTS bench_items;
SELECT singletable.create_table('bench_items');
INSERT INTO bench_items(item)
SELECT jsonb_build_object('PK', 'USER#' || u, 'SK', 'ORDER#' || lpad(o::text, 4, '0'),
                          'status', CASE WHEN o % 3 = 0 THEN 'SHIPPED' ELSE 'PENDING' END,
                          'total', o * 10 + u % 7, 'items', jsonb_build_array('sku-' || o, 'sku-' || u),
                          'createdAt', '2024-01-01T00:00:00Z')
  FROM generate_series(1, $USERS) u, generate_series(1, $ORDERS) o;
INSERT INTO bench_items(item)
SELECT jsonb_build_object('PK', 'USER#' || u, 'SK', 'PROFILE', 'name', 'user ' || u)
  FROM generate_series(1, $USERS) u;
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
cat >"$work/put_sql.sql" <<SQL
\set u random(1, $USERS)
\set o random(1, $ORDERS)
\set n random(1, 1000000)
INSERT INTO bench_items(item) VALUES (jsonb_build_object('PK', 'USER#' || :u::int, 'SK', 'ORDER#' || lpad(:o::text, 4, '0'), 'status', 'PENDING', 'total', :n::int)) ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;
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

# transactions of one pgbench run
run() {
	"$PGBENCH" -n -M prepared -c 2 -j 2 -T "$T" -f "$1" 2>&1 |
		awk '/number of transactions actually processed/ { split($0, a, ": "); split(a[2], b, "/"); print b[1] }'
}

compare() {
	local name=$1 ours=0 sql=0 n
	for round in 1 2; do
		n=$(run "$work/${name}_ours.sql"); ours=$((ours + n))
		n=$(run "$work/${name}_sql.sql"); sql=$((sql + n))
	done
	awk -v name="$name" -v o="$ours" -v s="$sql" -v t="$T" 'BEGIN {
		printf "%-6s ours %9.0f tps   SQL %9.0f tps   ratio %.2f\n", name, o / (2 * t), s / (2 * t), (s > 0 ? o / s : 0) }'
}

compare get
compare put
compare query
