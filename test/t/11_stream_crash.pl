# The change stream across a server crash: the server is killed
# (-m immediate) during a write load, with a pg_recvlogical consumer
# running; after the restart the consumer receives every committed change
# and no uncommitted one, each transaction whole.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SingletableTest;
use IPC::Run qw(start);
use Time::HiRes qw(usleep);

my $node = start_node('stream_crash', logical => 1);
$node->safe_psql('postgres', q{
	CREATE EXTENSION singletable;
	SELECT singletable.create_table('app');
	SELECT 'init' FROM pg_create_logical_replication_slot('s', 'singletable');
});

my $out = "${PostgreSQL::Test::Utils::tmp_check}/stream_crash.jsonl";
unlink $out;

sub start_recvlogical { return recvlogical($node, 's', $out) }

sub lines { return whole_lines($out) }

sub wait_until
{
	my ($cond, $what) = @_;
	for (my $i = 0; $i < 1200; $i++)
	{
		return 1 if $cond->();
		usleep(100_000);
	}
	diag("timed out waiting for $what");
	return 0;
}


my $consumer = start_recvlogical();

# A transaction that never commits: its items must never be streamed.
my $open_txn = bg_psql($node, q{
	BEGIN;
	SELECT singletable.put_item('app', '{"PK": "uncommitted", "SK": "1"}');
	SELECT pg_sleep(600);
});

# The load: transactions of three items each, as fast as they go.
my $load = bg_psql($node, q{
DO $$
BEGIN
	FOR i IN 1..1000000 LOOP
		FOR j IN 1..3 LOOP
			PERFORM singletable.put_item('app', jsonb_build_object('PK', 't' || i, 'SK', j::text, 'n', i));
		END LOOP;
		COMMIT;
	END LOOP;
END
$$});

ok(wait_until(sub { scalar(lines()) >= 600 }, '600 records'),
	'records stream while the load runs');

$node->stop('immediate');
$load->kill_kill;
$open_txn->kill_kill;
$consumer->finish;
note('records before the crash: ' . scalar(lines()));

$node->start;
my $committed = $node->safe_psql('postgres', "SELECT count(*) FROM app WHERE pk LIKE 't%'");
ok($committed >= 600, "the load committed $committed items before the crash");

# After the restart the consumer picks up from its confirmed position; an
# item written now marks the end of what it must receive.
$consumer = start_recvlogical();
$node->safe_psql('postgres', q{SELECT singletable.put_item('app', '{"PK": "end", "SK": "1"}')});
ok(wait_until(sub { grep { /"PK":"end"/ } lines() }, 'the end marker'),
	'the consumer catches up after the restart');
$consumer->signal('INT');
$consumer->finish;

# Deduplicate by SequenceNumber (a transaction the consumer had not
# confirmed before the crash comes again, identical).
my (%by_seq, %items, %txn_items, %txn_of);
my ($dups, $differing, $prev, $ordered) = (0, 0, '', 1);
for my $l (lines())
{
	my ($seq) = $l =~ /"SequenceNumber":"(\d+)"/;
	my ($ev) = $l =~ /"eventName":"(\w+)"/;
	my ($pk, $sk) = $l =~ /"Keys":\{"PK":"([^"]*)","SK":"([^"]*)"\}/;
	my ($xid) = $l =~ /"transactionId":(\d+)/;
	die "unexpected record $l" unless defined $seq && defined $pk;
	if (exists $by_seq{$seq})
	{
		$dups++;
		$differing++ if $by_seq{$seq} ne $l;
		next;
	}
	$by_seq{$seq} = $l;
	$ordered = 0 if $seq le $prev;
	$prev = $seq;
	next if $pk eq 'end';
	$items{"$pk/$sk"}++;
	$txn_items{$xid}++;
	$txn_of{$pk}{$xid} = 1;
}
note("records received twice: $dups");
is($differing, 0, 'records received twice are identical');
ok($ordered, 'SequenceNumbers increase');
ok(!exists $items{'uncommitted/1'}, 'no uncommitted change is streamed');

my @table = split /\n/, $node->safe_psql('postgres',
	"SELECT pk || '/' || sk FROM app WHERE pk LIKE 't%' ORDER BY 1");
my @streamed = sort grep { m{^t} } keys %items;
is(scalar(@streamed), scalar(@table), 'as many items streamed as committed');
is_deeply(\@streamed, [ sort @table ], 'exactly the committed items are streamed');
is(scalar(grep { $_ != 1 } values %items), 0, 'each item once (one INSERT)');
is(scalar(grep { $_ != 3 } values %txn_items), 0, 'every transaction streamed whole');
is(scalar(grep { scalar(keys %{ $txn_of{$_} }) != 1 } keys %txn_of), 0,
	'the items of a key come from one transaction');

$node->stop;
done_testing();
