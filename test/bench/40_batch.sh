#!/usr/bin/env bash
# Batch benchmark: one batch call against the same work done one item at a
# time, and execute() (the DynamoDB wire shape) against the plain call.
# Called by test/bench/run (PGHOST/PGPORT/PGUSER/PGDATABASE, BENCH_TIME,
# PG_BINDIR, BENCH_WORK set).  Method in lib.sh (pgbench -M prepared, 2
# clients, interleaved rounds).  A pgbench transaction is the same work on
# both sides:
#   batch_write: 1 batch_write of 25 puts   vs  BEGIN; 25 put_item; COMMIT
#   batch_get:   1 batch_get of 100 keys    vs  BEGIN; 100 get_item; COMMIT
#   execute:     execute('GetItem', ...)    vs  get_item, same key
#   noraise_get, noraise_put: execute('GetItem' or 'PutItem', ...,
#                raise_errors => false)     vs  the same execute() raising
#                (the cost of the subtransaction that rolls a failed
#                request back)
# Targets: ratio >= 3 for the batches, >= 0.8 for execute, >= 0.9 for
# raise_errors => false.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
PARTS=1000			# partitions of 100 items

psql -q -X -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_batch;
SELECT singletable.create_table('bench_batch');
INSERT INTO bench_batch(item)
SELECT jsonb_build_object('PK', 'P#' || p, 'SK', 'I#' || lpad(i::text, 3, '0'),
                          'status', 'PENDING', 'total', i * 7, 'tags', jsonb_build_array('a', 'b'))
  FROM generate_series(1, $PARTS) p, generate_series(1, 100) i;
VACUUM ANALYZE bench_batch;
SQL

# Each client writes its own partition (pgbench's :client_id) so the two
# clients do not wait on each other's row locks.  The request text is a
# literal with a marker that one replace() turns into the client's or the
# random partition's key, on both sides alike, so building the request
# costs the same per statement and little.
item() { # $1 = sort key number
	printf '{"PK": "W#@", "SK": "I#%03d", "status": "SHIPPED", "total": %d, "tags": ["x", "y"]}' "$1" "$1"
}
{
	printf "SELECT singletable.batch_write(replace('{\"bench_batch\": ["
	for i in $(seq 1 25); do
		[ "$i" -gt 1 ] && printf ', '
		printf '{"PutRequest": {"Item": %s}}' "$(item "$i")"
	done
	printf "]}', '@', :client_id::text)::jsonb);\n"
} >"$work/batch_write_ours.sql"
{
	echo 'BEGIN;'
	for i in $(seq 1 25); do
		printf "SELECT singletable.put_item('bench_batch', replace('%s', '@', :client_id::text)::jsonb);\n" "$(item "$i")"
	done
	echo 'COMMIT;'
} >"$work/batch_write_each.sql"

{
	echo '\set p random(1, '"$PARTS"')'
	printf "SELECT singletable.batch_get(replace('{\"bench_batch\": {\"Keys\": ["
	for i in $(seq 1 100); do
		[ "$i" -gt 1 ] && printf ', '
		printf '{"PK": "P#@", "SK": "I#%03d"}' "$i"
	done
	printf "]}}', '@', :p::text)::jsonb);\n"
} >"$work/batch_get_ours.sql"
{
	echo '\set p random(1, '"$PARTS"')'
	echo 'BEGIN;'
	for i in $(seq 1 100); do
		printf "SELECT singletable.get_item('bench_batch', replace('{\"PK\": \"P#@\", \"SK\": \"I#%03d\"}', '@', :p::text)::jsonb);\n" "$i"
	done
	echo 'COMMIT;'
} >"$work/batch_get_each.sql"

cat >"$work/execute_ours.sql" <<SQL
\set p random(1, $PARTS)
\set i random(1, 100)
SELECT singletable.execute('GetItem', ('{"TableName": "bench_batch", "Key": {"PK": {"S": "P#' || :p || '"}, "SK": {"S": "I#' || lpad(:i::text, 3, '0') || '"}}}')::jsonb);
SQL
cat >"$work/execute_each.sql" <<SQL
\set p random(1, $PARTS)
\set i random(1, 100)
SELECT singletable.get_item('bench_batch', ('{"PK": "P#' || :p || '", "SK": "I#' || lpad(:i::text, 3, '0') || '"}')::jsonb);
SQL

# raise_errors => false against the raising call, the request the same:
# each client puts into its own partition.
cp "$work/execute_ours.sql" "$work/noraise_get_each.sql"
cat >"$work/noraise_put_each.sql" <<SQL
\set i random(1, 100)
SELECT singletable.execute('PutItem', ('{"TableName": "bench_batch", "Item": {"PK": {"S": "E#' || :client_id || '"}, "SK": {"S": "I#' || :i || '"}, "status": {"S": "SHIPPED"}, "total": {"N": "' || :i || '"}}}')::jsonb);
SQL
for op in get put; do
	sed 's/::jsonb);$/::jsonb, raise_errors => false);/' "$work/noraise_${op}_each.sql" >"$work/noraise_${op}_ours.sql"
	grep -q raise_errors "$work/noraise_${op}_ours.sql" || { echo "noraise_${op}_ours.sql lacks raise_errors"; exit 1; }
done

# Check every script once before timing it.
for f in "$work"/batch_*_ours.sql "$work"/batch_*_each.sql "$work"/execute_*.sql "$work"/noraise_*.sql; do
	check_script -f "$f"
done

export LABEL_ANCHOR="one at a time"
for c in "batch_write 25 vs 25 put_item, one transaction;batch_write;>= 3" \
	"batch_get 100 vs 100 get_item;batch_get;>= 3" \
	"execute('GetItem') vs get_item;execute;>= 0.8" \
	"execute(raise_errors => false) vs raising, get;noraise_get;>= 0.9" \
	"execute(raise_errors => false) vs raising, put;noraise_put;>= 0.9"; do
	IFS=';' read -r name f target <<<"$c"
	compare "$name" "$target" "$work/${f}_ours.sql" "$work/${f}_each.sql"
done
