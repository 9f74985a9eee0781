# An item written under a raised singletable.max_item_size survives
# pg_dump | psql into a database whose sessions have the default limit: the
# limit belongs to the write call, and the table's CHECK constraint does not
# read it, so the restore's COPY accepts every row the source accepted.
# The restored table still enforces the limit on new write calls.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SingletableTest;

my $node = start_node('restore_big_item');
$node->safe_psql('postgres', 'CREATE DATABASE src; CREATE DATABASE dst;');

# 500,000 bytes of string: over DynamoDB's 400 KB, under the raised 1 MB.
$node->safe_psql('src', q{
	CREATE EXTENSION singletable;
	SELECT singletable.create_table('app');
	SET singletable.max_item_size = '1MB';
	SELECT singletable.put_item('app', jsonb_build_object('PK', 'DOC#1', 'SK', 'BODY', 'body', repeat('x', 500000)));
	RESET singletable.max_item_size;
	SELECT singletable.put_item('app', '{"PK": "DOC#1", "SK": "META", "title": "big"}');
});

# The plain dump into psql, as users restore it: psql goes on after an
# error, so a refused COPY would leave the table empty and only print it.
my ($restore_out, $restore_err) = ('', '');
IPC::Run::run(
	[ 'pg_dump', '-d', $node->connstr('src') ], '|',
	[ 'psql', '-X', '-q', '-d', $node->connstr('dst') ],
	'>', \$restore_out, '2>', \$restore_err);
unlike($restore_err, qr/ERROR/, 'pg_dump | psql reports no error');

is($node->safe_psql('dst', q{LOAD 'singletable'; SHOW singletable.max_item_size}), '400kB',
	'the restoring database has the default limit');
is($node->safe_psql('dst', q{SELECT string_agg(sk, ',' ORDER BY sk) FROM app}),
	'BODY,META', 'both items restored');
is($node->safe_psql('dst', q{
	SELECT length(singletable.get_item('app', '{"PK": "DOC#1", "SK": "BODY"}') ->> 'body')}),
	'500000', 'the big item is whole and readable through get_item');

my ($ret, $stdout, $stderr) = $node->psql('dst', q{
	SELECT singletable.put_item('app', jsonb_build_object('PK', 'DOC#2', 'SK', 'BODY', 'body', repeat('x', 500000)))});
isnt($ret, 0, 'put_item of a big item under the default limit is refused');
like($stderr, qr/item size of 500017 bytes exceeds the limit of 409600 bytes/,
	'... with the item size error');

$node->stop;
done_testing();
