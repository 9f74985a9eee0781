#!/usr/bin/env bash
# Change-stream benchmark (not a test).  Called by test/bench/run with
# PGHOST/PGPORT/PGUSER/PGDATABASE, PG_BINDIR and BENCH_WORK set.
#
# 1. Decode rate: 200,000 item changes (100,000 inserts, then 100,000
#    updates with old images, in transactions of 100) decoded from the same
#    WAL through our plugin and through wal2json (format-version 2, no
#    transaction lines), each through pg_logical_slot_peek_changes, best of
#    three runs.  Prints changes per second for both and ours / wal2json.
# 2. Memory: the walsender's peak private memory (RssAnon, sampled, and
#    VmHWM) while pg_recvlogical decodes one transaction of 100,000 and one
#    of 1,000,000 changes, then 1,000,000 again with logical_decoding_work_mem
#    at 16MB: flat means the peak is bounded by logical_decoding_work_mem
#    plus a constant, whatever the size of the transaction.
set -euo pipefail
PSQL="psql -X -q -v ON_ERROR_STOP=1"
RECVLOGICAL=${PG_BINDIR:+$PG_BINDIR/}pg_recvlogical
BATCHES=1000			# transactions of 100 changes, twice: 200,000 changes

# wal2json must be allowed as an output plugin too (the setting reloads).
$PSQL >/dev/null <<'SQL'
ALTER SYSTEM SET output_plugin_libraries = 'pgoutput', 'test_decoding', 'singletable', 'wal2json';
SELECT pg_reload_conf();
SQL
sleep 1

# synchronous_commit on: the SQL decoding functions read only flushed WAL.
$PSQL >/dev/null <<SQL
SET client_min_messages = warning;
SET synchronous_commit = on;
DROP TABLE IF EXISTS bench_stream;
SELECT singletable.create_table('bench_stream');
SELECT 'ours' FROM pg_create_logical_replication_slot('bench_ours', 'singletable');
SELECT 'w2j' FROM pg_create_logical_replication_slot('bench_w2j', 'wal2json');
DO \$\$
BEGIN
	FOR b IN 0..$BATCHES - 1 LOOP
		INSERT INTO bench_stream(item)
		SELECT jsonb_build_object('PK', 'USER#' || (i / 10), 'SK', 'ORDER#' || lpad(i::text, 8, '0'),
		                          'status', 'PENDING', 'total', i * 3 % 1000,
		                          'items', jsonb_build_array('sku-' || i, 'sku-' || (i % 97)),
		                          'createdAt', '2024-01-01T00:00:00Z')
		FROM generate_series(b * 100, b * 100 + 99) i;
		COMMIT;
	END LOOP;
	FOR b IN 0..$BATCHES - 1 LOOP
		UPDATE bench_stream SET item = item || '{"status": "SHIPPED"}'
		WHERE pk IN (SELECT 'USER#' || u FROM generate_series(b * 10, b * 10 + 9) u);
		COMMIT;
	END LOOP;
END
\$\$;
SQL

now() { date +%s.%N; }
# decode SLOT OPTIONS... -> seconds for one pass; checks the row count
decode() {
	local slot=$1; shift
	local opts=""
	for o in "$@"; do opts="$opts, '$o'"; done
	local t0 t1 n
	t0=$(now)
	n=$(psql -X -At -c "SELECT count(*) FROM pg_logical_slot_peek_changes('$slot', NULL, NULL$opts)")
	t1=$(now)
	[ "$n" -eq $((BATCHES * 200)) ] || { echo "50_stream: $slot returned $n rows" >&2; psql -X -c "SELECT data::jsonb->>'eventName', count(*) FROM pg_logical_slot_peek_changes('$slot', NULL, NULL) GROUP BY 1" >&2; exit 1; }
	awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }'
}
best() { printf '%s\n' "$@" | sort -g | head -n1; }

ours=() w2j=()
for run in 1 2 3; do
	ours+=("$(decode bench_ours)")
	w2j+=("$(decode bench_w2j format-version 2 include-transaction false)")
done
t_ours=$(best "${ours[@]}")
t_w2j=$(best "${w2j[@]}")
n=$((BATCHES * 200))
awk -v n="$n" -v o="$t_ours" -v w="$t_w2j" 'BEGIN {
	printf "stream decode: singletable %.0f changes/s, wal2json %.0f changes/s (%d changes, best of 3)\n", n / o, n / w, n
	printf "ratio stream_decode ours/wal2json = %.2f (target >= 1.0)\n", w / o
}'
$PSQL -c "SELECT pg_drop_replication_slot('bench_ours'), pg_drop_replication_slot('bench_w2j')" >/dev/null

# Memory: decode one big transaction through pg_recvlogical, sampling the
# walsender's /proc status.
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$2/status" 2>/dev/null || true; }
peak_memory() {
	local changes=$1 slot=bench_mem_$1 end pid rss hwm peak=0 lastpeak=0
	$PSQL -c "SELECT 'm' FROM pg_create_logical_replication_slot('$slot', 'singletable')" >/dev/null
	$PSQL -c "TRUNCATE bench_stream" >/dev/null
	$PSQL <<SQL >/dev/null
INSERT INTO bench_stream(item)
SELECT jsonb_build_object('PK', 'BIG#' || (i / 100), 'SK', 'ITEM#' || lpad(i::text, 8, '0'),
                          'status', 'PENDING', 'total', i % 1000)
FROM generate_series(1, $changes) i;
SQL
	end=$(psql -X -At -c "SELECT pg_current_wal_lsn()")
	"$RECVLOGICAL" -d "$PGDATABASE" -S "$slot" --start --endpos="$end" -f /dev/null --no-loop &
	local rl=$!
	pid=
	while kill -0 $rl 2>/dev/null; do
		[ -z "$pid" ] && pid=$(psql -X -At -c "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '$slot'")
		if [ -n "$pid" ]; then
			rss=$(kb RssAnon "$pid"); hwm=$(kb VmHWM "$pid")
			[ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
			[ -n "$hwm" ] && lastpeak=$hwm
		fi
		sleep 0.05
	done
	wait $rl
	$PSQL -c "SELECT pg_drop_replication_slot('$slot')" >/dev/null
	printf 'stream memory: walsender decoding one transaction of %d changes: peak RssAnon %d kB, VmHWM %d kB\n' \
		"$changes" "$peak" "$lastpeak"
}
echo "stream memory: logical_decoding_work_mem = $(psql -X -At -c 'SHOW logical_decoding_work_mem')"
peak_memory 100000
peak_memory 1000000
# the peak follows the setting, not the size of the transaction
$PSQL -c "ALTER SYSTEM SET logical_decoding_work_mem = '16MB'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
echo "stream memory: logical_decoding_work_mem = $(psql -X -At -c 'SHOW logical_decoding_work_mem')"
peak_memory 1000000
$PSQL -c "ALTER SYSTEM RESET logical_decoding_work_mem" -c "SELECT pg_reload_conf()" >/dev/null
$PSQL -c "DROP TABLE bench_stream" >/dev/null
