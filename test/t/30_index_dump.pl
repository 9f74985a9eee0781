# Global secondary indexes survive pg_dump / pg_restore: the catalog row,
# the index table and its data come back; writes after the restore are
# maintained; the index table again depends on its base table, so a plain
# DROP TABLE of the base drops it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SingletableTest;

my $node = start_node('index_dump');
$node->safe_psql('postgres', q{
	CREATE DATABASE src;
	CREATE DATABASE dst;
});
$node->safe_psql('src', q{
	CREATE EXTENSION singletable;
	SELECT singletable.create_table('app');
	INSERT INTO app (item) VALUES ('{"PK": "a", "SK": "1", "G": "x", "n": 1}'),
		('{"PK": "b", "SK": "1", "G": "y", "n": 2}');
	SELECT singletable.create_index('app', 'GSI1', 'G', 'n', sort_key_type => 'N',
		projection => 'INCLUDE', include => ARRAY['n']);
});

my $dump = "${PostgreSQL::Test::Utils::tmp_check}/index_dump.dump";
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('src') ], 'pg_dump');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('dst'), $dump ], 'pg_restore');

is($node->safe_psql('dst', q{
	SELECT index_name || ' ' || index_relid::text || ' ' || partition_key || ' ' || sort_key
	       || ' ' || projection || ' ' || include::text
	  FROM singletable.indexes}),
	'GSI1 "app__GSI1" G n INCLUDE {n}', 'catalog row restored');
is($node->safe_psql('dst', q{SELECT string_agg(gsi_pk || '/' || gsi_sk || '/' || pk, ',' ORDER BY pk) FROM "app__GSI1"}),
	'x/1/a,y/2/b', 'index data restored');
is($node->safe_psql('dst', q{
	SELECT deptype FROM pg_depend
	 WHERE objid = '"app__GSI1"'::regclass AND refobjid = 'app'::regclass}),
	'a', 'dependency on the base table restored');

$node->safe_psql('dst', q{
	INSERT INTO app (item) VALUES ('{"PK": "c", "SK": "1", "G": "z", "n": 3}');
	UPDATE app SET item = item || '{"n": 5}' WHERE pk = 'a';
});
is($node->safe_psql('dst', q{SELECT string_agg(gsi_pk || '/' || gsi_sk || '/' || pk, ',' ORDER BY pk) FROM "app__GSI1"}),
	'x/5/a,y/2/b,z/3/c', 'writes after the restore are maintained');
like($node->safe_psql('dst', q{
	SELECT singletable.query('app', 'G = :g', "values" => '{":g": "z"}', index => 'GSI1')}),
	qr/"Count": 1/, 'query over the restored index');

$node->safe_psql('dst', 'DROP TABLE app');
is($node->safe_psql('dst', q{SELECT count(*) FROM pg_class WHERE relname = 'app__GSI1'}),
	'0', 'DROP TABLE of the base drops the restored index table');
is($node->safe_psql('dst', 'SELECT count(*) FROM singletable.indexes'), '0', 'catalog row gone');

$node->stop;
done_testing();
