#!/usr/bin/env bash
# Scale: the latency of a 20-item query page and of get_item on a table of
# BENCH_SCALE_ITEMS items (default 1,000,000; set 10000000 for the 10M
# figure, which takes minutes to load) against the same calls on a table of
# 10,000 items of the same shape (20 items per partition, random keys).
# The ratio is latency at the large size / latency at 10k (the small
# table's transactions over the large one's, in interleaved pgbench rounds,
# lib.sh): 1.0 means no slower.  Called by test/bench/run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
BIG=${BENCH_SCALE_ITEMS:-1000000}
SMALL=10000

psql -q -X -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_scale_small, bench_scale_big;
SELECT singletable.create_table('bench_scale_small');
SELECT singletable.create_table('bench_scale_big');
INSERT INTO bench_scale_big(item)
SELECT jsonb_build_object('PK', 'P#' || (i / 20), 'SK', 'S#' || lpad((i % 20)::text, 2, '0'),
                          'status', 'PENDING', 'total', i % 1000, 'createdAt', '2024-01-01T00:00:00Z')
  FROM generate_series(0, $BIG - 1) i;
INSERT INTO bench_scale_small(item)
SELECT jsonb_build_object('PK', 'P#' || (i / 20), 'SK', 'S#' || lpad((i % 20)::text, 2, '0'),
                          'status', 'PENDING', 'total', i % 1000, 'createdAt', '2024-01-01T00:00:00Z')
  FROM generate_series(0, $SMALL - 1) i;
VACUUM ANALYZE bench_scale_small, bench_scale_big;
SQL

for size in small big; do
	n=$([ $size = small ] && echo $SMALL || echo "$BIG")
	cat >"$work/scale_get_$size.sql" <<SQL
\set p random(0, $n / 20 - 1)
\set s random(0, 19)
SELECT singletable.get_item('bench_scale_$size', jsonb_build_object('PK', 'P#' || :p::int, 'SK', 'S#' || lpad(:s::text, 2, '0')));
SQL
	# pgbench takes every ":name" for a variable: placeholders' colons are \x3a.
	cat >"$work/scale_query_$size.sql" <<SQL
\set p random(0, $n / 20 - 1)
SELECT singletable.query('bench_scale_$size', E'PK = \\x3ap', "values" => jsonb_build_object(E'\\x3ap', 'P#' || :p::int), "limit" => 20);
SQL
	check_script -f "$work/scale_get_$size.sql"
	check_script -f "$work/scale_query_$size.sql"
done

export LABEL_OURS="10k items" LABEL_ANCHOR="$BIG items"
compare "query page latency, $BIG items / 10k" "<= 1.5" "$work/scale_query_small.sql" "$work/scale_query_big.sql"
compare "get_item latency, $BIG items / 10k" "<= 2" "$work/scale_get_small.sql" "$work/scale_get_big.sql"
psql -q -X -c "DROP TABLE bench_scale_small, bench_scale_big" >/dev/null
