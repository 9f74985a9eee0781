# Indexes added online (index_online.c), with a dynamic background worker
# backfilling a table while writers write:
#  - execute('UpdateTable') returns at once, the index CREATING;
#  - writers are never blocked by the build for longer than a batch: while
#    the build is stalled on a row another session holds, writes elsewhere
#    go on at their usual latency;
#  - the index ends up equal to one built offline;
#  - a worker that dies, or a server restart, leaves the index CREATING, and
#    resume_index_builds() goes on from the last batch, not from the start;
#  - with no background worker slot free, an online create_index fails
#    (53400) and changes nothing.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('index_online');
$node->init;
# Two background worker slots: one for the logical replication launcher,
# one for a build.  No parallel query, which would take them too.
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 2
max_parallel_workers_per_gather = 0
});
$node->start;

my $items = 20000;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION singletable;
	SELECT singletable.create_table('app');
	-- every 10th item has no G (not in the index), every 97th a numeric G
	-- (an index key violation, left out)
	INSERT INTO app (item)
	SELECT jsonb_build_object('PK', 'p' || lpad((i % 200)::text, 3, '0'), 'SK', 's' || lpad(i::text, 6, '0'), 'n', i)
	       || CASE WHEN i % 10 = 0 THEN '{}'::jsonb
	               WHEN i % 97 = 0 THEN jsonb_build_object('G', i)
	               ELSE jsonb_build_object('G', 'g' || i % 17) END
	  FROM generate_series(1, $items) i;
	-- an item halfway through the key order that no writer touches
	INSERT INTO app (item) VALUES ('{"PK": "p100", "SK": "hold", "G": "held", "n": -1}');
	ANALYZE app;
});

sub index_rows_differ
{
	my ($online, $offline) = @_;
	return $node->safe_psql('postgres', qq{
		SELECT (SELECT count(*) FROM (TABLE "app__$online" EXCEPT ALL TABLE "app__$offline") o)
		    || ' ' || (SELECT count(*) FROM (TABLE "app__$offline" EXCEPT ALL TABLE "app__$online") o)
		    || ' ' || (SELECT count(*) FROM "app__$online")});
}

sub index_status
{
	my ($name) = @_;
	return $node->safe_psql('postgres', qq{
		SELECT g ->> 'IndexStatus' FROM jsonb_array_elements(singletable.describe_table('app') -> 'GlobalSecondaryIndexes') g
		 WHERE g ->> 'IndexName' = '$name'});
}

# Writers: upserts and deletes of single items, and transactions of two
# upserts, over keys that never include the held item.
my $dir = $PostgreSQL::Test::Utils::tmp_check;
my $key = q{'p' || lpad((:id % 200)::text, 3, '0'), 'SK', 's' || lpad(:id::text, 6, '0')};
my $upsert = qq{INSERT INTO app (item) VALUES (CASE WHEN :g = 20 THEN jsonb_build_object('PK', $key, 'n', :n)
	ELSE jsonb_build_object('PK', $key, 'G', 'g' || :g, 'n', :n) END) ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;};
open my $f, '>', "$dir/upsert.sql" or die;
print $f "\\set id random(1, 24000)\n\\set g random(0, 20)\n\\set n random(1, 1000000)\n$upsert\n";
close $f;
open $f, '>', "$dir/delete.sql" or die;
print $f "\\set id random(1, 24000)\nDELETE FROM app WHERE pk = 'p' || lpad((:id % 200)::text, 3, '0') AND sk = 's' || lpad(:id::text, 6, '0');\n";
close $f;
(my $upsert_b = $upsert) =~ s/:id/:b/g;
open $f, '>', "$dir/pair.sql" or die;
print $f "\\set id random(1, 12000)\n\\set b random(12001, 24000)\n\\set g random(0, 20)\n\\set n random(1, 1000000)\n"
  . "BEGIN;\n$upsert\n$upsert_b\nCOMMIT;\n";
close $f;

# A session holds the lock on the halfway item, so the build stalls there.
my $hold = $node->background_psql('postgres');
my $hold_pid = $hold->query_safe('SELECT pg_backend_pid()');
$hold->query_safe(q{BEGIN; SELECT pk FROM app WHERE pk = 'p100' AND sk = 'hold' FOR UPDATE});

my ($pgb_out, $pgb_err) = ('', '');
my $pgbench = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '3', '-T', '10', '-l', "--log-prefix=$dir/writes",
		'-f', "$dir/upsert.sql\@6", '-f', "$dir/delete.sql\@2", '-f', "$dir/pair.sql\@2",
		$node->connstr('postgres') ],
	'>', \$pgb_out, '2>', \$pgb_err);
sleep 1;

# UpdateTable answers at once, the index CREATING.
my $t0 = time;
my $created = $node->safe_psql('postgres', q{
	SET singletable.index_build_batch_size = 100;
	SELECT g ->> 'IndexStatus' || ' ' || (g ->> 'Backfilling')
	  FROM jsonb_array_elements(singletable.execute('UpdateTable', '{"TableName": "app",
		"AttributeDefinitions": [{"AttributeName": "G", "AttributeType": "S"}, {"AttributeName": "n", "AttributeType": "N"}],
		"GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "ByG",
			"KeySchema": [{"AttributeName": "G", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
			"Projection": {"ProjectionType": "ALL"}}}]}') -> 'TableDescription' -> 'GlobalSecondaryIndexes') g});
is($created, 'CREATING true', 'UpdateTable returns at once with the index CREATING and backfilling');

# The build reaches the held item and waits for it.
ok($node->poll_query_until('postgres', qq{
	SELECT EXISTS (SELECT FROM pg_stat_activity a WHERE a.backend_type = 'singletable index build'
	               AND $hold_pid = ANY (pg_blocking_pids(a.pid)))}),
	'the build waits for the row another session holds');
my $stalled = $node->safe_psql('postgres',
	q{SELECT phase || ' ' || items_done || ' ' || items_total FROM singletable.index_progress WHERE index_name = 'ByG'});
like($stalled, qr/^backfilling \d+ \d+$/, "index_progress shows the build ($stalled)");
my ($done_at_stall, $total) = $stalled =~ /(\d+) (\d+)$/;
cmp_ok($done_at_stall, '>', 0, 'items are backfilled before the held one');
cmp_ok($done_at_stall, '<', $total, 'and some after it remain');
my ($q_ret, $q_out, $q_err) =
  $node->psql('postgres', q{SELECT singletable.query('app', 'G = :g', "values" => '{":g": "g1"}', index => 'ByG')});
like($q_err, qr/ERROR:  index "ByG" of table "app" is still being created/, 'the CREATING index cannot be read');

# While the build waits, writes elsewhere go on.
my $t_stall = time;
sleep 3;
my $t_release = time;
is($node->safe_psql('postgres', q{SELECT items_done FROM singletable.index_builds WHERE index_relid = '"app__ByG"'::regclass}),
	$done_at_stall, 'the build made no progress past the held row');
$hold->query_safe('COMMIT');

ok($node->poll_query_until('postgres',
	q{SELECT status = 'ACTIVE' FROM singletable.indexes WHERE index_name = 'ByG'}), 'the index becomes ACTIVE');
my $t1 = time;
is(index_status('ByG'), 'ACTIVE', 'describe_table says ACTIVE');
$pgbench->finish;
is($?, 0, 'every write succeeded') or diag($pgb_out . $pgb_err);

# Latency of the writes that started while the build ran, and while it was
# stalled on the held row (pgbench's log: latency, then completion time).
my (@during_build, @during_stall, @all);
for my $log (glob("$dir/writes.*"))
{
	open my $l, '<', $log or die;
	while (<$l>)
	{
		my ($client, $tx, $us, $script, $epoch, $epoch_us) = split;
		my $start = $epoch + $epoch_us / 1e6 - $us / 1e6;
		push @all, $us / 1000;
		push @during_build, $us / 1000 if $start >= $t0 && $start <= $t1;
		push @during_stall, $us / 1000 if $start >= $t_stall && $start <= $t_release - 0.5;
	}
	close $l;
}
sub summary
{
	my @s = sort { $a <=> $b } @_;
	return sprintf('n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms', scalar @s, $s[ int(@s / 2) ],
		$s[ int(@s * 0.99) ], $s[-1]);
}
note(sprintf('build %.1f s; writes during the build: %s', $t1 - $t0, summary(@during_build)));
note('writes while the build was stalled 3 s: ' . summary(@during_stall));
note('all writes: ' . summary(@all));
cmp_ok(scalar @during_stall, '>', 100, 'writers went on while the build was stalled');
cmp_ok((sort { $b <=> $a } @during_stall)[0], '<', 2000,
	'no write waited for the stalled build (3 s)');

# The same index built offline, after the writers stopped.
$node->safe_psql('postgres', q{SELECT singletable.create_index('app', 'ByGoff', 'G', 'n', sort_key_type => 'N')});
like(index_rows_differ('ByG', 'ByGoff'), qr/^0 0 [1-9]\d+$/, 'online and offline builds have the same entries');

# A build whose worker is terminated, then a server restart: the index
# stays CREATING; resume_index_builds() continues after the last batch.
$hold = $node->background_psql('postgres');
$hold_pid = $hold->query_safe('SELECT pg_backend_pid()');
$hold->query_safe(q{BEGIN; SELECT pk FROM app WHERE pk = 'p100' AND sk = 'hold' FOR UPDATE});
$node->safe_psql('postgres', q{SET singletable.index_build_batch_size = 50;
	SELECT singletable.create_index('app', 'ByN', 'n', partition_key_type => 'N', projection => 'KEYS_ONLY', online => true)});
ok($node->poll_query_until('postgres', qq{
	SELECT EXISTS (SELECT FROM pg_stat_activity a WHERE a.backend_type = 'singletable index build'
	               AND $hold_pid = ANY (pg_blocking_pids(a.pid)))}), 'the second build reaches the held row');
$node->safe_psql('postgres', q{
	SELECT pg_terminate_backend(pid) FROM (SELECT pid FROM singletable.index_progress WHERE index_name = 'ByN' OFFSET 0) p});
ok($node->poll_query_until('postgres', q{SELECT phase = 'stopped' FROM singletable.index_progress WHERE index_name = 'ByN'}),
	'a terminated build shows as stopped');
$hold->query_safe('COMMIT');
$hold->quit;
my $done_before = $node->safe_psql('postgres',
	q{SELECT items_done FROM singletable.index_builds WHERE index_relid = '"app__ByN"'::regclass});
cmp_ok($done_before, '>', 0, "the terminated build had backfilled $done_before items");
$node->restart;
is(index_status('ByN'), 'CREATING', 'after a restart the index is still CREATING');
is($node->safe_psql('postgres', q{SELECT phase FROM singletable.index_progress WHERE index_name = 'ByN'}),
	'stopped', 'and its build is stopped');
is($node->safe_psql('postgres', 'SELECT singletable.resume_index_builds()'), '1', 'resume_index_builds starts it again');
ok($node->poll_query_until('postgres',
	q{SELECT status = 'ACTIVE' FROM singletable.indexes WHERE index_name = 'ByN'}), 'the resumed build completes');
is($node->safe_psql('postgres',
		q{SELECT items_done = (SELECT count(*) FROM app) FROM singletable.index_builds WHERE index_relid = '"app__ByN"'::regclass}),
	't', 'it went on from its last batch: every item was examined once');
$node->safe_psql('postgres',
	q{SELECT singletable.create_index('app', 'ByNoff', 'n', partition_key_type => 'N', projection => 'KEYS_ONLY')});
like(index_rows_differ('ByN', 'ByNoff'), qr/^0 0 [1-9]\d+$/, 'the resumed build equals an offline build');

# No worker slot free (the build of another table's index, whose creating
# transaction is still open, takes the last one): the online create_index
# fails and leaves nothing.
$node->safe_psql('postgres', q{SELECT singletable.create_table('other')});
my $first = $node->background_psql('postgres');
$first->query_safe(q{BEGIN; SELECT singletable.create_index('other', 'ByX', 'G', online => true)});
my ($ret, $out, $err) = $node->psql('postgres',
	q{SELECT singletable.create_index('app', 'ByY', 'G', online => true)});
isnt($ret, 0, 'with no worker slot free, an online create_index fails');
like($err, qr/ERROR:  could not start a background worker to build index table "app__ByY"/, 'saying so');
$first->query_safe('ROLLBACK');
$first->quit;
is($node->safe_psql('postgres', q{SELECT count(*) FROM singletable.indexes WHERE index_name IN ('ByX', 'ByY')}),
	'0', 'neither index exists');

$node->stop;
done_testing();
