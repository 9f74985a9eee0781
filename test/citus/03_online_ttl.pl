# Scale-out on Citus: an online create_index on a distributed table, with
# writers going on through the coordinator, must end with the same index
# as an offline build of the same definition afterwards; time to live on a
# distributed table expires its items and their index entries, through
# expire_items and the background worker, and the workers' change streams
# mark those deletes as the service's.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SingletableTest;
use CitusTest;

my ($c, @workers) = start_citus_cluster();

# 2000 items in 50 partitions; G is the index key, a number on some items
# (an index key violation for an S index) and absent on others.
$c->safe_psql('postgres', q{
	CREATE SCHEMA dist;
	SELECT singletable.create_table('dist.app');
	SELECT singletable.distribute_table('dist.app');
	INSERT INTO dist.app (item, pk, sk)
	SELECT i, i->>'PK', i->>'SK' FROM (
		SELECT jsonb_build_object('PK', 'u' || (n % 50), 'SK', lpad(n::text, 5, '0'), 'n', n)
			|| CASE WHEN n % 11 = 0 THEN '{}'::jsonb
			        WHEN n % 13 = 0 THEN jsonb_build_object('G', n)
			        ELSE jsonb_build_object('G', 'g' || (n % 7)) END AS i
		FROM generate_series(1, 2000) n) s;
});

# Writers through the coordinator, each write in a transaction of its own:
# puts that change or drop G, updates, deletes and new items.
sub writer
{
	my ($seed) = @_;
	return bg_psql($c, qq{
DO \$\$
DECLARE
	n int;
BEGIN
	PERFORM setseed($seed);
	FOR i IN 1..400 LOOP
		n := 1 + floor(random() * 2200)::int;
		CASE i % 4
		WHEN 0 THEN
			PERFORM singletable.put_item('dist.app', jsonb_build_object('PK', 'u' || (n % 50),
				'SK', lpad(n::text, 5, '0'), 'n', -n, 'G', 'w' || (i % 5)));
		WHEN 1 THEN
			PERFORM singletable.update_item('dist.app',
				jsonb_build_object('PK', 'u' || (n % 50), 'SK', lpad(n::text, 5, '0')),
				'SET G = :g, m = :m', "values" => jsonb_build_object(':g', 'v' || (i % 3), ':m', i));
		WHEN 2 THEN
			PERFORM singletable.delete_item('dist.app',
				jsonb_build_object('PK', 'u' || (n % 50), 'SK', lpad(n::text, 5, '0')));
		ELSE
			PERFORM singletable.update_item('dist.app',
				jsonb_build_object('PK', 'u' || (n % 50), 'SK', lpad(n::text, 5, '0')), 'REMOVE G');
		END CASE;
		COMMIT;
	END LOOP;
END
\$\$});
}

my @writers = map { writer($_ / 10) } (1 .. 3);
$c->safe_psql('postgres', q{
	SET singletable.index_build_batch_size = 25;
	SELECT singletable.create_index('dist.app', 'Online', 'G', online => true);
});
is($c->safe_psql('postgres', q{SELECT status FROM singletable.indexes WHERE index_name = 'Online'}),
	'CREATING', 'the online index is CREATING while it is built');
ok($c->poll_query_until('postgres',
	q{SELECT status = 'ACTIVE' FROM singletable.indexes WHERE index_name = 'Online'}),
	'the online build of a distributed table finishes');
my $during = 0;
$during += $_->pumpable ? 1 : 0 for @writers;
note("writers still running when the build finished: $during");
ok($_->finish, 'a writer ran without error') for @writers;
is($c->safe_psql('postgres', q{
	SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = 'dist."app__Online"'::regclass}),
	'1', 'the online index table is distributed');
# the writers deleted some items before the build reached them
cmp_ok($c->safe_psql('postgres', q{SELECT items_done FROM singletable.index_builds
	WHERE index_relid = 'dist."app__Online"'::regclass}), '>', 1500, 'the build examined the items');
is($c->safe_psql('postgres', q{SELECT count(*) FROM singletable.index_builds
	WHERE index_relid = 'dist."app__Online"'::regclass AND finished_at IS NOT NULL}), '1',
	'the build is recorded as finished');

# The row locks of a batch hold until the batch commits: on the workers,
# every FOR SHARE of the build runs inside a transaction block (the logs
# have every statement, log_statement = all).
my ($locks, $outside) = (0, 0);
for my $w (@workers)
{
	my %in_block;
	for my $line (split /\n/, slurp_file($w->logfile))
	{
		next unless $line =~ /\[(\d+)\]/;
		my $pid = $1;
		$in_block{$pid} = 1 if $line =~ /statement: BEGIN TRANSACTION/;
		$in_block{$pid} = 0 if $line =~ /statement: (PREPARE TRANSACTION|COMMIT|ROLLBACK)/;
		next unless $line =~ /SELECT item FROM dist\.app_\d+ .* FOR SHARE/;
		$locks++;
		$outside++ unless $in_block{$pid};
	}
}
cmp_ok($locks, '>', 0, 'the build locked items on the workers');
is($outside, 0, 'every lock of the build was taken in a transaction block');

# the same definition built offline, now that the writers are done
$c->safe_psql('postgres', q{SELECT singletable.create_index('dist.app', 'Offline', 'G')});
my $entries = q{SELECT count(*), coalesce(md5(string_agg(item::text || gsi_pk || pk || sk, ',' ORDER BY pk, sk)), '')
	FROM dist."app__IX"};
(my $on = $entries) =~ s/IX/Online/;
(my $off = $entries) =~ s/IX/Offline/;
my $offline = $c->safe_psql('postgres', $off);
isnt($offline, '0|', 'the offline index has entries');
is($c->safe_psql('postgres', $on), $offline, 'the online build under writers equals an offline build');

# UpdateTable's GlobalSecondaryIndexUpdates Create goes through the online build too
$c->safe_psql('postgres', q{SELECT singletable.execute('UpdateTable', '{"TableName": "dist.app",
	"AttributeDefinitions": [{"AttributeName": "n", "AttributeType": "N"}],
	"GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "ByN",
		"KeySchema": [{"AttributeName": "n", "KeyType": "HASH"}],
		"Projection": {"ProjectionType": "KEYS_ONLY"}}}]}')});
ok($c->poll_query_until('postgres',
	q{SELECT status = 'ACTIVE' FROM singletable.indexes WHERE index_name = 'ByN'}),
	'UpdateTable Create on a distributed table becomes ACTIVE');
is($c->safe_psql('postgres', q{SELECT count(*) FROM dist."app__ByN"}),
	$c->safe_psql('postgres', q{SELECT count(*) FROM dist.app WHERE item ? 'n'}),
	'every item with the key is in the UpdateTable index');

# Time to live: enabled after distribute_table, and before it
$c->safe_psql('postgres', q{
	SELECT singletable.create_table('dist.ttl');
	SELECT singletable.create_index('dist.ttl', 'ByG', 'G');
	SELECT singletable.distribute_table('dist.ttl');
	SELECT singletable.update_time_to_live('dist.ttl', 'exp');
	SELECT singletable.create_table('dist.ttl2');
	SELECT singletable.update_time_to_live('dist.ttl2', 'exp');
	SELECT singletable.distribute_table('dist.ttl2');
});
is($c->safe_psql('postgres', q{SELECT singletable.describe_time_to_live('dist.ttl')}),
	'{"AttributeName": "exp", "TimeToLiveStatus": "ENABLED"}', 'time to live is enabled on a distributed table');
is($c->safe_psql('postgres', q{
	SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = 'dist.ttl2'::regclass}),
	'1', 'a table with time to live is distributed');

# one slot per worker, before the expiry
$_->safe_psql('postgres', q{SELECT pg_create_logical_replication_slot('ttl_stream', 'singletable')})
	for @workers;

# 1500 items in 30 partitions: a third expired, a third expiring later, a
# third without the attribute; all indexed
my $fill = q{
	SELECT count(singletable.put_item('TBL', jsonb_build_object('PK', 'p' || (n % 30), 'SK', lpad(n::text, 5, '0'),
		'G', 'g' || (n % 4))
		|| CASE n % 3 WHEN 0 THEN jsonb_build_object('exp', extract(epoch FROM now())::bigint - 100 - n)
		              WHEN 1 THEN jsonb_build_object('exp', extract(epoch FROM now())::bigint + 86400)
		              ELSE '{}'::jsonb END))
	FROM generate_series(FIRST, LAST) n};
(my $fill1 = $fill) =~ s/TBL/dist.ttl/;
$fill1 =~ s/FIRST/1/;
$fill1 =~ s/LAST/1500/;
$c->safe_psql('postgres', $fill1);
$c->safe_psql('postgres', q{SET singletable.ttl_batch_size = 70;
	SELECT singletable.expire_items('dist.ttl', 30)});
is($c->safe_psql('postgres', q{SELECT count(*) FROM dist.ttl}), '1470', 'expire_items stops at max_items');
is($c->safe_psql('postgres', q{SET singletable.ttl_batch_size = 70;
	SELECT singletable.expire_items('dist.ttl')}), '470', 'expire_items deletes the rest of the expired items');
is($c->safe_psql('postgres', q{SELECT count(*) FROM dist.ttl WHERE singletable.is_expired(item, 'exp')}),
	'0', 'no expired item is left');
is($c->safe_psql('postgres', q{SELECT count(*) FROM dist.ttl}), '1000', 'the other items stay');
is($c->safe_psql('postgres', q{SELECT count(*) FROM dist."ttl__ByG"}), '1000',
	'the expired items left the index');
is($c->safe_psql('postgres', q{SELECT md5(string_agg(pk || '/' || sk, ',' ORDER BY pk, sk)) FROM dist."ttl__ByG"}),
	$c->safe_psql('postgres', q{SELECT md5(string_agg(pk || '/' || sk, ',' ORDER BY pk, sk)) FROM dist.ttl}),
	'the index holds the items left, no deleted one');

# the workers' streams: every TTL delete marked as the service's
my $removes = 0;
my $service = 0;
for my $w (@workers)
{
	for my $line (split /\n/, $w->safe_psql('postgres',
		q{SELECT data FROM pg_logical_slot_get_changes('ttl_stream', NULL, NULL)}))
	{
		next unless $line =~ /"eventName":"REMOVE"/ && $line =~ /"tableName":"ttl"/;
		$removes++;
		$service++ if $line =~ /"principalId":"dynamodb.amazonaws.com"/;
	}
}
is($removes, 500, 'the workers streamed every TTL delete');
is($service, 500, 'and marked each as a delete by the service');

# a table with a Number partition key and no sort key: both walk its keys
$c->safe_psql('postgres', q{
	SELECT singletable.create_table('dist.hash', 'id', NULL, 'N');
	SELECT singletable.distribute_table('dist.hash');
	SELECT count(singletable.put_item('dist.hash', jsonb_build_object('id', n * 1.5, 'G', 'g' || (n % 3))
		|| CASE WHEN n % 4 = 0 THEN jsonb_build_object('exp', extract(epoch FROM now())::bigint - 1000 - n) ELSE '{}'::jsonb END))
	FROM generate_series(-100, 199) n;
	SET singletable.index_build_batch_size = 7;
	SELECT singletable.create_index('dist.hash', 'ByG', 'G', online => true);
});
ok($c->poll_query_until('postgres',
	q{SELECT status = 'ACTIVE' FROM singletable.indexes WHERE relid = 'dist.hash'::regclass}),
	'the online build of a table without sort key finishes');
is($c->safe_psql('postgres', q{SELECT count(*) FROM dist."hash__ByG"}), '300', 'and indexes every item');
is($c->safe_psql('postgres', q{SELECT singletable.update_time_to_live('dist.hash', 'exp');
	SET singletable.ttl_batch_size = 4;
	SELECT singletable.expire_items('dist.hash')}), '{"Enabled": true, "AttributeName": "exp"}
75', 'expire_items on a table without sort key');
is($c->safe_psql('postgres', q{SELECT count(*) FROM dist.hash}) . '/' .
	$c->safe_psql('postgres', q{SELECT count(*) FROM dist."hash__ByG"}), '225/225',
	'its expired items and their entries are gone');

# the background worker expires the items of a distributed table too
$c->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'citus, singletable'
singletable.ttl_interval = 1
});
$c->restart;
(my $fill2 = $fill) =~ s/TBL/dist.ttl2/;
$fill2 =~ s/FIRST/1/;
$fill2 =~ s/LAST/300/;
$c->safe_psql('postgres', $fill2);
ok($c->poll_query_until('postgres',
	q{SELECT count(*) = 0 FROM dist.ttl2 WHERE singletable.is_expired(item, 'exp')}),
	'the time to live worker expires the items of a distributed table');
is($c->safe_psql('postgres', q{SELECT count(*) FROM dist.ttl2}), '200', 'and leaves the others');

$_->stop for ($c, @workers);
done_testing();
