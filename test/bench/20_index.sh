#!/usr/bin/env bash
# Global secondary indexes against the hand-written equivalent: a table with
# two indexes (GSI1, GSI2, projection ALL) written with put_item and read
# with query(..., index => 'GSI1'), against the same table with two partial
# expression indexes
#   CREATE INDEX ... ((item->>'GSI1PK'), (item->>'GSI1SK')) WHERE item ? 'GSI1PK'
# written with INSERT ... ON CONFLICT and read with SELECT ... ORDER BY ...
# LIMIT 20.  Called by test/bench/run; same method as 10_items.sh (pgbench
# -M prepared, 2 clients, sides alternating).  Targets: put ratio >= 0.8,
# query ratio >= 0.9.
set -euo pipefail
PGBENCH=${PG_BINDIR:+$PG_BINDIR/}pgbench
work=${BENCH_WORK:-$(mktemp -d)}
T=${BENCH_TIME:-10}
ORGS=5000			# GSI1 partitions
PER_ORG=20			# items per GSI1 partition: 100,000 items
USERS=$((ORGS * PER_ORG))

psql -q -X -v ON_ERROR_STOP=1 <<SQL
DROP TABLE IF EXISTS bench_gsi, bench_expr;
SELECT singletable.create_table('bench_gsi');
SELECT singletable.create_table('bench_expr');
INSERT INTO bench_gsi(item)
SELECT jsonb_build_object('PK', 'USER#' || u, 'SK', 'PROFILE',
                          'GSI1PK', 'ORG#' || (u % $ORGS), 'GSI1SK', 'USER#' || lpad(u::text, 7, '0'),
                          'GSI2PK', 'CITY#' || (u % 500), 'GSI2SK', 'user ' || u,
                          'name', 'user ' || u, 'email', 'u' || u || '@example.com', 'age', 20 + u % 50)
  FROM generate_series(1, $USERS) u;
INSERT INTO bench_expr SELECT item FROM bench_gsi;
SELECT singletable.create_index('bench_gsi', 'GSI1', 'GSI1PK', 'GSI1SK');
SELECT singletable.create_index('bench_gsi', 'GSI2', 'GSI2PK', 'GSI2SK');
CREATE INDEX bench_expr_gsi1 ON bench_expr ((item->>'GSI1PK'), (item->>'GSI1SK')) WHERE item ? 'GSI1PK';
CREATE INDEX bench_expr_gsi2 ON bench_expr ((item->>'GSI2PK'), (item->>'GSI2SK')) WHERE item ? 'GSI2PK';
VACUUM ANALYZE bench_gsi, "bench_gsi__GSI1", "bench_gsi__GSI2", bench_expr;
SQL

item="jsonb_build_object('PK', 'USER#' || :u::int, 'SK', 'PROFILE',
	'GSI1PK', 'ORG#' || :o::int, 'GSI1SK', 'USER#' || lpad(:u::text, 7, '0'),
	'GSI2PK', 'CITY#' || (:u::int % 500), 'GSI2SK', 'user ' || :u::int,
	'name', 'user ' || :u::int, 'email', 'u' || :u::int || '@example.com', 'age', :n::int)"
cat >"$work/gsi_put_ours.sql" <<SQL
\set u random(1, $USERS)
\set o random(0, $ORGS - 1)
\set n random(20, 70)
SELECT singletable.put_item('bench_gsi', $item);
SQL
cat >"$work/gsi_put_sql.sql" <<SQL
\set u random(1, $USERS)
\set o random(0, $ORGS - 1)
\set n random(20, 70)
INSERT INTO bench_expr(item) VALUES ($item) ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;
SQL
# pgbench takes every ":name" for a variable: placeholders' colons are \x3a.
cat >"$work/gsi_query_ours.sql" <<SQL
\set o random(0, $ORGS - 1)
SELECT singletable.query('bench_gsi', E'GSI1PK = \\x3ao', "values" => jsonb_build_object(E'\\x3ao', 'ORG#' || :o::int), index => 'GSI1', "limit" => 20);
SQL
cat >"$work/gsi_query_sql.sql" <<SQL
\set o random(0, $ORGS - 1)
SELECT item FROM bench_expr WHERE item->>'GSI1PK' = 'ORG#' || :o::int AND item ? 'GSI1PK' ORDER BY item->>'GSI1SK' LIMIT 20;
SQL

run() {
	"$PGBENCH" -n -M prepared -c 2 -j 2 -T "$T" -f "$1" 2>&1 |
		awk '/number of transactions actually processed/ { split($0, a, ": "); split(a[2], b, "/"); print b[1] }'
}

compare() {
	local name=$1 ours=0 sql=0 n
	for round in 1 2; do
		n=$(run "$work/${name}_ours.sql"); ours=$((ours + ${n:-0}))
		n=$(run "$work/${name}_sql.sql"); sql=$((sql + ${n:-0}))
	done
	awk -v name="$name" -v o="$ours" -v s="$sql" -v t="$T" 'BEGIN {
		printf "%-10s ours %9.0f tps   SQL %9.0f tps   ratio %.2f\n", name, o / (2 * t), s / (2 * t), (s > 0 ? o / s : 0) }'
}

compare gsi_put
if psql -X -At -c "SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = 'singletable' AND p.proname = 'query'" | grep -q 1; then
	compare gsi_query
else
	echo "gsi_query  skipped: singletable.query() does not exist yet"
fi
