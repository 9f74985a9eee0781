# Scale-out on Citus, second round: the workers get the catalog rows of a
# distributed table in the distributing transaction (no sync_workers step),
# describe_table measures a distributed table by its shards, and
# create_index works on a distributed table.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SingletableTest;
use CitusTest;

my ($c, @workers) = start_citus_cluster();

$c->safe_psql('postgres', q{
	SELECT singletable.create_table('app');
	SELECT singletable.create_index('app', 'GSI1', 'GSI1PK');
	SELECT singletable.put_item('app', jsonb_build_object('PK', 'u' || i, 'SK', 's', 'GSI1PK', 'g'))
	  FROM generate_series(1, 40) i;
	SELECT singletable.distribute_table('app');
});

# The catalog rows are on every worker as soon as distribute_table commits.
for my $w (@workers)
{
	is($w->safe_psql('postgres', q{SELECT relid::text || ' ' || partition_key || ' ' || sort_key
		FROM singletable.tables}), 'app PK SK', 'table row on ' . $w->name . ' without sync_workers');
	is($w->safe_psql('postgres', q{SELECT index_name || ' ' || index_relid::text FROM singletable.indexes}),
		'GSI1 "app__GSI1"', 'index row on ' . $w->name . ' without sync_workers');
}

# ... so each worker's change stream works without a manual step.
$_->safe_psql('postgres', q{SELECT 'ok' FROM pg_create_logical_replication_slot('st', 'singletable')})
  for @workers;
$c->safe_psql('postgres', q{
	SELECT singletable.put_item('app', jsonb_build_object('PK', 'w' || i, 'SK', 's')) FROM generate_series(1, 10) i});
my $records = 0;
for my $w (@workers)
{
	$records += grep { /"app"/ } split /\n/, $w->safe_psql('postgres',
		q{SELECT data FROM pg_logical_slot_get_changes('st', NULL, NULL)});
	$w->safe_psql('postgres', q{SELECT pg_drop_replication_slot('st')});
}
is($records, 10, 'the workers stream the writes after distribute_table alone');

# A distributing transaction that rolls back leaves no catalog row behind.
$c->safe_psql('postgres', q{
	SELECT singletable.create_table('gone');
	BEGIN;
	SELECT singletable.distribute_table('gone');
	ROLLBACK;
});
is($_->safe_psql('postgres', q{SELECT count(*) FROM singletable.tables WHERE relid::text = 'gone'}), '0',
	'a rolled back distribute_table copies nothing to ' . $_->name) for @workers;

# sync_workers stays as a repair tool: rows deleted by hand come back.
$workers[0]->safe_psql('postgres', q{DELETE FROM singletable.tables});
is($c->safe_psql('postgres', q{SELECT singletable.sync_workers()}), '1', 'sync_workers copies one table');
is($workers[0]->safe_psql('postgres', q{SELECT count(*) FROM singletable.indexes}), '1',
	'sync_workers restores the rows');

# describe_table counts and measures the shards, not the coordinator's shell.
$c->safe_psql('postgres', q{VACUUM ANALYZE app; VACUUM ANALYZE "app__GSI1"});
my $d = $c->safe_psql('postgres', q{
	WITH d AS (SELECT singletable.describe_table('app') AS t)
	SELECT (t->>'ItemCount') || ' ' || ((t->>'TableSizeBytes')::bigint >= citus_table_size('app')) || ' ' ||
		(t->'GlobalSecondaryIndexes'->0->>'ItemCount') || ' ' ||
		((t->'GlobalSecondaryIndexes'->0->>'IndexSizeBytes')::bigint >= citus_table_size('"app__GSI1"')) || ' ' ||
		(citus_table_size('app') > 0)
	  FROM d});
is($d, '50 true 40 true true', 'describe_table: ItemCount and sizes of the shards');
my $e = $c->safe_psql('postgres', q{
	SELECT singletable.execute('DescribeTable', '{"TableName": "app"}')->'Table'->>'ItemCount'});
is($e, '50', 'DescribeTable: ItemCount of the shards');

# create_index on a distributed table: the index table is distributed,
# filled from the items on the shards, kept by later writes, and its
# catalog row reaches the workers; the same calls on a local table give
# the same answers.
for my $t ('loc', 'dis')
{
	$c->safe_psql('postgres', qq{
		SELECT singletable.create_table('$t');
		SELECT singletable.put_item('$t', jsonb_build_object('PK', 'u' || (i % 5), 'SK', 's' || i,
			'G', CASE WHEN i % 7 = 0 THEN to_jsonb(i) ELSE to_jsonb('g' || (i % 3)) END, 'n', i))
		  FROM generate_series(1, 60) i;
	});
}
$c->safe_psql('postgres', q{SELECT singletable.distribute_table('dis')});
my %notice;
for my $t ('loc', 'dis')
{
	my ($ret, $out, $err) = $c->psql('postgres', qq{SELECT singletable.create_index('$t', 'ByG', 'G', 'n', sort_key_type => 'N')});
	is($ret, 0, "create_index on $t");
	($notice{$t}) = $err =~ /(NOTICE: .*)/;
}
is($notice{dis}, $notice{loc}, 'create_index reports the same index key violations');
like($notice{dis} // '', qr/52 items indexed, 8 items left out/, 'and the counts are right');
is($c->safe_psql('postgres', q{SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = '"dis__ByG"'::regclass}),
	'1', 'the new index table is distributed');
is($c->safe_psql('postgres', q{SELECT sum(result::int) FROM run_command_on_shards('"dis__ByG"', 'SELECT count(*) FROM %s')}),
	'52', 'its entries are on the shards');
is($_->safe_psql('postgres', q{SELECT count(*) FROM singletable.indexes WHERE index_name = 'ByG'}), '1',
	'the new index row is on ' . $_->name) for @workers;
$c->safe_psql('postgres', qq{
	SELECT singletable.put_item('$_', '{"PK": "new", "SK": "1", "G": "g1", "n": 500}');
	SELECT singletable.update_item('$_', '{"PK": "u1", "SK": "s1"}', 'SET G = :g', "values" => '{":g": "g2"}');
	SELECT singletable.delete_item('$_', '{"PK": "u2", "SK": "s2"}');
}) for ('loc', 'dis');
for my $g ('g0', 'g1', 'g2')
{
	my $q = qq{SELECT singletable.query('TBL', 'G = :g AND n > :m', "values" => '{":g": "$g", ":m": 3}',
		index => 'ByG', "limit" => 7)};
	(my $ql = $q) =~ s/TBL/loc/;
	(my $qd = $q) =~ s/TBL/dis/;
	is($c->safe_psql('postgres', $qd), $c->safe_psql('postgres', $ql), "index query $g: same page as local");
}
is($c->safe_psql('postgres', q{SELECT string_agg(item::text, ',' ORDER BY gsi_pk, gsi_sk, pk, sk) FROM "dis__ByG"}),
	$c->safe_psql('postgres', q{SELECT string_agg(item::text, ',' ORDER BY gsi_pk, gsi_sk, pk, sk) FROM "loc__ByG"}),
	'the index tables hold the same entries');
is($c->safe_psql('postgres', q{SELECT count(*) FROM pg_trigger WHERE tgrelid = 'dis'::regclass AND NOT tgisinternal}),
	'0', 'no trigger on the distributed table');

$_->stop for ($c, @workers);
done_testing();
