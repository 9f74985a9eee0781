# Scale-out on Citus: an unconditional put_item that is the only call of its
# statement, on a distributed table without indexes or triggers, is sent to
# its worker as one autocommit statement (no BEGIN and COMMIT around it, as
# a hand-written INSERT) when nothing else can be in its transaction.
# singletable.citus_put_autocommit: auto (the default) when the statement is
# a simple query outside a transaction block, or an extended-protocol
# Execute with its Sync already sent, and nothing before it wrote; on, also
# when the client pipelines more statements before the Sync; off, never.
# Every other put keeps Citus' transaction block, so several puts of one
# statement or transaction still commit or fail together.
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
	SELECT singletable.create_table('gsi');
	SELECT singletable.create_index('gsi', 'GSI1', 'GSI1PK');
	CREATE TABLE deferred_unique (i int UNIQUE DEFERRABLE INITIALLY DEFERRED);
});

# The remote commands of $sql: (all of them, joined; psql's stderr).
sub remote_commands
{
	my ($sql) = @_;
	my ($ret, $out, $err) = $c->psql('postgres', qq{
		SET citus.log_remote_commands = on;
		SET client_min_messages = log;
		$sql}, on_error_stop => 0);
	return (join("\n", map { /issuing (.*)/ ? $1 : () } split /\n/, $err), $err);
}

my $sole = qr/\AINSERT INTO public\.app_\d+ .*ON CONFLICT[^\n]*\z/;
my ($cmds, $err) = remote_commands(q{SELECT singletable.put_item('app', '{"PK": "a", "SK": "1", "v": 1}')});
like($cmds, $sole, 'by default, a sole put of a simple query is one INSERT, no BEGIN or COMMIT')
  or diag($err);
is($c->safe_psql('postgres', q{SELECT singletable.get_item('app', '{"PK": "a", "SK": "1"}')->>'v'}), '1',
	'and it is written');
($cmds, $err) = remote_commands(q{
	PREPARE p(text) AS SELECT singletable.put_item('app', jsonb_build_object('PK', 'p' || $1, 'SK', '1'));
	EXECUTE p('1');});
like($cmds, $sole, 'the same from EXECUTE of a prepared statement') or diag($err);

for my $setting ('off', 'false')
{
	($cmds, $err) = remote_commands(qq{SET singletable.citus_put_autocommit = $setting;
		SELECT singletable.put_item('app', '{"PK": "a", "SK": "0"}')});
	like($cmds, qr/^BEGIN /m, "with singletable.citus_put_autocommit $setting, the same put keeps the transaction block")
	  or diag($err);
}

# Reads never needed a transaction block outside one: one command each.
for my $read (q{SELECT singletable.get_item('app', '{"PK": "a", "SK": "1"}')},
	q{SELECT singletable.query('app', 'PK = :p', "values" => '{":p": "a"}', "limit" => 20)})
{
	($cmds, $err) = remote_commands($read);
	like($cmds, qr/\ASELECT [^\n]*\z/, "one command, no BEGIN or COMMIT: $read") or diag($err);
}

# The same put where it is not alone keeps the transaction block, whether
# the setting is auto or on.
for my $setting ('auto', 'on')
{
	for my $case (
		[ 'in a transaction block', q{BEGIN; SELECT singletable.put_item('app', '{"PK": "a", "SK": "2"}'); COMMIT;} ],
		[ 'two calls in one statement', q{SELECT singletable.put_item('app', '{"PK": "a", "SK": "3"}'),
			singletable.put_item('app', '{"PK": "b", "SK": "3"}')} ],
		[ 'a call per row', q{SELECT singletable.put_item('app', jsonb_build_object('PK', 'c' || i, 'SK', '4'))
			FROM generate_series(1, 2) i} ],
		[ 'a DO block', q{DO $$BEGIN PERFORM singletable.put_item('app', '{"PK": "a", "SK": "5"}'); END$$} ],
		[ 'two statements of one query string', q{SELECT singletable.put_item('app', '{"PK": "a", "SK": "6"}') \; SELECT 1} ],
		[ 'a conditional put', q{SELECT singletable.put_item('app', '{"PK": "a", "SK": "1"}', 'attribute_exists(PK)')} ],
		[ 'ALL_OLD', q{SELECT singletable.put_item('app', '{"PK": "a", "SK": "1"}', return_values => 'ALL_OLD')} ],
		[ 'a table with an index', q{SELECT singletable.put_item('gsi', '{"PK": "a", "SK": "1", "GSI1PK": "g"}')} ])
	{
		my ($name, $sql) = @$case;
		($cmds, $err) = remote_commands("SET singletable.citus_put_autocommit = $setting; $sql");
		like($cmds, qr/^BEGIN /m, "$setting, $name: Citus' transaction block") or diag($err);
	}
}
is($c->safe_psql('postgres', q{SELECT count(*) FROM app}), '10', 'every put above wrote');

# Atomicity: a failing call takes the other puts of its statement back.
my $before = $c->safe_psql('postgres', q{SELECT count(*) FROM app});
($cmds, $err) = remote_commands(q{SELECT singletable.put_item('app', jsonb_build_object('PK', 'd' || i,
	'SK', CASE WHEN i = 3 THEN NULL ELSE 'x' END)) FROM generate_series(1, 3) i});
like($err, qr/ERROR/, 'the third put of a statement fails');
($cmds, $err) = remote_commands(q{SELECT singletable.put_item('app', '{"PK": "e", "SK": "1"}'),
	singletable.put_item('app', '{"PK": "e"}')});
like($err, qr/ERROR/, 'the second put of a statement fails');
($cmds, $err) = remote_commands(q{BEGIN; SELECT singletable.put_item('app', '{"PK": "f", "SK": "1"}'); ROLLBACK;});
is($c->safe_psql('postgres', q{SELECT count(*) FROM app}), $before, 'and none of their puts was written');

# The extended protocol, as drivers speak it: a client built from
# pipeline.c, with libpq of the PostgreSQL under test.
my $pg_config = $ENV{PG_CONFIG} // 'pg_config';
my $client = PostgreSQL::Test::Utils::tempdir() . '/pipeline';
my ($incdir, $libdir) = (`$pg_config --includedir`, `$pg_config --libdir`);
chomp($incdir, $libdir);
system_or_bail('cc', '-o', $client, "-I$incdir", "$ENV{TESTDIR}/citus/pipeline.c", "-L$libdir", '-lpq');

# Runs @sql through the client in $mode with $setting: (its stdout, the
# remote commands).
sub client
{
	my ($setting, $mode, @sql) = @_;
	my $conn = $c->connstr('postgres')
	  . " options='-c singletable.citus_put_autocommit=$setting -c citus.log_remote_commands=on -c client_min_messages=log'";
	my ($out, $err);
	IPC::Run::run([ $client, $conn, $mode, @sql ], '>', \$out, '2>', \$err)
	  or die "pipeline client failed: $err";
	return ($out, join("\n", map { /issuing (.*)/ ? $1 : () } split /\n/, $err));
}
sub has_item
{
	my ($pk) = @_;
	return $c->safe_psql('postgres', qq{SELECT count(*) FROM app WHERE pk = '$pk'});
}

my $out;
($out, $cmds) = client('auto', 'prepared', q{SELECT singletable.put_item('app', '{"PK": "x1", "SK": "1"}')});
is($out, "ok\n", 'a prepared put (Bind, Describe, Execute, Sync) succeeds');
like($cmds, $sole, 'and by default is one INSERT: its Sync was already sent');
is(has_item('x1'), '1', 'and it is written');

# A pipeline: the put is followed by another statement before the Sync, so
# the two are one transaction; the second fails.
my @pipeline = (q{SELECT singletable.put_item('app', '{"PK": "x2", "SK": "1"}')}, q{SELECT 1 / 0});
($out, $cmds) = client('auto', 'pipeline', @pipeline);
like($out, qr/\Aok\nerror 22012 /, 'a pipeline of a put and a failing statement fails at the second');
like($cmds, qr/^BEGIN /m, 'by default, the put of a pipeline keeps the transaction block');
is(has_item('x2'), '0', 'and is rolled back with the pipeline');
($out, $cmds) = client('on', 'pipeline', @pipeline);
like($cmds, $sole, 'with the setting on, the put of the pipeline is one INSERT');
is(has_item('x2'), '1', 'and stays although its pipeline failed (what on gives up)');

# An earlier write of the same transaction: the put is the last statement
# before the Sync, but the transaction fails at commit (a deferred unique
# constraint on a local table), so the put must fail with it.
@pipeline = (q{INSERT INTO deferred_unique VALUES (1), (1)},
	q{SELECT singletable.put_item('app', '{"PK": "x3", "SK": "1"}')});
($out, $cmds) = client('auto', 'pipeline', @pipeline);
like($cmds, qr/^BEGIN /m, 'after a write in its transaction, a put keeps the transaction block');
is(has_item('x3'), '0', 'and is rolled back when its transaction fails at commit');

done_testing();
