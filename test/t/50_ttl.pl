# Time to live with the background worker (singletable in
# shared_preload_libraries): enabling TTL wakes the launcher, whose worker
# deletes expired items within two intervals; items expiring later go
# within two intervals of their time; the deletions go through the base
# table (GSIs emptied, users' triggers fire, as the table's owner) and show
# in the change stream as service deletions; items that never expire stay;
# disabling TTL stops it; after a restart the launcher finds the TTL
# databases again; a TTL database can still be dropped.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SingletableTest;
use Time::HiRes qw(time usleep);

my $interval = 2;				# singletable.ttl_interval, seconds
my $node = start_node('ttl', logical => 1, conf => qq{
shared_preload_libraries = 'singletable'
singletable.ttl_interval = $interval
});

is($node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'singletable ttl launcher'}),
	'1', 'the launcher runs');

# Wait (up to 60 s) until the query returns 't'; the seconds it took.
sub wait_for
{
	my ($db, $query) = @_;
	my $start = time();
	while (time() - $start < 60)
	{
		return time() - $start if $node->safe_psql($db, $query) eq 't';
		usleep(100_000);
	}
	return undef;
}

$node->safe_psql('postgres', q{
	CREATE DATABASE app;
	CREATE DATABASE other;
	CREATE DATABASE plain;
	CREATE ROLE app_owner;
});
$node->safe_psql('app', q{
	CREATE EXTENSION singletable;
	GRANT CREATE ON SCHEMA public TO app_owner;
	CREATE TABLE deleted_by (pk text, who name);
	GRANT INSERT ON deleted_by TO app_owner;
	SET ROLE app_owner;
	SELECT singletable.create_table('items');
	SELECT singletable.create_index('items', 'GSI1', 'GSI1PK', 'GSI1SK');
	CREATE FUNCTION record_delete() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		INSERT INTO public.deleted_by VALUES (OLD.pk, current_user);
		RETURN NULL;
	END $$;
	CREATE TRIGGER record_delete AFTER DELETE ON items FOR EACH ROW EXECUTE FUNCTION record_delete();
	RESET ROLE;
	SELECT 'slot' FROM pg_create_logical_replication_slot('s', 'singletable');
	CREATE FUNCTION put(pk text, expires jsonb) RETURNS void LANGUAGE sql AS $$
		SELECT singletable.put_item('items', jsonb_build_object('PK', pk, 'SK', 'ITEM',
			'GSI1PK', 'ALL', 'GSI1SK', pk) || coalesce(jsonb_build_object('expiresAt', expires), '{}'))
	$$;
	SELECT put('expired#' || i, to_jsonb(extract(epoch FROM now())::bigint - 60 * i)) FROM generate_series(1, 50) i;
	SELECT put('future', to_jsonb(extract(epoch FROM now())::bigint + 3600)),
		   put('ancient', to_jsonb(extract(epoch FROM now())::bigint - 6 * 365 * 86400)),
		   put('string', '"1"'),
		   put('none', NULL);
});
$node->safe_psql('plain', 'SELECT 1');

# Items already expired go as soon as TTL is enabled: the commit wakes the
# launcher.
my $t0 = time();
$node->safe_psql('app', q{SET ROLE app_owner; SELECT singletable.update_time_to_live('items', 'expiresAt')});
my $took = wait_for('app', q{SELECT count(*) = 0 FROM items WHERE pk LIKE 'expired#%'});
ok(defined $took, 'expired items are deleted');
note(sprintf('expired items deleted %.2f s after TTL was enabled', time() - $t0));
cmp_ok(time() - $t0, '<=', 2 * $interval, 'within two intervals of enabling TTL');
is($node->safe_psql('app', q{SELECT string_agg(pk, ',' ORDER BY pk) FROM items}),
	'ancient,future,none,string', 'items that never expire stay');
is($node->safe_psql('app', q{SELECT count(*) FROM "items__GSI1" WHERE item ->> 'GSI1SK' LIKE 'expired#%'}),
	'0', 'the index no longer holds them');
is($node->safe_psql('app', q{SELECT count(*) || ' ' || string_agg(DISTINCT who, ',') FROM deleted_by}),
	'50 app_owner', "the table's triggers fired, as its owner");

# An item that expires later goes within two intervals of its time, not
# before it.
my $expires = int(time()) + 3;
$node->safe_psql('app', "SELECT put('later', '$expires')");
while (time() < $expires - 0.5) { usleep(100_000); }
is($node->safe_psql('app', q{SELECT count(*) FROM items WHERE pk = 'later'}), '1',
	'an item is not deleted before its time');
$took = wait_for('app', q{SELECT count(*) = 0 FROM items WHERE pk = 'later'});
ok(defined $took, 'an item that expires later is deleted');
note(sprintf('an item deleted %.2f s after its time', time() - $expires));
cmp_ok(time() - $expires, '<=', 2 * $interval, 'within two intervals of its time');

# The change stream: the expired items' REMOVE records are service
# deletions, a user's delete is not.
$node->safe_psql('app', q{SELECT singletable.delete_item('items', '{"PK": "none", "SK": "ITEM"}')});
my $removes = $node->safe_psql('app', q{
	SELECT count(*) FILTER (WHERE data::jsonb -> 'userIdentity' = '{"type": "Service", "principalId": "dynamodb.amazonaws.com"}'),
		   string_agg(data::jsonb -> 'dynamodb' -> 'Keys' ->> 'PK', ',') FILTER (WHERE NOT data::jsonb ? 'userIdentity')
	  FROM pg_logical_slot_get_changes('s', NULL, NULL)
	 WHERE data::jsonb ->> 'eventName' = 'REMOVE'});
is($removes, '51|none', 'REMOVE records of expired items are marked as service deletions');

# A second database: enabling TTL there wakes the launcher for it.
$node->safe_psql('other', q{
	CREATE EXTENSION singletable;
	SELECT singletable.create_table('other_items');
	SELECT singletable.put_item('other_items', jsonb_build_object('PK', 'x', 'SK', 'y',
		'ttl', extract(epoch FROM now())::bigint - 5));
	SELECT singletable.update_time_to_live('other_items', 'ttl');
});
ok(defined wait_for('other', q{SELECT count(*) = 0 FROM other_items}), 'a second database is served');

# Disabling TTL stops expiry.
$node->safe_psql('app', q{
	SELECT singletable.update_time_to_live('items', 'expiresAt', false);
	SELECT put('kept', to_jsonb(extract(epoch FROM now())::bigint - 60));
});
sleep(2 * $interval + 1);
is($node->safe_psql('app', q{SELECT count(*) FROM items WHERE pk = 'kept'}), '1',
	'no expiry once TTL is disabled');

# After a restart the launcher finds the TTL tables again, without a
# wake-up.
$node->safe_psql('app', q{
	SET ROLE app_owner;
	SELECT singletable.update_time_to_live('items', 'expiresAt');
});
ok(defined wait_for('app', q{SELECT count(*) = 0 FROM items WHERE pk = 'kept'}), 'expiry resumes when re-enabled');
# The shutdown of the restart stops a worker in the middle of a pass with
# exit code 1, as any background worker: the log of the restart itself is
# left out of the failure check at the end.
my $log_before_restart = -s $node->logfile;
$node->restart;
my $log_after_restart = -s $node->logfile;
$node->safe_psql('app', q{SELECT put('after_restart', to_jsonb(extract(epoch FROM now())::bigint - 60))});
$t0 = time();
ok(defined wait_for('app', q{SELECT count(*) = 0 FROM items WHERE pk = 'after_restart'}),
	'after a restart, the launcher finds the table');
cmp_ok(time() - $t0, '<=', 2 * $interval, 'within two intervals');

# No process stays connected to a TTL database between passes.
my ($ret, $stdout, $stderr) = $node->psql('postgres', 'DROP DATABASE other');
is($ret, 0, 'a database with TTL tables can be dropped') or diag($stderr);
is($node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'singletable ttl launcher'}),
	'1', 'the launcher still runs');
my $log = slurp_file($node->logfile);
$log = substr($log, 0, $log_before_restart) . substr($log, $log_after_restart);
my @failures = grep { /ERROR|PANIC|TRAP|terminated by signal|"singletable ttl worker" \(PID \d+\) exited with exit code [1-9]/ }
  split /\n/, $log;
is(join("\n", @failures), '', 'no errors, and no TTL worker failed');

$node->stop;
done_testing();
