# Scale-out on Citus: with singletable.citus_put_autocommit on, an
# unconditional put_item that is the only call of its statement, outside a
# transaction block, on a distributed table without indexes or triggers, is
# sent to its worker as one autocommit statement (no BEGIN and COMMIT around
# it, as a hand-written INSERT); every other put keeps Citus' transaction
# block, so several puts of one statement or transaction still commit or
# fail together.  Off (the default), every put keeps it.
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
});

# The remote commands of $sql: (all of them, joined; psql's stderr).
sub remote_commands
{
	my ($sql) = @_;
	my ($ret, $out, $err) = $c->psql('postgres', qq{
		SET singletable.citus_put_autocommit = on;
		SET citus.log_remote_commands = on;
		SET client_min_messages = log;
		$sql}, on_error_stop => 0);
	return (join("\n", map { /issuing (.*)/ ? $1 : () } split /\n/, $err), $err);
}

my ($cmds, $err) = remote_commands(q{SELECT singletable.put_item('app', '{"PK": "a", "SK": "1", "v": 1}')});
like($cmds, qr/\AINSERT INTO public\.app_\d+ .*ON CONFLICT[^\n]*\z/, 'a sole put is one INSERT, no BEGIN or COMMIT')
  or diag($err);
is($c->safe_psql('postgres', q{SELECT singletable.get_item('app', '{"PK": "a", "SK": "1"}')->>'v'}), '1',
	'and it is written');
($cmds, $err) = remote_commands(q{
	PREPARE p(text) AS SELECT singletable.put_item('app', jsonb_build_object('PK', 'p' || $1, 'SK', '1'));
	EXECUTE p('1');});
like($cmds, qr/\AINSERT INTO public\.app_\d+ .*ON CONFLICT[^\n]*\z/, 'the same from a prepared statement')
  or diag($err);

($cmds, $err) = remote_commands(q{RESET singletable.citus_put_autocommit;
	SELECT singletable.put_item('app', '{"PK": "a", "SK": "0"}')});
like($cmds, qr/^BEGIN /m, 'with singletable.citus_put_autocommit off, the same put keeps the transaction block')
  or diag($err);

# Reads never needed a transaction block outside one: one command each.
for my $read (q{SELECT singletable.get_item('app', '{"PK": "a", "SK": "1"}')},
	q{SELECT singletable.query('app', 'PK = :p', "values" => '{":p": "a"}', "limit" => 20)})
{
	($cmds, $err) = remote_commands($read);
	like($cmds, qr/\ASELECT [^\n]*\z/, "one command, no BEGIN or COMMIT: $read") or diag($err);
}

# The same put where it is not alone keeps the transaction block.
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
	($cmds, $err) = remote_commands($sql);
	like($cmds, qr/^BEGIN /m, "$name: Citus' transaction block") or diag($err);
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

done_testing();
