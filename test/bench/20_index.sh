#!/usr/bin/env bash
# Global secondary indexes against the hand-written equivalent: a table with
# two indexes (GSI1, GSI2, projection ALL) written with put_item and read
# with query(..., index => 'GSI1'), against a plain table of the user's own
# (pk text COLLATE "C", sk text COLLATE "C", item jsonb, PRIMARY KEY (pk, sk))
# with two partial expression indexes
#   CREATE INDEX ... ((item->>'GSI1PK'), (item->>'GSI1SK')) WHERE item ? 'GSI1PK'
# written with INSERT ... ON CONFLICT and read with SELECT ... ORDER BY ...
# LIMIT 20.  A second put line uses a create_table table with the same
# expression indexes as the anchor.  Called by test/bench/run; method in
# lib.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ORGS=5000			# GSI1 partitions
PER_ORG=20			# items per GSI1 partition: 100,000 items
USERS=$((ORGS * PER_ORG))

psql -q -X -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_gsi, bench_expr, bench_gsi_plain;
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
CREATE TABLE bench_gsi_plain (pk text COLLATE "C", sk text COLLATE "C", item jsonb, PRIMARY KEY (pk, sk));
INSERT INTO bench_gsi_plain SELECT pk, sk, item FROM bench_expr;
CREATE INDEX bench_gsi_plain_gsi1 ON bench_gsi_plain ((item->>'GSI1PK'), (item->>'GSI1SK')) WHERE item ? 'GSI1PK';
CREATE INDEX bench_gsi_plain_gsi2 ON bench_gsi_plain ((item->>'GSI2PK'), (item->>'GSI2SK')) WHERE item ? 'GSI2PK';
VACUUM ANALYZE bench_gsi, "bench_gsi__GSI1", "bench_gsi__GSI2", bench_expr, bench_gsi_plain;
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
cat >"$work/gsi_put_plain.sql" <<SQL
\set u random(1, $USERS)
\set o random(0, $ORGS - 1)
\set n random(20, 70)
INSERT INTO bench_gsi_plain VALUES ('USER#' || :u::int, 'PROFILE', $item) ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;
SQL
# pgbench takes every ":name" for a variable: placeholders' colons are \x3a.
cat >"$work/gsi_query_ours.sql" <<SQL
\set o random(0, $ORGS - 1)
SELECT singletable.query('bench_gsi', E'GSI1PK = \\x3ao', "values" => jsonb_build_object(E'\\x3ao', 'ORG#' || :o::int), index => 'GSI1', "limit" => 20);
SQL
cat >"$work/gsi_query_sql.sql" <<SQL
\set o random(0, $ORGS - 1)
SELECT item FROM bench_gsi_plain WHERE item->>'GSI1PK' = 'ORG#' || :o::int AND item ? 'GSI1PK' ORDER BY item->>'GSI1SK' LIMIT 20;
SQL
for f in "$work"/gsi_*.sql; do check_script -f "$f"; done

CPU_LINE=1 compare "put_item, 2 GSIs vs upsert, 2 expr indexes, plain" ">= 0.85" "$work/gsi_put_ours.sql" "$work/gsi_put_plain.sql"
# The query page reads the tables the puts above left, each written for
# the same time (a put that moves an item to another GSI key leaves a dead
# row in the index table, as the anchor's UPDATE leaves a dead version in
# its table), and vacuumed alike, as autovacuum would at some point; the
# second put comparison below writes bench_gsi again, so it comes after.
psql -q -X -v ON_ERROR_STOP=1 -c 'VACUUM bench_gsi, "bench_gsi__GSI1", "bench_gsi__GSI2", bench_gsi_plain' >/dev/null
compare "GSI query page (20) vs expr index, plain" ">= 0.9" "$work/gsi_query_ours.sql" "$work/gsi_query_sql.sql"
compare "the same put, create_table table as the anchor" "" "$work/gsi_put_ours.sql" "$work/gsi_put_sql.sql"
