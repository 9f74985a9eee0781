# A singletable table survives pg_dump / pg_restore into a fresh database:
# the catalog row comes back with the table, so the singletable calls work
# on it, its key columns are still generated from the item and its items
# are still validated.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SingletableTest;

my $node = start_node('table_dump');
$node->safe_psql('postgres', 'CREATE DATABASE src; CREATE DATABASE dst;');
$node->safe_psql('src', q{
	CREATE EXTENSION singletable;
	SELECT singletable.create_table('app');
	SELECT singletable.create_table('scores', partition_key => 'game', sort_key => 'score', sort_key_type => 'N',
		stream_view => 'KEYS_ONLY');
	SELECT singletable.create_table('sessions', partition_key => 'token', sort_key => NULL);
	SELECT singletable.put_item('app', '{"PK": "USER#1", "SK": "PROFILE", "name": "Ann"}');
	SELECT singletable.put_item('app', '{"PK": "USER#1", "SK": "ORDER#1", "total": 5}');
	SELECT singletable.put_item('scores', '{"game": "g", "score": 10}');
	SELECT singletable.put_item('scores', '{"game": "g", "score": 9.5}');
	SELECT singletable.put_item('sessions', '{"token": "t1", "user": "ann"}');
});

my $dump = "${PostgreSQL::Test::Utils::tmp_check}/table_dump.dump";
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('src') ], 'pg_dump');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('dst'), $dump ], 'pg_restore into a fresh database');

is($node->safe_psql('dst', q{
	SELECT string_agg(relid::text || ' ' || partition_key || ' ' || partition_key_type::text || ' '
	                  || coalesce(sort_key, '-') || ' ' || stream_view, ', ' ORDER BY relid::text)
	  FROM singletable.tables}),
	'app PK S SK NEW_AND_OLD_IMAGES, scores game S score KEYS_ONLY, sessions token S - NEW_AND_OLD_IMAGES',
	'catalog rows restored');
is($node->safe_psql('dst', q{SELECT singletable.get_item('app', '{"PK": "USER#1", "SK": "PROFILE"}') ->> 'name'}),
	'Ann', 'get_item on the restored table');
is($node->safe_psql('dst', q{
	SELECT singletable.query('app', 'PK = :p AND begins_with(SK, :o)',
		"values" => '{":p": "USER#1", ":o": "ORDER#"}') ->> 'Count'}),
	'1', 'query on the restored table');
is($node->safe_psql('dst', q{
	SELECT string_agg(sk::text, ',' ORDER BY sk) FROM scores}),
	'9.5,10', 'number sort keys restored and ordered numerically');
$node->safe_psql('dst', q{
	SELECT singletable.update_item('sessions', '{"token": "t1"}', 'SET #u = :u',
		names => '{"#u": "user"}', "values" => '{":u": "bob"}')});
is($node->safe_psql('dst', q{SELECT item ->> 'user' FROM sessions WHERE pk = 't1'}),
	'bob', 'update_item on a restored hash-only table');
$node->safe_psql('dst', q{INSERT INTO app VALUES ('{"PK": "USER#2", "SK": "PROFILE"}')});
is($node->safe_psql('dst', q{SELECT pk || '/' || sk FROM app WHERE item ->> 'PK' = 'USER#2'}),
	'USER#2/PROFILE', 'key columns still generated from the item');
my ($ret, $stdout, $stderr) = $node->psql('dst', q{INSERT INTO app VALUES ('{"PK": 5, "SK": "x"}')});
isnt($ret, 0, 'a badly keyed item is still rejected');
like($stderr, qr/Type mismatch for key PK/, '... with the key validation error');
is($node->safe_psql('dst', q{SELECT singletable.describe_table('scores') -> 'KeySchema' -> 1 ->> 'AttributeName'}),
	'score', 'describe_table on the restored table');

$node->stop;
done_testing();
