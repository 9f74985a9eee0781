#!/usr/bin/env bash
# Time-to-live benchmark (not a test).  Called by test/bench/run with
# PGHOST/PGPORT/PGUSER/PGDATABASE, PG_BINDIR and BENCH_WORK set (a round
# lasts as long as its expiry, so BENCH_TIME is not used).
#
# The background worker expires 100,000 items of a table (with a GSI) while
# pgbench writes to the same table (put_item of random items, 2 clients),
# against the same writes in the seconds between, when TTL is switched off.
# The cluster is restarted with singletable in shared_preload_libraries,
# singletable.ttl_interval = 1s, log_lock_waits = on and deadlock_timeout =
# 100ms, so every lock wait over 100 ms is logged.  Prints, per round and for
# the median of three, the writers' throughput during the expiry over their
# throughput alone (target >= 0.8), the time the expiry took, and the number
# of lock waits over 100 ms (target 0).  Restores the settings after.
set -euo pipefail
. "$(dirname "$0")/../cluster.sh"
PGBENCH=${PG_BINDIR:+$PG_BINDIR/}pgbench
PSQL="psql -X -q -v ON_ERROR_STOP=1"
work=${BENCH_WORK:?BENCH_WORK must name the folder of the bench cluster}
data=$work/cluster/data
log=$work/cluster/server.log
RUN=300					# most seconds of a round's pgbench (stopped when the expiry ends)
EXPIRED=100000
WRITERS_KEYS=100000

restart() {
	as_server_user "$PG_BINDIR/pg_ctl" -D "$data" -w restart -o "-p $PGPORT" -l "$log" >/dev/null
}

$PSQL <<'SQL'
LOAD 'singletable';
ALTER SYSTEM SET shared_preload_libraries = 'singletable';
ALTER SYSTEM SET singletable.ttl_interval = '1s';
ALTER SYSTEM SET log_lock_waits = on;
ALTER SYSTEM SET deadlock_timeout = '100ms';
SQL
restart
trap '$PSQL -c "ALTER SYSTEM RESET shared_preload_libraries" -c "ALTER SYSTEM RESET singletable.ttl_interval" \
	-c "ALTER SYSTEM RESET log_lock_waits" -c "ALTER SYSTEM RESET deadlock_timeout" && restart' EXIT

$PSQL >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_ttl;
SELECT singletable.create_table('bench_ttl');
SELECT singletable.create_index('bench_ttl', 'GSI1', 'GSI1PK', 'GSI1SK');
INSERT INTO bench_ttl(item)
SELECT jsonb_build_object('PK', 'W#' || i, 'SK', 'ITEM', 'GSI1PK', 'G#' || (i % 100), 'GSI1SK', i::text,
                          'n', i, 'expiresAt', extract(epoch FROM now())::bigint + 86400)
  FROM generate_series(1, $WRITERS_KEYS) i;
VACUUM ANALYZE bench_ttl;
SQL

cat >"$work/ttl_writes.sql" <<SQL
\set k random(1, $WRITERS_KEYS)
\set n random(1, 1000000)
SELECT singletable.put_item('bench_ttl', jsonb_build_object('PK', 'W#' || :k::int, 'SK', 'ITEM', 'GSI1PK', 'G#' || (:k::int % 100), 'GSI1SK', :k::int::text, 'n', :n::int, 'expiresAt', extract(epoch FROM now())::bigint + 86400));
SQL

now() { date +%s.%N; }
expired_left() { psql -X -At -c "SELECT count(*) FROM bench_ttl WHERE pk LIKE 'E#%'"; }

# One round: the table holds 100,000 expired items.  pgbench writes for the
# whole round; TTL is switched on and off every W seconds (enabling wakes the
# launcher, disabling ends the pass at its next batch) until the worker has
# expired them all, so the seconds with the worker running and the seconds
# without it alternate under the same load from the rest of the machine.
# pgbench's first W seconds are its warm-up and count for neither.  Prints
# "seconds_expiring alone_tps during_tps lock_waits".
W=4
round() {
	local out=$work/ttl_round$1 pid t0 t state=warmup since on_secs=0 log_from
	$PSQL >/dev/null <<SQL
SELECT singletable.update_time_to_live('bench_ttl', 'expiresAt', false)
 WHERE (singletable.describe_time_to_live('bench_ttl') ->> 'TimeToLiveStatus') = 'ENABLED';
INSERT INTO bench_ttl(item)
SELECT jsonb_build_object('PK', 'E#' || i, 'SK', 'ITEM', 'GSI1PK', 'G#' || (i % 100), 'GSI1SK', i::text,
                          'n', i, 'expiresAt', extract(epoch FROM now())::bigint - 60)
  FROM generate_series(1, $EXPIRED) i;
VACUUM ANALYZE bench_ttl;
CHECKPOINT;
SQL
	log_from=$(stat -c %s "$log")
	: >"$out.periods"
	# pgbench for at most RUN seconds, a progress line a second in $out.raw
	"$PGBENCH" -n -M prepared -c 2 -j 2 -T "$RUN" -P 1 -f "$work/ttl_writes.sql" >/dev/null 2>"$out.raw" &
	pid=$!
	t0=$(now)
	since=0
	sleep "$W"
	while kill -0 "$pid" 2>/dev/null; do
		t=$(awk -v a="$(now)" -v b="$t0" 'BEGIN { print a - b }')
		echo "$state $since $t" >>"$out.periods"
		[ "$state" = on ] && on_secs=$(awk -v a="$on_secs" -v b="$since" -v c="$t" 'BEGIN { print a + c - b }')
		[ "$(expired_left)" -eq 0 ] && break
		if [ "$state" = on ]; then state=off; else state=on; fi
		$PSQL -c "SELECT singletable.update_time_to_live('bench_ttl', 'expiresAt', '$state' = 'on')" >/dev/null
		since=$t
		sleep "$W"
	done
	[ "$(expired_left)" -eq 0 ] || { echo "60_ttl: the expiry outlasted pgbench's $RUN s" >&2; exit 1; }
	kill "$pid" 2>/dev/null || true
	wait "$pid" || true
	# The progress line of second s covers (s-1, s]: it counts for a period
	# that holds all of it, leaving out the first second of each period.  The
	# median second of each kind, as the rest of the machine's load comes in
	# bursts.
	awk -v on_secs="$on_secs" -v waits="$(tail -c +$((log_from + 1)) "$log" | grep -c "still waiting for" || true)" '
		function median(k,   i, j, t, m) {
			m = c[k]
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
				if (v[k, j] < v[k, i]) { t = v[k, i]; v[k, i] = v[k, j]; v[k, j] = t }
			return m == 0 ? 0 : (m % 2 ? v[k, (m + 1) / 2] : (v[k, m / 2] + v[k, m / 2 + 1]) / 2)
		}
		FNR == NR { kind[NR] = $1; from[NR] = $2 + 1; to[NR] = $3; n = NR; next }
		/^progress:/ { for (i = 1; i <= n; i++) if ($2 - 1 >= from[i] && $2 <= to[i]) v[kind[i], ++c[kind[i]]] = $4 }
		END { printf "%.1f %.0f %.0f %d\n", on_secs, median("off"), median("on"), waits }' \
		"$out.periods" "$out.raw"
}

results=()
for r in 1 2 3; do
	results+=("$(round $r)")
	echo "${results[-1]}" | awk -v r=$r '{ printf "ttl round %d: expiring %.1f s, writers alone %d tps, during the expiry %d tps (medians of the seconds; %.2f), lock waits over 100 ms %d\n", r, $1, $2, $3, ($2 > 0 ? $3 / $2 : 0), $4 }'
done
printf '%s\n' "${results[@]}" | awk -v n="$EXPIRED" '
	{ s[NR] = $1; r[NR] = ($2 > 0 ? $3 / $2 : 0); w += $4 }
	END {
		# the median round by ratio
		for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t; t = s[i]; s[i] = s[j]; s[j] = t }
		m = int((NR + 1) / 2)
		printf "ttl expiry: %d expired items (with a GSI) deleted in %.1f s of TTL switched on (%.0f items/s) while pgbench wrote to the table (median round)\n", n, s[m], n / s[m]
		printf "ratio ttl_writers during/alone = %.2f (median of %d rounds; target >= 0.8)\n", r[m], NR
		printf "ttl lock waits over 100 ms: %d in %d rounds (target 0)\n", w, NR
	}'
$PSQL -c "DROP TABLE bench_ttl" >/dev/null
