# Scale-out on Citus: a coordinator and two workers.  Every call runs on a
# local table (schema loc) and on the same table distributed with
# singletable.distribute_table (schema dist) and must give the same result;
# single-item and single-partition calls must route to one shard; drop_table
# must leave nothing on the workers; the change stream of each worker must
# carry the table's own name, and the workers' streams together must hold
# every change once.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SingletableTest;
use CitusTest;

my ($c, @workers) = start_citus_cluster();

# The same table, GSI and data in two schemas; dist.app is then distributed.
$c->safe_psql('postgres', q{
	CREATE SCHEMA loc;
	CREATE SCHEMA dist;
});
for my $s ('loc', 'dist')
{
	$c->safe_psql('postgres', qq{
		SELECT singletable.create_table('$s.app');
		SELECT singletable.create_index('$s.app', 'GSI1', 'GSI1PK', 'GSI1SK');
		SELECT singletable.put_item('$s.app', jsonb_build_object('PK', 'u' || p, 'SK', 's' || s, 'n', p * 10 + s,
			'GSI1PK', 'g' || (s % 2), 'GSI1SK', lpad((p * 10 + s)::text, 3, '0')))
		  FROM generate_series(1, 3) p, generate_series(1, 8) s;
		SELECT singletable.create_table('$s.ev');
	});
}
# the rows already there move to the shards
$c->safe_psql('postgres', q{
	SELECT singletable.distribute_table('dist.app');
	SELECT singletable.distribute_table('dist.ev', colocate_with => 'dist.app');
});
is($c->safe_psql('postgres', q{
	SELECT string_agg(logicalrelid::text, ' ' ORDER BY logicalrelid::text) FROM pg_dist_partition}),
	'dist."app__GSI1" dist.app dist.ev', 'the table and its index table are distributed');
is($c->safe_psql('postgres', q{SELECT count(*) FROM dist.app}), '24', 'the items moved to the shards');
is($c->safe_psql('postgres', q{SELECT count(*) FROM ONLY dist.app WHERE false}), '0', 'shell query works');

# Key columns stay tied to the item: plain SQL cannot make them disagree.
my ($ret, $out, $err) = $c->psql('postgres',
	q{INSERT INTO dist.app (item, pk, sk) VALUES ('{"PK": "a", "SK": "b"}', 'x', 'b')});
like($err, qr/singletable_keys/, 'a key column that disagrees with the item is refused');

# Run $sql against loc and dist (search_path), compare everything psql says.
sub same
{
	my ($name, $sql) = @_;
	my @r;
	for my $s ('loc', 'dist')
	{
		my ($ret, $out, $err) = $c->psql('postgres', "SET search_path = $s, public;\n$sql",
			on_error_stop => 0);
		push @r, "$out\n$err";
	}
	is($r[1], $r[0], "same result: $name");
	note($r[1]);
	return $r[1];
}

same('get_item', q{SELECT singletable.get_item('app', '{"PK": "u2", "SK": "s3"}')});
same('get_item of a missing item', q{SELECT singletable.get_item('app', '{"PK": "u9", "SK": "s3"}')});
same('put then get', q{
	SELECT singletable.put_item('app', '{"PK": "u4", "SK": "s1", "GSI1PK": "g1", "GSI1SK": "041"}');
	SELECT singletable.get_item('app', '{"PK": "u4", "SK": "s1"}')});
same('conditional put that fails', q{
	SELECT singletable.put_item('app', '{"PK": "u4", "SK": "s1"}', 'attribute_not_exists(PK)')});
same('conditional put that succeeds, ALL_OLD', q{
	SELECT singletable.put_item('app', '{"PK": "u4", "SK": "s1", "v": 2}', 'attribute_exists(PK)',
		return_values => 'ALL_OLD')});
same('update_item with return values', q{
	SELECT singletable.update_item('app', '{"PK": "u1", "SK": "s1"}', 'SET n = n + :d, GSI1SK = :g',
		"values" => '{":d": 5, ":g": "900"}', return_values => 'ALL_NEW')});
same('update_item creating an item', q{
	SELECT singletable.update_item('app', '{"PK": "u5", "SK": "s1"}', 'SET n = :n', "values" => '{":n": 1}',
		return_values => 'ALL_NEW')});
same('delete_item ALL_OLD', q{
	SELECT singletable.delete_item('app', '{"PK": "u2", "SK": "s2"}', return_values => 'ALL_OLD')});
same('conditional delete that fails', q{
	SELECT singletable.delete_item('app', '{"PK": "u2", "SK": "s3"}', 'n = :x', "values" => '{":x": 0}')});

# Queries: every page, forward and backward, with a filter and a projection.
my $pages = q{
	WITH RECURSIVE p(i, page) AS (
		SELECT 1, singletable.query('app', 'PK = :p AND SK > :s', "values" => '{":p": "u1", ":s": "s1"}',
			"limit" => 3, forward => FWD)
		UNION ALL
		SELECT i + 1, singletable.query('app', 'PK = :p AND SK > :s', "values" => '{":p": "u1", ":s": "s1"}',
			"limit" => 3, forward => FWD, start_key => page->'LastEvaluatedKey')
		  FROM p WHERE page ? 'LastEvaluatedKey' AND i < 10)
	SELECT i, page FROM p ORDER BY i};
(my $fwd = $pages) =~ s/FWD/true/g;
(my $bwd = $pages) =~ s/FWD/false/g;
same('query pages forward', $fwd);
same('query pages backward', $bwd);
same('query with filter and projection', q{
	SELECT singletable.query('app', 'PK = :p', "values" => '{":p": "u3", ":m": 33}', filter => 'n > :m',
		projection => 'SK, n')});
same('query_items', q{SELECT singletable.query_items('app', 'PK = :p', "values" => '{":p": "u2"}')});

# GSI: strongly consistent after every write above, paged.
my $gsi = $pages;
$gsi =~ s/'PK = :p AND SK > :s', "values" => '\{":p": "u1", ":s": "s1"\}'/'GSI1PK = :p', "values" => '{":p": "g1"}', index => 'GSI1'/g;
$gsi =~ s/FWD/true/g;
same('GSI query pages', $gsi);

# Scans: whole pages and segments (their union is every item once).
same('scan pages', q{
	WITH RECURSIVE p(i, page) AS (
		SELECT 1, singletable.scan('app', "limit" => 7)
		UNION ALL
		SELECT i + 1, singletable.scan('app', "limit" => 7, start_key => page->'LastEvaluatedKey')
		  FROM p WHERE page ? 'LastEvaluatedKey' AND i < 20)
	SELECT i, page FROM p ORDER BY i});
same('scan segments', q{
	SELECT s, singletable.scan('app', segment => s, total_segments => 3) FROM generate_series(0, 2) s});
same('GSI scan', q{SELECT singletable.scan('app', index => 'GSI1')});

# Batches and transactions across partitions.
same('batch_write then batch_get', q{
	SELECT singletable.batch_write('{"app": [
		{"PutRequest": {"Item": {"PK": "b1", "SK": "1", "GSI1PK": "g0", "GSI1SK": "b1"}}},
		{"PutRequest": {"Item": {"PK": "b2", "SK": "1"}}},
		{"PutRequest": {"Item": {"PK": "b3", "SK": "1", "GSI1PK": "g1", "GSI1SK": "b3"}}},
		{"DeleteRequest": {"Key": {"PK": "u3", "SK": "s8"}}}]}');
	SELECT singletable.batch_get('{"app": {"Keys": [{"PK": "b1", "SK": "1"}, {"PK": "b3", "SK": "1"},
		{"PK": "u3", "SK": "s8"}, {"PK": "u1", "SK": "s4"}]}}')});
same('transact_write across partitions', q{
	SELECT singletable.transact_write('[
		{"Put": {"TableName": "app", "Item": {"PK": "t1", "SK": "1", "GSI1PK": "g0", "GSI1SK": "t1"}}},
		{"Update": {"TableName": "app", "Key": {"PK": "u1", "SK": "s5"}, "UpdateExpression": "SET n = n + :one",
			"ExpressionAttributeValues": {":one": 1}}},
		{"Delete": {"TableName": "app", "Key": {"PK": "u2", "SK": "s5"}}},
		{"ConditionCheck": {"TableName": "app", "Key": {"PK": "u3", "SK": "s1"},
			"ConditionExpression": "attribute_exists(PK)"}}]');
	SELECT singletable.transact_get('[{"Get": {"TableName": "app", "Key": {"PK": "t1", "SK": "1"}}},
		{"Get": {"TableName": "app", "Key": {"PK": "u1", "SK": "s5"}}},
		{"Get": {"TableName": "app", "Key": {"PK": "u2", "SK": "s5"}}}]')});
same('a cancelled transaction changes nothing', q{
	SELECT singletable.transact_write('[
		{"Put": {"TableName": "app", "Item": {"PK": "t2", "SK": "1", "GSI1PK": "g0", "GSI1SK": "t2"}}},
		{"Delete": {"TableName": "app", "Key": {"PK": "u1", "SK": "s6"}}},
		{"ConditionCheck": {"TableName": "app", "Key": {"PK": "u3", "SK": "s1"},
			"ConditionExpression": "attribute_not_exists(PK)"}}]');
	SELECT singletable.transact_get('[{"Get": {"TableName": "app", "Key": {"PK": "t2", "SK": "1"}}},
		{"Get": {"TableName": "app", "Key": {"PK": "u1", "SK": "s6"}}}]')});
same('execute PutItem and Query', q{
	SELECT singletable.execute('PutItem', '{"TableName": "app", "Item": {"PK": {"S": "x1"}, "SK": {"S": "1"}}}');
	SELECT singletable.execute('Query', '{"TableName": "app", "KeyConditionExpression": "PK = :p",
		"ExpressionAttributeValues": {":p": {"S": "x1"}}}')});

# The event store, the second append included (it used to fail on Citus).
same('append_events, read_stream, conflicts', q{
	SELECT singletable.append_events('ev', 'order-1', '[{"eventType": "Created", "eventData": {"a": 1}}]'::jsonb, 0)
		IS NOT NULL;
	SELECT singletable.append_events('ev', 'order-1', '[{"eventType": "Paid", "eventData": {}},
		{"eventType": "Shipped", "eventData": {}}]'::jsonb, 1);
	SELECT singletable.append_events('ev', 'order-1', '[{"eventType": "Late", "eventData": {}}]'::jsonb);
	SELECT singletable.append_events('ev', 'order-1', '[{"eventType": "Again", "eventData": {}}]'::jsonb, 1);
	SELECT singletable.stream_version('ev', 'order-1');
	SELECT e->>'eventType', e->>'eventVersion' FROM singletable.read_stream('ev', 'order-1') e;
	SELECT singletable.save_snapshot('ev', 'order-1', 3, '{"s": 1}');
	SELECT (singletable.load_stream('ev', 'order-1')->'snapshot') - 'timestamp'});

# Everything the two tables hold is the same, index tables included.
same('final contents', q{SELECT item FROM app ORDER BY pk, sk});
same('final index contents', q{SELECT item, gsi_pk, gsi_sk FROM "app__GSI1" ORDER BY gsi_pk, gsi_sk, pk, sk});

# Plain SQL DML does not maintain a distributed table's indexes;
# rebuild_indexes brings them back to what the items say.
$c->safe_psql('postgres', q{
	INSERT INTO dist.app (item, pk, sk) VALUES ('{"PK": "sql1", "SK": "1", "GSI1PK": "g1", "GSI1SK": "sql"}', 'sql1', '1');
	DELETE FROM dist.app WHERE pk = 'u3' AND sk = 's3';
	INSERT INTO loc.app (item) VALUES ('{"PK": "sql1", "SK": "1", "GSI1PK": "g1", "GSI1SK": "sql"}');
	DELETE FROM loc.app WHERE pk = 'u3' AND sk = 's3';
});
isnt($c->safe_psql('postgres', q{SELECT string_agg(item::text, ',' ORDER BY item::text) FROM dist."app__GSI1"}),
	$c->safe_psql('postgres', q{SELECT string_agg(item::text, ',' ORDER BY item::text) FROM loc."app__GSI1"}),
	'plain SQL DML leaves the distributed index behind');
is($c->safe_psql('postgres', q{SELECT singletable.rebuild_indexes('dist.app')}),
	$c->safe_psql('postgres', q{SELECT count(*) FROM dist.app}), 'rebuild_indexes reads every item');
same('index contents after rebuild_indexes',
	q{SELECT item, gsi_pk, gsi_sk FROM "app__GSI1" ORDER BY gsi_pk, gsi_sk, pk, sk});
($ret, $out, $err) = $c->psql('postgres', q{SELECT singletable.rebuild_indexes('loc.app')});
like($err, qr/table "app" is not distributed/, 'rebuild_indexes is for distributed tables');

# Routing: a get, a put, a page of a query and an append each send one
# statement to one shard.
sub remote_statements
{
	my ($sql) = @_;
	my ($ret, $out, $err) = $c->psql('postgres', qq{
		SET citus.log_remote_commands = on;
		SET client_min_messages = log;
		$sql}, on_error_stop => 0);
	my @stmts = grep { !/^(BEGIN|COMMIT|PREPARE TRANSACTION|COMMIT PREPARED|SELECT assign_distributed)/ }
	  map { /issuing (.*)/ ? $1 : () } split /\n/, $err;
	my %shards = map { /dist\."?(\w+_\d+)/ ? ($1 => 1) : () } @stmts;
	return (scalar(@stmts), scalar(keys %shards), join("\n", @stmts));
}
for my $case (
	[ 'get_item', q{SELECT singletable.get_item('dist.app', '{"PK": "u1", "SK": "s3"}')}, 1 ],
	[ 'put_item', q{SELECT singletable.put_item('dist.ev', '{"PK": "p1", "SK": "a"}')}, 1 ],
	[ 'query page', q{SELECT singletable.query('dist.app', 'PK = :p', "values" => '{":p": "u1"}', "limit" => 20)}, 1 ],
	[ 'GSI query page', q{SELECT singletable.query('dist.app', 'GSI1PK = :p', "values" => '{":p": "g1"}',
		index => 'GSI1', "limit" => 20)}, 1 ])
{
	my ($n, $nshards, $text) = remote_statements($case->[1]);
	is("$n $nshards", "$case->[2] 1", "$case->[0] sends $case->[2] statement(s) to one shard")
	  or diag($text);
}
my ($n, $nshards, $text) = remote_statements(
	q{SELECT singletable.append_events('dist.ev', 'order-1', '[{"eventType": "X", "eventData": {}}]'::jsonb, 4)});
is($nshards, 1, 'an append touches one shard') or diag($text);

# A new table distributed at creation, through execute('CreateTable').
$c->safe_psql('postgres', q{
	SET singletable.create_distributed = on;
	SELECT singletable.execute('CreateTable', '{"TableName": "dist.made",
		"KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}],
		"AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}]}');
	SELECT singletable.put_item('dist.made', '{"PK": "m"}');
});
is($c->safe_psql('postgres', q{
	SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = 'dist.made'::regclass}), '1',
	'singletable.create_distributed distributes CreateTable');
is($c->safe_psql('postgres', q{SELECT singletable.get_item('dist.made', '{"PK": "m"}')}), '{"PK": "m"}',
	'and the new table works');


# drop_index of a distributed table's last index drops its index table everywhere.
$c->safe_psql('postgres', q{
	SELECT singletable.create_table('dist.two');
	SELECT singletable.create_index('dist.two', 'GSI1', 'GSI1PK');
	SELECT singletable.distribute_table('dist.two');
	SELECT singletable.put_item('dist.two', '{"PK": "a", "SK": "1", "GSI1PK": "g"}');
	SELECT singletable.drop_index('dist.two', 'GSI1');
	SELECT singletable.put_item('dist.two', '{"PK": "b", "SK": "1", "GSI1PK": "g"}');
});
for my $w (@workers)
{
	is($w->safe_psql('postgres', q{SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'dist' AND c.relname LIKE 'two\\_\\_%'}), '0',
		'drop_index: no shard or shell of the index table left on ' . $w->name);
}
is($c->safe_psql('postgres', q{SELECT count(*) FROM dist.two}), '2', 'writes after drop_index work');

# The change stream: one slot per worker, records named after the table.
$c->safe_psql('postgres', q{SELECT singletable.sync_workers()});
for my $w (@workers)
{
	$w->safe_psql('postgres', q{SELECT 'ok' FROM pg_create_logical_replication_slot('st', 'singletable')});
}
$c->safe_psql('postgres', q{
	SELECT singletable.put_item('dist.app', jsonb_build_object('PK', 'w' || i, 'SK', '1'))
	  FROM generate_series(1, 20) i;
	SELECT singletable.delete_item('dist.app', '{"PK": "w1", "SK": "1"}');
});
my @records;
for my $w (@workers)
{
	my $lines = $w->safe_psql('postgres',
		q{SELECT data FROM pg_logical_slot_get_changes('st', NULL, NULL, 'tables', 'app')});
	push @records, grep { /\S/ } split /\n/, $lines;
}
is(scalar(@records), 21, 'the workers streamed every change once');
is(scalar(grep { /"tableName": ?"app"/ || /"TableName": ?"app"/ || /"table": ?"app"/ } @records), 21,
	'records carry the table name, not the shard name') or diag(join("\n", @records[0 .. 2]));
ok(!grep({ /app_\d+/ } @records), 'no shard name in the records');

# drop_table leaves nothing on any node.
$c->safe_psql('postgres', q{SELECT singletable.drop_table('dist.app')});
is($c->safe_psql('postgres', q{SELECT count(*) FROM pg_dist_partition
	WHERE logicalrelid::text LIKE 'dist.app%' OR logicalrelid::text LIKE 'dist."app%'}), '0',
	'drop_table: no distributed table left');
for my $w (@workers)
{
	is($w->safe_psql('postgres', q{SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'dist' AND c.relname LIKE 'app%'}), '0',
		'drop_table: no shard or shell left on ' . $w->name);
	is($w->safe_psql('postgres', q{SELECT count(*) FROM singletable.tables WHERE relid::text LIKE 'dist.app%'}), '0',
		'drop_table: no catalog row left on ' . $w->name);
}

$_->stop for ($c, @workers);
done_testing();
