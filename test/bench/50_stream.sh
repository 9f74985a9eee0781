#!/usr/bin/env bash
# Change-stream benchmark (not a test).  Called by test/bench/run with
# PGHOST/PGPORT/PGUSER/PGDATABASE, PG_BINDIR and BENCH_WORK set.
#
# 1. Decode rate against wal2json (Debian's postgresql-15-wal2json,
#    format-version 2, no transaction lines) from the same WAL, two cases:
#    200,000 single-put transactions, and one transaction of 1,000,000
#    inserts.  Each case is decoded by our plugin with the default
#    (DynamoDB) envelope, by our plugin with envelope=compact, and by
#    wal2json, interleaved in BENCH_ROUNDS rounds, two ways:
#    pg_logical_slot_peek_changes (count(*) of the rows) and pg_recvlogical
#    to a file (-F 0: no fsync; each run on a fresh copy of the slot).  The
#    ratio is wal2json's time summed over the rounds / ours (above 1: ours
#    decodes faster), with the min-max of single rounds.  Also prints the
#    bytes per change of each output (the pg_recvlogical file).
#    The same ratio in CPU time of the decoding backend (the backend running
#    peek, or pg_recvlogical's walsender): what the postmaster's waited-for
#    children (/proc/PID/stat cutime + cstime) gained over the run, read
#    once the backend has exited and been reaped.  Wall-clock time on a
#    shared machine moves with the load of others; CPU time much less.
#    The same for every side: the case's WAL is loaded, checkpointed and
#    decoded once untimed before the rounds (so no side decodes while the
#    checkpointer writes the load out, or reads WAL the others find in the
#    page cache), and the order of the sides turns each round (so none is
#    always the first after a checkpoint or the others' output files).
# 2. Memory: the walsender's peak private memory (RssAnon, sampled, and
#    VmHWM) while pg_recvlogical decodes one transaction of 100,000 and one
#    of 1,000,000 changes, then 1,000,000 again with logical_decoding_work_mem
#    at 16MB: flat means the peak is bounded by logical_decoding_work_mem
#    plus a constant, whatever the size of the transaction.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
PSQL="psql -X -q -v ON_ERROR_STOP=1"
RECVLOGICAL=${PG_BINDIR:+$PG_BINDIR/}pg_recvlogical
SMALL_TXNS=${BENCH_STREAM_TXNS:-200000}
BIG_TXN=${BENCH_STREAM_BIG:-1000000}

# wal2json must be allowed as an output plugin too (the setting reloads).
$PSQL >/dev/null <<'SQL'
ALTER SYSTEM SET output_plugin_libraries = 'pgoutput', 'test_decoding', 'singletable', 'wal2json';
SELECT pg_reload_conf();
SQL
sleep 1
$PSQL >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_stream;
SELECT singletable.create_table('bench_stream');
SQL

# the options of each side, as name/value pairs
side_plugin() { case $1 in w2j) echo wal2json ;; *) echo singletable ;; esac; }
side_options() {
	case $1 in
	ours) ;;
	compact) echo envelope compact ;;
	w2j) echo format-version 2 include-transaction false ;;
	esac
}
now() { date +%s.%N; }

# CPU seconds of the postmaster's exited children so far (cutime + cstime),
# once no backend is exiting: two equal readings 0.2 s apart.
postmaster_pid=$(head -1 "$(psql -X -At -c 'SHOW data_directory')/postmaster.pid")
children_cpu() {
	local a b=
	a=$(awk '{ print $16 + $17 }' "/proc/$postmaster_pid/stat")
	while [ "$a" != "$b" ]; do
		sleep 0.2
		b=$a
		a=$(awk '{ print $16 + $17 }' "/proc/$postmaster_pid/stat")
	done
	awk -v t="$a" -v hz="$(getconf CLK_TCK)" 'BEGIN { print t / hz }'
}

# peek SIDE SLOT END CHANGES -> seconds
peek() {
	local opts="" t0 t1 n
	set -- "$1" "$2" "$3" "$4" $(side_options "$1")
	local side=$1 slot=$2 end=$3 changes=$4
	shift 4
	while [ $# -gt 0 ]; do opts="$opts, '$1', '$2'"; shift 2; done
	c0=$(children_cpu)
	t0=$(now)
	n=$(psql -X -At -c "SELECT count(*) FROM pg_logical_slot_peek_changes('$slot', '$end', NULL$opts)")
	t1=$(now)
	c1=$(children_cpu)
	[ "$n" -eq "$changes" ] || { echo "50_stream: $side returned $n rows, not $changes" >&2; exit 1; }
	awk -v a="$t1" -v b="$t0" -v c="$c1" -v d="$c0" 'BEGIN { print a - b, c - d }'
}

# recv SIDE SLOT END CHANGES -> seconds and CPU seconds; the output stays
# in $work/recv.SIDE
recv() {
	local side=$1 slot=$2 end=$3 changes=$4 copy=bench_copy opts=() t0 t1 n
	set -- $(side_options "$side")
	while [ $# -gt 0 ]; do opts+=(-o "$1=$2"); shift 2; done
	$PSQL -c "SELECT 'c' FROM pg_copy_logical_replication_slot('$slot', '$copy')" >/dev/null
	rm -f "$work/recv.$side"		# pg_recvlogical appends
	c0=$(children_cpu)
	t0=$(now)
	# the same settings for every side: no fsync, the default status interval
	"$RECVLOGICAL" -d "$PGDATABASE" -S "$copy" --start --endpos="$end" -F 0 -s 10 --no-loop \
		-f "$work/recv.$side" "${opts[@]}"
	t1=$(now)
	c1=$(children_cpu)
	$PSQL -c "SELECT pg_drop_replication_slot('$copy')" >/dev/null
	n=$(wc -l <"$work/recv.$side")
	[ "$n" -eq "$changes" ] || { echo "50_stream: pg_recvlogical $side wrote $n lines, not $changes" >&2; exit 1; }
	awk -v a="$t1" -v b="$t0" -v c="$c1" -v d="$c0" 'BEGIN { print a - b, c - d }'
}

# decode_case NAME TARGET CHANGES: the slots bench_ours and bench_w2j hold
# the case's WAL, up to $end
decode_case() {
	local name=$1 target=$2 changes=$3 how side slot order
	local sides=(ours w2j compact)
	# untimed: WAL into the page cache, the load's checkpoint done
	$PSQL -c CHECKPOINT
	peek w2j bench_w2j "$end" "$changes" >/dev/null
	for how in peek recv; do
		declare -A sum=([ours]=0 [compact]=0 [w2j]=0) cpu=([ours]=0 [compact]=0 [w2j]=0)
		local r_ours="" r_compact="" c_ours="" c_compact=""
		for round in $(seq 1 "$ROUNDS"); do
			declare -A t=() c=()
			# round r starts with side r: ours, wal2json, compact, ours...
			order=("${sides[@]:$(((round - 1) % 3))}" "${sides[@]:0:$(((round - 1) % 3))}")
			for side in "${order[@]}"; do
				slot=$([ $side = w2j ] && echo bench_w2j || echo bench_ours)
				read -r "t[$side]" "c[$side]" < <($how $side $slot "$end" "$changes")
				sum[$side]=$(awk -v a="${sum[$side]}" -v b="${t[$side]}" 'BEGIN { print a + b }')
				cpu[$side]=$(awk -v a="${cpu[$side]}" -v b="${c[$side]}" 'BEGIN { print a + b }')
			done
			r_ours="$r_ours $(awk -v w="${t[w2j]}" -v o="${t[ours]}" 'BEGIN { print w / o }')"
			r_compact="$r_compact $(awk -v w="${t[w2j]}" -v o="${t[compact]}" 'BEGIN { print w / o }')"
			c_ours="$c_ours $(awk -v w="${c[w2j]}" -v o="${c[ours]}" 'BEGIN { print (o > 0 ? w / o : 0) }')"
			c_compact="$c_compact $(awk -v w="${c[w2j]}" -v o="${c[compact]}" 'BEGIN { print (o > 0 ? w / o : 0) }')"
		done
		printf '%-48s ours %.2f s   compact %.2f s   wal2json %.2f s (sums)\n' "$name, $how" \
			"${sum[ours]}" "${sum[compact]}" "${sum[w2j]}"
		printf '%-48s ours %.2f s   compact %.2f s   wal2json %.2f s (CPU sums)\n' "$name, $how" \
			"${cpu[ours]}" "${cpu[compact]}" "${cpu[w2j]}"
		report "$name, $how: ours / wal2json" "$target" "${sum[w2j]}" "${sum[ours]}" "$r_ours"
		report "$name, $how: compact / wal2json" "$target" "${sum[w2j]}" "${sum[compact]}" "$r_compact"
		report "$name, $how, backend CPU: ours / wal2json" "$target" "${cpu[w2j]}" "${cpu[ours]}" "$c_ours"
		report "$name, $how, backend CPU: compact / wal2json" "$target" "${cpu[w2j]}" "${cpu[compact]}" "$c_compact"
	done
	for side in ours compact w2j; do
		printf '%-48s %s %.0f bytes per change\n' "$name, output" "$side" \
			"$(awk -v b="$(stat -c %s "$work/recv.$side")" -v n="$changes" 'BEGIN { print b / n }')"
	done
	rm -f "$work"/recv.*
}

new_slots() {
	$PSQL >/dev/null <<SQL
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name IN ('bench_ours', 'bench_w2j');
SELECT 'ours' FROM pg_create_logical_replication_slot('bench_ours', 'singletable');
SELECT 'w2j' FROM pg_create_logical_replication_slot('bench_w2j', 'wal2json');
SQL
}

# Case 1: single-put transactions.  synchronous_commit on for the last
# commit: the SQL decoding functions read only flushed WAL.
new_slots
$PSQL >/dev/null <<SQL
DO \$\$
BEGIN
	FOR i IN 1..$SMALL_TXNS LOOP
		INSERT INTO bench_stream(item)
		VALUES (jsonb_build_object('PK', 'USER#' || (i / 10), 'SK', 'ORDER#' || lpad(i::text, 8, '0'),
		                           'status', 'PENDING', 'total', i * 3 % 1000,
		                           'items', jsonb_build_array('sku-' || i, 'sku-' || (i % 97)),
		                           'createdAt', '2024-01-01T00:00:00Z'));
		COMMIT;
	END LOOP;
END
\$\$;
SET synchronous_commit = on;
CREATE TABLE bench_stream_flush ();
DROP TABLE bench_stream_flush;
SQL
end=$(psql -X -At -c "SELECT pg_current_wal_lsn()")
decode_case "decode $SMALL_TXNS single-put txns" ">= 1.25" "$SMALL_TXNS"

# Case 2: one transaction of BIG_TXN inserts (spills to disk beyond
# logical_decoding_work_mem).
# big_insert N: one transaction of N inserts
big_insert() {
	$PSQL >/dev/null <<SQL
SET synchronous_commit = on;
INSERT INTO bench_stream(item)
SELECT jsonb_build_object('PK', 'BIG#' || (i / 100), 'SK', 'ITEM#' || lpad(i::text, 8, '0'),
                          'status', 'PENDING', 'total', i % 1000)
FROM generate_series(1, $1) i;
SQL
}
new_slots
big_insert "$BIG_TXN"
end=$(psql -X -At -c "SELECT pg_current_wal_lsn()")
decode_case "decode one txn of $BIG_TXN inserts" ">= 1.0" "$BIG_TXN"
$PSQL -c "SELECT pg_drop_replication_slot('bench_ours'), pg_drop_replication_slot('bench_w2j')" >/dev/null

# Memory: decode one big transaction through pg_recvlogical, sampling the
# walsender's /proc status.
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$2/status" 2>/dev/null || true; }
peak_memory() {
	local changes=$1 slot=bench_mem_$1 end pid rss hwm peak=0 lastpeak=0
	$PSQL -c "SELECT 'm' FROM pg_create_logical_replication_slot('$slot', 'singletable')" >/dev/null
	$PSQL -c "TRUNCATE bench_stream" >/dev/null
	big_insert "$changes"
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
