# The change stream through the walsender (pg_recvlogical) is the same text,
# byte for byte, as through pg_logical_slot_peek_changes: the walsender
# puts a header before each message, which the plugin leaves room for in
# the record it builds (stream_decode.c, flush_pending).  Transactions of
# one record and of several, with markers, in both envelopes and formats.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SingletableTest;

# The first line where two texts differ, for the log.
sub first_difference
{
	my @a = split /\n/, $_[0], -1;
	my @b = split /\n/, $_[1], -1;
	for my $i (0 .. ($#a > $#b ? $#a : $#b))
	{
		my ($x, $y) = ($a[$i] // '<none>', $b[$i] // '<none>');
		return "line $i:\nreceived: " . substr($x, 0, 600) . "\npeeked:   " . substr($y, 0, 600)
		  if $x ne $y;
	}
	return 'no line differs';
}

my $node = start_node('stream_recvlogical_bytes', logical => 1);
my @sessions = (
	[],
	[ envelope => 'compact' ],
	[ format => 'typed', transaction_markers => 'on' ],
	[ envelope => 'compact', format => 'typed', transaction_markers => 'on', view => 'OLD_IMAGE' ]);
$node->safe_psql('postgres', q{
	CREATE EXTENSION singletable;
	SELECT singletable.create_table('app');
	SELECT singletable.create_index('app', 'by_s', partition_key => 's');
});
# one slot for pg_recvlogical and one to peek at, per session
for my $i (0 .. $#sessions)
{
	$node->safe_psql('postgres', qq{
		SELECT 'r' FROM pg_create_logical_replication_slot('recv_$i', 'singletable');
		SELECT 'p' FROM pg_create_logical_replication_slot('peek_$i', 'singletable');
	});
}
$node->safe_psql('postgres', q{
	SELECT singletable.put_item('app', '{"PK": "a", "SK": "1", "s": "x\u2028\"y", "n": -12345678901234567890}');
	BEGIN;
	SELECT singletable.put_item('app', jsonb_build_object('PK', 'b', 'SK', i::text, 's', 'v' || i, 'n', i))
	  FROM generate_series(1, 25) i;
	SELECT singletable.update_item('app', '{"PK": "a", "SK": "1"}', 'SET n = :n', "values" => '{":n": 1.5}');
	COMMIT;
	SELECT singletable.put_item('app', jsonb_build_object('PK', 'c', 'SK', '1', 'big', repeat('ab"', 100000)));
	SELECT singletable.delete_item('app', '{"PK": "b", "SK": "3"}');
	-- WAL after the last commit, so that pg_recvlogical, which stops at the
	-- first message at its end position, gets the last transaction's
	-- COMMIT marker too (it has the same position as its last record)
	CREATE TABLE after_the_stream ();
});
my $end = $node->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');

for my $i (0 .. $#sessions)
{
	my %options = @{ $sessions[$i] };
	my $received = $node->pg_recvlogical_upto('postgres', "recv_$i", $end,
		$PostgreSQL::Test::Utils::timeout_default, %options);
	chomp($received);
	my $args = join('', map { ", '$_', '$options{$_}'" } sort keys %options);
	my $peeked = $node->safe_psql('postgres',
		"SELECT string_agg(data, E'\\n' ORDER BY ord) FROM pg_logical_slot_peek_changes('peek_$i', '$end', NULL$args) WITH ORDINALITY AS c(lsn, xid, data, ord)");
	my $lines = () = $peeked =~ /\n/g;
	is($lines + 1, $options{transaction_markers} ? 37 : 29, "session $i: the records are there ($args)");
	ok($received eq $peeked, "session $i: pg_recvlogical's text is peek's, byte for byte ($args)")
	  or diag(first_difference($received, $peeked));
}

done_testing();
