#!/usr/bin/env bash
# Items: our item and query calls against the best SQL a Postgres user would
# write for the same access on a plain table of their own,
#   CREATE TABLE bench_plain (pk text COLLATE "C", sk text COLLATE "C",
#                             item jsonb, PRIMARY KEY (pk, sk))
# (prepared upsert, SELECT item, a key-prefix page).  A second line runs the
# same SQL on a create_table table (its generated key columns and CHECK
# constraint cost the hand-written SQL there, not us).  Called by
# test/bench/run; method in lib.sh (pgbench -M prepared, 2 clients, rounds
# interleaved, ratio = ours / SQL).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
USERS=2500			# partitions
ORDERS=40			# items per partition: 100,000 items

psql -q -X -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_items, bench_plain;
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
CREATE TABLE bench_plain (pk text COLLATE "C", sk text COLLATE "C", item jsonb, PRIMARY KEY (pk, sk));
INSERT INTO bench_plain SELECT pk, sk, item FROM bench_items;
VACUUM ANALYZE bench_items, bench_plain;
SQL

key="'USER#' || :u::int, 'SK', 'ORDER#' || lpad(:o::text, 4, '0')"
pk="'USER#' || :u::int"
sk="'ORDER#' || lpad(:o::text, 4, '0')"
vars="\\set u random(1, $USERS)
\\set o random(1, $ORDERS)
\\set n random(1, 1000000)"
printf '%s\n%s\n' "$vars" "SELECT singletable.get_item('bench_items', jsonb_build_object('PK', $key));" >"$work/get_ours.sql"
for t in plain items; do
	printf '%s\n%s\n' "$vars" "SELECT item FROM bench_$t WHERE pk = $pk AND sk = $sk;" >"$work/get_$t.sql"
done
printf '%s\n%s\n' "$vars" "SELECT singletable.put_item('bench_items', jsonb_build_object('PK', $key, 'status', 'PENDING', 'total', :n::int));" >"$work/put_ours.sql"
printf '%s\n%s\n' "$vars" "INSERT INTO bench_plain VALUES ($pk, $sk, jsonb_build_object('PK', $key, 'status', 'PENDING', 'total', :n::int)) ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;" >"$work/put_plain.sql"
printf '%s\n%s\n' "$vars" "INSERT INTO bench_items(item) VALUES (jsonb_build_object('PK', $key, 'status', 'PENDING', 'total', :n::int)) ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;" >"$work/put_items.sql"
# pgbench takes every ":name" for a variable, even in a literal: the
# placeholders' colons are written \x3a.
printf '%s\n%s\n' "$vars" "SELECT singletable.query('bench_items', E'PK = \\x3ap AND begins_with(SK, \\x3as)', \"values\" => jsonb_build_object(E'\\x3ap', $pk, E'\\x3as', 'ORDER#'), \"limit\" => 20);" >"$work/query_ours.sql"
for t in plain items; do
	printf '%s\n%s\n' "$vars" "SELECT item FROM bench_$t WHERE pk = $pk AND sk ^@ 'ORDER#' ORDER BY sk LIMIT 20;" >"$work/query_$t.sql"
done
for f in "$work"/{get,put,query}_{ours,plain,items}.sql; do check_script -f "$f"; done

CPU_LINE=1 compare "put_item vs upsert, plain table" ">= 1.05" "$work/put_ours.sql" "$work/put_plain.sql"
compare "put_item vs upsert, create_table table" "" "$work/put_ours.sql" "$work/put_items.sql"
# The puts above wrote bench_items three times as long as bench_plain (ours
# in both comparisons, and the second's anchor): the reads find both
# vacuumed, as autovacuum would leave them, not one with three times the
# dead versions to step over.
psql -q -X -v ON_ERROR_STOP=1 -c 'VACUUM bench_items, bench_plain' >/dev/null
CPU_LINE=1 compare "get_item vs SELECT item, plain table" ">= 1.0" "$work/get_ours.sql" "$work/get_plain.sql"
compare "query page (20) vs SELECT ... LIMIT 20, plain" ">= 0.9" "$work/query_ours.sql" "$work/query_plain.sql"
