# A projection kept by apply_changes across a server crash: events are
# written and applied to the account-summary read model concurrently, the
# server is killed (-m immediate), and after the restart the projection,
# brought up to date, equals the state recomputed from the events: no
# event applied twice, none skipped.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SingletableTest;
use IPC::Run qw(start);
use Time::HiRes qw(usleep);

my $node = start_node('stream_projection', logical => 1);
$node->safe_psql('postgres', q{
	CREATE EXTENSION singletable;
	SELECT singletable.create_table('events');
	SELECT 'init' FROM pg_create_logical_replication_slot('summary', 'singletable');
	CREATE TABLE account_summary (
		account text PRIMARY KEY,
		balance numeric NOT NULL,
		events int NOT NULL
	);
	CREATE FUNCTION project_account(r jsonb) RETURNS void LANGUAGE plpgsql AS $$
	DECLARE
		img jsonb := r->'dynamodb'->'NewImage';
		amount numeric := (img->'eventData'->>'amount')::numeric;
	BEGIN
		IF r->>'eventName' <> 'INSERT' OR img->>'SK' NOT LIKE 'EVENT#%' THEN
			RETURN;
		END IF;
		IF img->>'eventType' = 'MoneyWithdrawn' THEN
			amount := -amount;
		END IF;
		INSERT INTO account_summary VALUES (substr(img->>'PK', 9), amount, 1)
		ON CONFLICT (account) DO UPDATE
			SET balance = account_summary.balance + EXCLUDED.balance,
			    events = account_summary.events + 1;
	END
	$$;
	CREATE VIEW account_summary_recomputed AS
		SELECT substr(pk, 9) AS account,
		       sum(CASE item->>'eventType' WHEN 'MoneyWithdrawn' THEN -1 ELSE 1 END
		           * (item->'eventData'->>'amount')::numeric) AS balance,
		       count(*)::int AS events
		FROM events WHERE sk LIKE 'EVENT#%' GROUP BY 1;
});


# Writers: events of 20 accounts, a few per transaction, in the seed layout.
my @writers;
for my $w (1 .. 2)
{
	push @writers, bg_psql($node, qq{
DO \$\$
DECLARE
	acc text;
BEGIN
	FOR i IN 1..1000000 LOOP
		acc := 'acc-' || (i % 10) || '-$w';
		FOR j IN 1..2 LOOP
			PERFORM singletable.put_item('events', jsonb_build_object(
				'PK', 'ACCOUNT#' || acc,
				'SK', 'EVENT#' || lpad((i * 2 + j)::text, 10, '0'),
				'eventType', CASE WHEN j = 2 THEN 'MoneyWithdrawn' ELSE 'MoneyDeposited' END,
				'eventData', jsonb_build_object('amount', i % 7 + j)));
		END LOOP;
		COMMIT;
	END LOOP;
END
\$\$});
}

# The projector: applies in small batches, committing after each.
my $projector = bg_psql($node, q{
DO $$
BEGIN
	LOOP
		PERFORM singletable.apply_changes('summary', 'project_account(jsonb)', 50);
		COMMIT;
	END LOOP;
END
$$});

my $applied = 0;
for (my $i = 0; $i < 600; $i++)
{
	$applied = $node->safe_psql('postgres', 'SELECT coalesce(sum(events), 0) FROM account_summary');
	last if $applied >= 300;
	usleep(100_000);
}
ok($applied >= 300, "the projector applies while events are written ($applied so far)");

$node->stop('immediate');
$_->kill_kill for (@writers, $projector);

$node->start;
my $events = $node->safe_psql('postgres', "SELECT count(*) FROM events WHERE sk LIKE 'EVENT#%'");
my $before = $node->safe_psql('postgres', 'SELECT coalesce(sum(events), 0) FROM account_summary');
note("after the crash: $events events committed, $before applied");
ok($before <= $events, 'the projection never holds more than was committed');
my $behind = $node->safe_psql('postgres', q{
	SELECT count(*) FROM (SELECT * FROM account_summary EXCEPT SELECT * FROM account_summary_recomputed) d});
note("accounts differing before catching up: $behind");

# Catch up, then compare with the recomputed state.
my $n;
do
{
	$n = $node->safe_psql('postgres',
		"SELECT singletable.apply_changes('summary', 'project_account(jsonb)', NULL)");
} while ($n > 0);

my $diff = $node->safe_psql('postgres', q{
	SELECT count(*) FROM (
		(SELECT * FROM account_summary EXCEPT SELECT * FROM account_summary_recomputed)
		UNION ALL
		(SELECT * FROM account_summary_recomputed EXCEPT SELECT * FROM account_summary)) d});
is($diff, '0', 'the projection equals the recomputed state after the crash');
is($node->safe_psql('postgres', 'SELECT sum(events) FROM account_summary'), $events,
	'every committed event applied exactly once');

# More writes after the crash keep it in step too.
$node->safe_psql('postgres', q{
	SELECT singletable.put_item('events', '{"PK": "ACCOUNT#late", "SK": "EVENT#0000000001",
		"eventType": "MoneyDeposited", "eventData": {"amount": 42}}')});
is($node->safe_psql('postgres',
		"SELECT singletable.apply_changes('summary', 'project_account(jsonb)')"),
	'1', 'a new event is applied once');
is($node->safe_psql('postgres', "SELECT balance FROM account_summary WHERE account = 'late'"),
	'42', 'and lands in the read model');

$node->stop;
done_testing();
