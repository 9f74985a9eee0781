# The upgrade path: a database made with the oldest released version, holding
# items, an index, an event stream and a change-stream slot, is updated with
# ALTER EXTENSION singletable UPDATE.  Afterwards every call still works on
# the old data, the slot keeps decoding, and the extension's objects are
# exactly those of a fresh installation of the current version (compared as
# pg_dump --binary-upgrade prints them, which lists every member object).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SingletableTest;
use IPC::Run;

my $node = start_node('upgrade', logical => 1);

my $current = $node->safe_psql('postgres',
	q{SELECT default_version FROM pg_available_extensions WHERE name = 'singletable'});
my @versions = split /\n/, $node->safe_psql('postgres',
	q{SELECT version FROM pg_available_extension_versions WHERE name = 'singletable'
	  ORDER BY string_to_array(version, '.')::int[]});
my $oldest = $versions[0];
isnt($oldest, $current, "an older released version ($oldest) is installable next to $current");

$node->safe_psql('postgres', 'CREATE DATABASE upgraded; CREATE DATABASE fresh;');
$node->safe_psql('upgraded', qq{
	CREATE EXTENSION singletable VERSION '$oldest';
	SELECT singletable.create_table('app');
	SELECT singletable.create_index('app', 'GSI1', 'GSI1PK', 'GSI1SK');
	SELECT singletable.put_item('app', '{"PK": "USER#1", "SK": "PROFILE", "name": "Ann", "GSI1PK": "NAME#Ann", "GSI1SK": "USER#1"}');
	SELECT singletable.put_item('app', '{"PK": "USER#1", "SK": "ORDER#1", "total": 5}');
	SELECT singletable.append_events('app', 'ACCOUNT#1', '[{"eventType": "Opened", "eventData": {}}]', expected_version => 0);
	SELECT singletable.create_table('bins', partition_key => 'id', partition_key_type => 'B', sort_key => 'at', sort_key_type => 'B');
	-- what 0.1 stored: base64 text (plain SQL, as this build's write calls want tags)
	INSERT INTO bins (item) VALUES ('{"id": "AAE=", "at": "/w==", "blob": "YQ==", "tags": ["a", "b"]}'),
		('{"id": "AAE=", "at": "AA==", "note": "no blob"}');
	SELECT singletable.create_index('bins', 'ByBlob', 'blob', partition_key_type => 'B');
	SELECT 'slot' FROM pg_create_logical_replication_slot('s', 'singletable');
	SELECT singletable.put_item('app', '{"PK": "USER#2", "SK": "PROFILE", "name": "Bob", "GSI1PK": "NAME#Bob", "GSI1SK": "USER#2"}');
});

$node->safe_psql('upgraded', 'ALTER EXTENSION singletable UPDATE');
is($node->safe_psql('upgraded', q{SELECT extversion FROM pg_extension WHERE extname = 'singletable'}),
	$current, "updated from $oldest to $current");

# The old data through every kind of call.
is($node->safe_psql('upgraded', q{SELECT singletable.get_item('app', '{"PK": "USER#1", "SK": "PROFILE"}') ->> 'name'}),
	'Ann', 'get_item of an item written before the update');
is($node->safe_psql('upgraded', q{
	SELECT singletable.query('app', 'PK = :p AND begins_with(SK, :o)', "values" => '{":p": "USER#1", ":o": "ORDER#"}') ->> 'Count'}),
	'1', 'query of items written before the update');
is($node->safe_psql('upgraded', q{
	SELECT singletable.query('app', 'GSI1PK = :n', index => 'GSI1', "values" => '{":n": "NAME#Bob"}') -> 'Items' -> 0 ->> 'PK'}),
	'USER#2', 'an index built before the update');
$node->safe_psql('upgraded', q{
	SELECT singletable.update_item('app', '{"PK": "USER#1", "SK": "PROFILE"}', 'SET GSI1PK = :n', "values" => '{":n": "NAME#Anna"}')});
is($node->safe_psql('upgraded', q{
	SELECT singletable.query('app', 'GSI1PK = :n', index => 'GSI1', "values" => '{":n": "NAME#Anna"}') ->> 'Count'}),
	'1', 'the index is maintained after the update');
is($node->safe_psql('upgraded', q{
	SELECT singletable.append_events('app', 'ACCOUNT#1', '[{"eventType": "Deposited", "eventData": {"amount": 5}}]', expected_version => 1)}),
	'2', 'an event stream started before the update goes on');
is($node->safe_psql('upgraded', q{
	SELECT string_agg(data::jsonb ->> 'eventName', ',') FROM pg_logical_slot_get_changes('s', NULL, NULL)
	 WHERE data::jsonb ->> 'tableName' = 'app'}),
	'INSERT,MODIFY,MODIFY,INSERT', 'a slot made before the update decodes writes before and after it');

# Binary keys written by 0.1 as base64 text are tagged binary now, with the
# same bytes in the key columns; arrays used as sets stay arrays.
is($node->safe_psql('upgraded', q{
	SELECT singletable.get_item('bins', '{"id": {"$B": "AAE="}, "at": {"$B": "/w=="}}')}),
	'{"at": {"$B": "/w=="}, "id": {"$B": "AAE="}, "blob": {"$B": "YQ=="}, "tags": ["a", "b"]}',
	'binary keys of a table and an index become tagged binary');
is($node->safe_psql('upgraded', q{SELECT string_agg(encode(pk, 'hex') || '/' || encode(sk, 'hex'), ',' ORDER BY sk) FROM bins}),
	'0001/00,0001/ff', 'the key columns keep their bytes');
is($node->safe_psql('upgraded', q{
	SELECT singletable.query('bins', '#b = :b', index => 'ByBlob', names => '{"#b": "blob"}', "values" => '{":b": {"$B": "YQ=="}}') -> 'Items' -> 0 -> 'at'}),
	'{"$B": "/w=="}', 'a binary index key written before the update is found by its tagged value');
is($node->safe_psql('upgraded', q{SELECT count(*) FROM "bins__ByBlob"}), '1', 'the index has one entry per item');
is($node->safe_psql('upgraded', q{
	SELECT singletable.query('bins', 'id = :i AND #at < :a', names => '{"#at": "at"}', "values" => '{":i": {"$B": "AAE="}, ":a": {"$B": "/w=="}}') ->> 'Count'}),
	'1', 'binary sort keys compare by bytes after the update');

# The same extension objects as a fresh installation.
$node->safe_psql('fresh', 'CREATE EXTENSION singletable');
sub extension_schema
{
	my ($db) = @_;
	my ($stdout, $stderr);
	IPC::Run::run([ 'pg_dump', '--schema-only', '--binary-upgrade', '--exclude-schema=public',
			'-d', $node->connstr($db) ], '>', \$stdout, '2>', \$stderr)
	  or die "pg_dump $db: $stderr";
	# What differs between any two databases: object ids, xids, the dump's
	# session key.
	my @keep;
	for my $line (split /\n/, $stdout)
	{
		next if $line =~ /binary_upgrade_set_next|^\\(un)?restrict /;
		$line =~ s/relfrozenxid = '\d+', relminmxid = '\d+'/relfrozenxid = X, relminmxid = X/;
		$line =~ s/WHERE oid = '\d+'/WHERE oid = N/;
		$line =~ s/'\{\d+(,\d+)*\}'/'{oids}'/;
		push @keep, $line;
	}
	return join("\n", @keep) . "\n";
}
my $upgraded = extension_schema('upgraded');
my $fresh = extension_schema('fresh');
like($fresh, qr/ALTER EXTENSION singletable ADD FUNCTION singletable\.put_item/,
	'the dump lists the extension member objects');
is($upgraded, $fresh, 'an updated installation has the objects of a fresh one');
if ($upgraded ne $fresh)
{
	my $dir = $PostgreSQL::Test::Utils::tmp_check;
	open my $u, '>', "$dir/upgraded.sql"; print $u $upgraded; close $u;
	open my $f, '>', "$dir/fresh.sql"; print $f $fresh; close $f;
	diag(scalar `diff -u $dir/fresh.sql $dir/upgraded.sql | head -80`);
}

done_testing();
