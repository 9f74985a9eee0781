# Scale-out on Citus: an offline create_index on a distributed table while
# writers through the coordinator are writing.  create_index holds SHARE
# ROW EXCLUSIVE on the coordinator's table from before it reads the items
# until it commits, and every routed write holds ROW EXCLUSIVE on it until
# its transaction ends, so the two wait for each other.  A writer whose
# transaction began (and wrote) before the index existed is waited for, and
# its items are then read by the build; a writer that waited for the build
# must find the new index once it gets the lock, or its item would have no
# entry.  After each race the index must equal one built afterwards.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SingletableTest;
use CitusTest;

my ($c, @workers) = start_citus_cluster();
$c->safe_psql('postgres', q{
	SET singletable.create_distributed = on;
	SELECT singletable.create_table('app');
	SELECT singletable.put_item('app', jsonb_build_object('PK', 'p' || i, 'SK', '1', 'G', 'old'))
	  FROM generate_series(1, 5) i;
	SELECT singletable.update_time_to_live('app', 'exp');
	SELECT singletable.put_item('app', jsonb_build_object('PK', 'x' || i, 'SK', '1', 'G', 'expired', 'exp', extract(epoch FROM now())::int - 100))
	  FROM generate_series(1, 3) i;
});

# Does index $ix hold exactly the entries an index built now would?  (the
# counts of entries only one of them has; the number of entries)
sub index_vs_rebuilt
{
	my ($ix, $key) = @_;
	$key //= 'G';
	$c->safe_psql('postgres', qq{SELECT singletable.create_index('app', 'Check', '$key')});
	my $r = $c->safe_psql('postgres', qq{
		SELECT (SELECT count(*) FROM (TABLE "app__$ix" EXCEPT ALL TABLE "app__Check") o)
		    || ' ' || (SELECT count(*) FROM (TABLE "app__Check" EXCEPT ALL TABLE "app__$ix") o)
		    || ' ' || (SELECT count(*) FROM "app__$ix")});
	$c->safe_psql('postgres', qq{SELECT singletable.drop_index('app', 'Check'), singletable.drop_index('app', '$ix')});
	return $r;
}

# 1. A writer whose transaction wrote before create_index, and writes again
# while create_index waits for it.
my $writer = $c->background_psql('postgres');
$writer->query_safe(q{BEGIN; SELECT singletable.put_item('app', '{"PK": "w1", "SK": "1", "G": "a"}')});
my ($o, $e) = ('', '');
my $ddl = IPC::Run::start([ 'psql', '-X', '-q', '-d', $c->connstr('postgres'), '-c',
	q{SELECT singletable.create_index('app', 'ByG1', 'G')} ], '>', \$o, '2>', \$e);
ok($c->poll_query_until('postgres', q{
	SELECT EXISTS (SELECT FROM pg_stat_activity WHERE wait_event_type = 'Lock'
	               AND query LIKE '%create_index%' AND pid <> pg_backend_pid())}),
	'create_index waits for the writer');
$writer->query_safe(q{SELECT singletable.put_item('app', '{"PK": "w2", "SK": "1", "G": "b"}')});
$writer->query_safe(q{SELECT singletable.put_item('app', '{"PK": "p1", "SK": "1", "G": "c"}')});
$writer->query_safe(q{SELECT singletable.delete_item('app', '{"PK": "p2", "SK": "1"}')});
$writer->query_safe('COMMIT');
$ddl->finish;
is($e, '', 'create_index then succeeds');
like(index_vs_rebuilt('ByG1'), qr/^0 0 9$/, 'the index has every item the writer wrote, and no other');

# 2. A writer that looked the table up before create_index committed and
# waited for its lock: it must write the entries of the new index.
my $holder = $c->background_psql('postgres');
for my $case (
	[ 'a put of a new item', q{SELECT singletable.put_item('app', '{"PK": "w3", "SK": "1", "G": "d"}')} ],
	[ 'a put over an indexed item', q{SELECT singletable.put_item('app', '{"PK": "p3", "SK": "1", "G": "e"}')} ],
	[ 'an update_item', q{SELECT singletable.update_item('app', '{"PK": "p4", "SK": "1"}', 'SET G = :g',
		"values" => '{":g": "f"}')} ],
	[ 'a delete_item', q{SELECT singletable.delete_item('app', '{"PK": "p5", "SK": "1"}')} ],
	[ 'a batch_write', q{SELECT singletable.batch_write('{"app": [
		{"PutRequest": {"Item": {"PK": "w4", "SK": "1", "G": "g"}}},
		{"PutRequest": {"Item": {"PK": "w4", "SK": "2", "G": "g"}}}]}')} ],
	[ 'an append_events', q{SELECT singletable.append_events('app', 'w5',
		'[{"eventType": "Created", "eventData": {}}]')}, 'eventType' ],
	# expire_items looks the table up without a lock (it needs none to read
	# the expired items), so it too must read it again once it has the lock
	# its deletes take: else the new index keeps the expired items' entries
	[ 'an expire_items', q{SELECT singletable.expire_items('app')} ])
{
	my ($name, $sql, $key) = @$case;
	$key //= 'G';
	$holder->query_safe(qq{BEGIN; SELECT singletable.create_index('app', 'ByG2', '$key')});
	($o, $e) = ('', '');
	my $w = IPC::Run::start([ 'psql', '-X', '-q', '-d', $c->connstr('postgres'), '-c', $sql ],
		'>', \$o, '2>', \$e);
	ok($c->poll_query_until('postgres', q{
		SELECT EXISTS (SELECT FROM pg_stat_activity WHERE wait_event_type = 'Lock'
		               AND query LIKE '%singletable.%' AND query NOT LIKE '%create_index%'
		               AND pid <> pg_backend_pid())}), "$name waits for create_index");
	$holder->query_safe('COMMIT');
	$w->finish;
	is($e, '', "$name then succeeds");
	like(index_vs_rebuilt('ByG2', $key), qr/^0 0 [1-9]\d*$/, "$name: the index has the entry of the write");
}
is($c->safe_psql('postgres', q{SELECT count(*) FROM app WHERE pk LIKE 'x%'}), '0',
	'expire_items deleted the expired items');
$holder->quit;
$writer->quit;

done_testing();
