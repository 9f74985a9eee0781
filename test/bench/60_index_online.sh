#!/usr/bin/env bash
# Online index builds under write load: 100,000 items, 4 pgbench clients
# writing (upserts, deletes, two-item transactions) while an index is built
# online, then offline, and with no build at all.  Prints the build's time
# and the latency of the writes that started while it ran (from pgbench's
# per-transaction log), and checks that the online index equals an offline
# build of the same definition.  Called by test/bench/run.  Target: the
# writers' longest wait during the online build is of the order of one
# batch (milliseconds), where the offline build makes them wait for all of
# it.
set -euo pipefail
PGBENCH=${PG_BINDIR:+$PG_BINDIR/}pgbench
work=${BENCH_WORK:-$(mktemp -d)}/index_online
mkdir -p "$work"
ITEMS=100000

key="'PK', 'p' || (:id % 1000), 'SK', 's' || :id"
cat >"$work/upsert.sql" <<SQL
\set id random(1, 120000)
\set g random(0, 15)
\set n random(1, 1000000)
INSERT INTO bench_online (item) VALUES (CASE WHEN :g = 15 THEN jsonb_build_object($key, 'n', :n)
  ELSE jsonb_build_object($key, 'G', 'g' || :g, 'n', :n, 'pad', repeat('x', 50)) END)
  ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;
SQL
cat >"$work/delete.sql" <<SQL
\set id random(1, 120000)
DELETE FROM bench_online WHERE pk = 'p' || (:id % 1000) AND sk = 's' || :id;
SQL
cat >"$work/pair.sql" <<SQL
\set a random(1, 60000)
\set b random(60001, 120000)
BEGIN;
UPDATE bench_online SET item = item || jsonb_build_object('n', :b) WHERE pk = 'p' || (:a % 1000) AND sk = 's' || :a;
UPDATE bench_online SET item = item || jsonb_build_object('G', 'g' || (:a % 7)) WHERE pk = 'p' || (:b % 1000) AND sk = 's' || :b;
COMMIT;
SQL

run() {
	local mode=$1 start end
	psql -q -X -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_online;
SELECT singletable.create_table('bench_online');
INSERT INTO bench_online (item)
SELECT jsonb_build_object('PK', 'p' || (i % 1000), 'SK', 's' || i, 'G', 'g' || (i % 13), 'n', i, 'pad', repeat('x', 50))
  FROM generate_series(1, $ITEMS) i;
VACUUM ANALYZE bench_online;
CHECKPOINT;
SQL
	rm -f "$work"/lat.*
	"$PGBENCH" -n -c 4 -T 12 -f "$work/upsert.sql@6" -f "$work/delete.sql@2" -f "$work/pair.sql@2" \
		-l --log-prefix="$work/lat" >"$work/pgbench.out" 2>&1 &
	local pgb=$!
	sleep 3
	start=$(date +%s.%N)
	case $mode in
	online)
		psql -q -X -c "SELECT singletable.create_index('bench_online', 'ByG', 'G', 'n', sort_key_type => 'N', online => true)" >/dev/null
		until [ "$(psql -X -Atc "SELECT status FROM singletable.indexes WHERE relid = 'bench_online'::regclass AND index_name = 'ByG'")" = ACTIVE ]; do
			sleep 0.05
		done ;;
	offline)
		psql -q -X -c "SELECT singletable.create_index('bench_online', 'ByG', 'G', 'n', sort_key_type => 'N')" >/dev/null ;;
	none)
		sleep 3 ;;
	esac
	end=$(date +%s.%N)
	wait $pgb
	cat "$work"/lat.* | awk -v s="$start" -v e="$end" '{ t = $5 + $6 / 1e6 - $3 / 1e6; if (t >= s && t <= e) print $3 / 1000 }' |
		sort -n | awk -v mode="$mode" -v secs="$(echo "$end - $start" | bc)" '{ a[NR] = $1 }
		END { printf "%-8s build %.2f s; writes meanwhile: n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms\n",
		      mode, secs, NR, a[int(NR * 0.5)], a[int(NR * 0.99)], a[NR] }'
	if [ "$mode" = online ]; then
		psql -q -X -c "SELECT singletable.create_index('bench_online', 'ByGoff', 'G', 'n', sort_key_type => 'N')" >/dev/null
		psql -X -Atc "SELECT 'online index vs offline build: ' || (SELECT count(*) FROM (TABLE \"bench_online__ByG\" EXCEPT ALL TABLE \"bench_online__ByGoff\") x)
			|| ' and ' || (SELECT count(*) FROM (TABLE \"bench_online__ByGoff\" EXCEPT ALL TABLE \"bench_online__ByG\") x) || ' entries differ'"
	fi
}
run none
run online
run offline
psql -q -X -c "DROP TABLE bench_online"
