# A Citus cluster for the distributed tests: a coordinator and two workers,
# each a PostgreSQL::Test::Cluster with citus preloaded and singletable
# allowed as an output plugin.  The extensions are created on the
# coordinator, which propagates them (and every distributed table's shell)
# to the workers.
package CitusTest;
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SingletableTest;
use Exporter 'import';
our @EXPORT = qw(start_citus_cluster);

# Returns ($coordinator, $worker1, $worker2), all started and joined.
sub start_citus_cluster
{
	my @nodes;
	for my $name ('coordinator', 'worker1', 'worker2')
	{
		my $node = PostgreSQL::Test::Cluster->new($name);
		$node->init(allows_streaming => 'logical');
		allow_output_plugin($node);
		$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'citus'
max_prepared_transactions = 20
max_replication_slots = 10
citus.shard_count = 4
});
		$node->start;
		$node->safe_psql('postgres', 'CREATE EXTENSION citus');
		push @nodes, $node;
	}
	my ($c, @workers) = @nodes;
	$c->safe_psql('postgres',
		"SELECT citus_set_coordinator_host('" . $c->host . "', " . $c->port . ")");
	$c->safe_psql('postgres',
		"SELECT citus_add_node('" . $_->host . "', " . $_->port . ")") for @workers;
	$c->safe_psql('postgres', 'CREATE EXTENSION singletable');
	return @nodes;
}

1;
