# Helpers shared by the TAP tests (test/run-tests and `make installcheck`
# put test/t on @INC): one way to start a node for the suite.
package SingletableTest;
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Exporter 'import';
our @EXPORT = qw(start_node allow_output_plugin);

# Let singletable serve as an output plugin on $node (before it starts).
# Servers with output_plugin_libraries (15.20, 17.12, 18.6 and later) accept
# only the plugins it lists; one without the setting takes any plugin and
# would refuse to start with it in its configuration.
sub allow_output_plugin
{
	my ($node) = @_;
	my ($config) = run_command([ $node->installed_command('postgres'), '--describe-config' ]);
	$node->append_conf('postgresql.conf',
		"output_plugin_libraries = 'pgoutput, test_decoding, singletable'\n")
	  if $config =~ /^output_plugin_libraries\t/m;
	return;
}

# A new node, initialised and started:
#   start_node('name')                          a plain cluster
#   start_node('name', logical => 1)            wal_level = logical, singletable allowed as a plugin
#   start_node('name', conf => "a = 1\n")       extra postgresql.conf lines
sub start_node
{
	my ($name, %opt) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	if ($opt{logical})
	{
		$node->init(allows_streaming => 'logical');
		allow_output_plugin($node);
	}
	else
	{
		$node->init;
	}
	$node->append_conf('postgresql.conf', $opt{conf}) if defined $opt{conf};
	$node->start;
	return $node;
}

1;
