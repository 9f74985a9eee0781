# The change stream through pg_recvlogical: records arrive while writes
# happen; pg_recvlogical is stopped and restarted and continues from its
# confirmed position with nothing lost and nothing repeated.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SingletableTest;
use IPC::Run qw(start);
use Time::HiRes qw(usleep);

my $node = start_node('stream_recvlogical', logical => 1);
$node->safe_psql('postgres', q{
	CREATE EXTENSION singletable;
	SELECT singletable.create_table('app');
	SELECT singletable.create_table('other_app');
	CREATE TABLE plain_table (a int);
	SELECT 'init' FROM pg_create_logical_replication_slot('s', 'singletable');
});

my $out = "${PostgreSQL::Test::Utils::tmp_check}/stream_recvlogical.jsonl";
unlink $out;

sub start_recvlogical { return recvlogical($node, 's', $out, 'tables=app') }

sub lines { return whole_lines($out) }

# Wait until the file holds at least $n records.
sub wait_for_lines
{
	my ($n) = @_;
	for (my $i = 0; $i < 600; $i++)
	{
		return 1 if scalar(lines()) >= $n;
		usleep(100_000);
	}
	diag("timed out waiting for $n records, have " . scalar(lines()));
	return 0;
}

# One writing batch: $count transactions of two items each (one put, one
# put over it), plus writes the stream must not show.
my $next = 0;
my $expected = 0;
sub write_batch
{
	my ($count) = @_;
	for (my $i = 0; $i < $count; $i++)
	{
		$next++;
		$node->safe_psql('postgres', qq{
			BEGIN;
			SELECT singletable.put_item('app', '{"PK": "k$next", "SK": "a", "v": 1}');
			SELECT singletable.put_item('app', '{"PK": "k$next", "SK": "a", "v": 2}');
			SELECT singletable.put_item('other_app', '{"PK": "k$next", "SK": "a"}');
			INSERT INTO plain_table VALUES ($next);
			COMMIT;
		});
		$expected += 2;
	}
	# a transaction with nothing of app
	$node->safe_psql('postgres', "INSERT INTO plain_table VALUES (-1)");
}

# Wait until the slot has confirmed everything written so far.
sub wait_for_confirmed
{
	my $lsn = $node->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
	$node->poll_query_until('postgres',
		"SELECT confirmed_flush_lsn >= '$lsn' FROM pg_replication_slots WHERE slot_name = 's'")
	  or die "slot did not confirm $lsn";
}

my $h = start_recvlogical();
write_batch(30);
ok(wait_for_lines($expected), 'records arrive while writes happen');

# Stop once pg_recvlogical has confirmed what it wrote.
wait_for_confirmed();
$h->signal('INT');
$h->finish;
my $after_first = scalar(lines());
is($after_first, $expected, 'first run received every record once');

# Writes while no consumer runs stay in the slot.
write_batch(20);
is(scalar(lines()), $after_first, 'nothing written while stopped');

$h = start_recvlogical();
write_batch(25);
ok(wait_for_lines($expected), 'restarted consumer continues from its confirmed position');
wait_for_confirmed();
is(scalar(lines()), $expected, 'nothing received twice across a stop at a confirmed position');

# Now stop it at any moment during a write load, without waiting for it to
# confirm: what it had not confirmed comes again (same SequenceNumbers),
# nothing is lost.
my ($load_out, $load_err) = ('', '');
my $load = start(
	[
		'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'), '-c', q{
DO $$
BEGIN
	FOR i IN 1001..1200 LOOP
		PERFORM singletable.put_item('app', jsonb_build_object('PK', 'k' || i, 'SK', 'a', 'v', 1));
		PERFORM singletable.put_item('app', jsonb_build_object('PK', 'k' || i, 'SK', 'a', 'v', 2));
		COMMIT;
		PERFORM pg_sleep(0.003);
	END LOOP;
END
$$}
	],
	'>', \$load_out, '2>', \$load_err);
wait_for_lines($expected + 100);
$h->signal('INT');
$h->finish;
$h = start_recvlogical();
$load->finish;
is($load->result(0), 0, 'write load completed') or diag($load_err);
$expected += 400;
my $unique_lines = sub {
	my %u;
	$u{ decode_record($_)->{seq} } = 1 for lines();
	return scalar(keys %u);
};
for (my $i = 0; $i < 600 && $unique_lines->() < $expected; $i++)
{
	usleep(100_000);
}
wait_for_confirmed();
$h->signal('INT');
$h->finish;

my @lines = lines();
my %first_line;
my @records;
my $differing = 0;
for my $l (@lines)
{
	my $r = decode_record($l);
	if (exists $first_line{ $r->{seq} })
	{
		$differing++ if $first_line{ $r->{seq} } ne $l;
		next;
	}
	$first_line{ $r->{seq} } = $l;
	push @records, $r;
}
is(scalar(@records), $expected, 'every committed record received');
is($differing, 0, 'a record received again is identical to the first time');
note(sprintf('%d records received twice after the kill', scalar(@lines) - scalar(@records)));

my $prev = '';
my $ordered = 1;
my @missing;
for my $r (@records)
{
	$ordered = 0 if $r->{seq} le $prev;
	$prev = $r->{seq};
}
ok($ordered, 'SequenceNumbers increase across the restarts');

# Per key: an INSERT then a MODIFY, nothing else, nothing of other tables.
my %by_key;
push @{ $by_key{ $_->{pk} } }, $_->{event} for @records;
for my $k (1 .. $next, 1001 .. 1200)
{
	my $ev = join(',', @{ $by_key{"k$k"} || [] });
	push @missing, "k$k:$ev" unless $ev eq 'INSERT,MODIFY';
}
is(join(' ', @missing), '', 'each key has its INSERT and MODIFY in order');
is(scalar(grep { $_->{table} ne 'app' } @records), 0, 'only the selected table');

# The slot's confirmed position is past everything received.
my $pending = $node->safe_psql('postgres',
	"SELECT count(*) FROM pg_logical_slot_peek_changes('s', NULL, NULL, 'tables', 'app')");
is($pending, '0', 'the slot holds nothing already received');

$node->stop;
done_testing();

# Pull the fields the checks need out of one JSON line (no JSON module
# needed: the plugin's output layout is fixed).
sub decode_record
{
	my ($line) = @_;
	my %r;
	($r{seq}) = $line =~ /"SequenceNumber":"(\d+)"/;
	($r{event}) = $line =~ /"eventName":"(\w+)"/;
	($r{table}) = $line =~ /"tableName":"([^"]*)"/;
	($r{pk}) = $line =~ /"Keys":\{"PK":"([^"]*)"/;
	die "unexpected record: $line" unless defined $r{seq} && defined $r{pk};
	return \%r;
}
