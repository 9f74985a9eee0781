# Sourced by the test/bench/NN_*.sh scripts: the one way every benchmark
# measures and prints a ratio.
#
#   compare NAME TARGET OURS ANCHOR [CLIENTS] [PGBENCH_ARGS...]
#       ROUNDS interleaved rounds (ours, anchor, ours, anchor...) of one
#       pgbench -M prepared run each (BENCH_TIME seconds, CLIENTS clients,
#       default 2) of the scripts OURS and ANCHOR.  Prints the ratio of the
#       transactions summed over the rounds (ours / anchor: above 1, ours is
#       faster) and the lowest and highest ratio of a single round.
#       LABEL_OURS and LABEL_ANCHOR name the two sides in the tps line;
#       RUN_SIDE names a function to run a side instead of pgbench_tx (same
#       arguments, prints the transactions).  With CPU_LINE=1 a second line
#       follows, "NAME, CPU per transaction": the machine's busy CPU time
#       (/proc/stat: user, nice, system, irq, softirq; every process, pgbench
#       included) per transaction, anchor's over ours (above 1, ours costs
#       the machine less), summed over the rounds the same way.  It is far
#       less moved than throughput by the scheduling of a small VM, and it
#       is what throughput follows when the machine is CPU-bound.
#   report NAME TARGET OURS_SUM ANCHOR_SUM "R1 R2 ..." [UNIT_OURS UNIT_ANCHOR]
#       prints one such line from sums and per-round ratios measured some
#       other way (decoding times, latencies).
# Every line also goes to $BENCH_WORK/summary (tab-separated), which
# test/bench/run prints as a table at the end.
PGBENCH=${PG_BINDIR:+$PG_BINDIR/}pgbench
T=${BENCH_TIME:-10}
ROUNDS=${BENCH_ROUNDS:-3}
work=${BENCH_WORK:-$(mktemp -d)}

# transactions of one pgbench run: pgbench_tx SCRIPT CLIENTS [ARGS...]
pgbench_tx() {
	local script=$1 clients=$2
	shift 2
	"$PGBENCH" -n -M prepared -c "$clients" -j "$clients" -T "$T" "$@" -f "$script" 2>&1 |
		awk '/number of transactions actually processed/ { split($0, a, ": "); split(a[2], b, "/"); n = b[1] }
		     /(ERROR|aborted)/ { print "pgbench: " $0 > "/dev/stderr" }
		     END { print n + 0 }'
}

report() {
	local name=$1 target=$2 ours=$3 anchor=$4 rounds=$5 unit_o=${6:-tps} unit_a=${7:-tps}
	awk -v name="$name" -v target="$target" -v o="$ours" -v a="$anchor" -v rounds="$rounds" \
		-v n="$ROUNDS" -v summary="$work/summary" 'BEGIN {
		k = split(rounds, r, " "); lo = r[1]; hi = r[1]
		for (i = 2; i <= k; i++) { if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i] }
		ratio = (a > 0 ? o / a : 0)
		printf "%-48s ratio %5.2f (rounds %.2f-%.2f, %d)   target %s\n", name, ratio, lo, hi, k, target
		printf "%s\t%.2f\t%.2f-%.2f\t%s\n", name, ratio, lo, hi, target >> summary
	}'
}

compare() {
	local name=$1 target=$2 ours=$3 anchor=$4 clients=${5:-2}
	shift 4
	[ $# -gt 0 ] && shift
	local o_sum=0 a_sum=0 o a rounds="" round
	# A checkpoint, then each side once untimed: the first touches of a
	# freshly loaded table (hint bits, the visibility map, cold buffers, the
	# full-page images of the first write of each page after a checkpoint)
	# are not a round's, and no timed checkpoint (every 5 minutes) falls in
	# a comparison shorter than that.
	psql -X -q -c CHECKPOINT >/dev/null
	T=${BENCH_WARMUP:-$T} ${RUN_SIDE:-pgbench_tx} "$ours" "$clients" "$@" >/dev/null
	T=${BENCH_WARMUP:-$T} ${RUN_SIDE:-pgbench_tx} "$anchor" "$clients" "$@" >/dev/null
	local t0 t1 t2 o_ticks a_ticks o_cpu=0 a_cpu=0 cpu_rounds=""
	for round in $(seq 1 "$ROUNDS"); do
		t0=$(busy_ticks)
		o=$(${RUN_SIDE:-pgbench_tx} "$ours" "$clients" "$@")
		t1=$(busy_ticks)
		a=$(${RUN_SIDE:-pgbench_tx} "$anchor" "$clients" "$@")
		t2=$(busy_ticks)
		o_sum=$((o_sum + o)); a_sum=$((a_sum + a))
		rounds="$rounds $(awk -v o="$o" -v a="$a" 'BEGIN { printf "%.4f", (a > 0 ? o / a : 0) }')"
		o_ticks=$((t1 - t0)); a_ticks=$((t2 - t1))
		o_cpu=$((o_cpu + o_ticks)); a_cpu=$((a_cpu + a_ticks))
		cpu_rounds="$cpu_rounds $(awk -v o="$o" -v a="$a" -v ot="$o_ticks" -v at="$a_ticks" \
			'BEGIN { printf "%.4f", (o > 0 && a > 0 && ot > 0 ? (at / a) / (ot / o) : 0) }')"
	done
	printf '%-48s %s %8.0f tps   %s %8.0f tps\n' "$name" "${LABEL_OURS:-ours}" \
		"$(awk -v s="$o_sum" -v t="$T" -v n="$ROUNDS" 'BEGIN { print s / (t * n) }')" \
		"${LABEL_ANCHOR:-anchor}" "$(awk -v s="$a_sum" -v t="$T" -v n="$ROUNDS" 'BEGIN { print s / (t * n) }')"
	report "$name" "$target" "$o_sum" "$a_sum" "$rounds"
	if [ -n "${CPU_LINE:-}" ]; then
		local hz
		hz=$(getconf CLK_TCK)
		printf '%-48s %s %8.1f us   %s %8.1f us   (busy CPU per transaction)\n' "$name" "${LABEL_OURS:-ours}" \
			"$(awk -v c="$o_cpu" -v n="$o_sum" -v hz="$hz" 'BEGIN { print (n > 0 ? c * 1e6 / hz / n : 0) }')" \
			"${LABEL_ANCHOR:-anchor}" "$(awk -v c="$a_cpu" -v n="$a_sum" -v hz="$hz" 'BEGIN { print (n > 0 ? c * 1e6 / hz / n : 0) }')"
		# the same ratio as tps: transactions per busy tick, ours over the anchor's
		report "$name, CPU per transaction" "" \
			"$(awk -v n="$o_sum" -v c="$o_cpu" 'BEGIN { print (c > 0 ? n / c : 0) }')" \
			"$(awk -v n="$a_sum" -v c="$a_cpu" 'BEGIN { print (c > 0 ? n / c : 0) }')" "$cpu_rounds"
	fi
}

# Busy CPU time of the whole machine so far, in clock ticks (/proc/stat).
busy_ticks() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat
}

# Check that a pgbench script runs, before timing it.
check_script() {
	"$PGBENCH" -n -M prepared -t 1 "$@" >/dev/null 2>"$work/check.err" ||
		{ echo "bench script ${*: -1} failed:" >&2; cat "$work/check.err" >&2; exit 1; }
}
