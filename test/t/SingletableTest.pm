# Helpers shared by the TAP tests (test/run-tests and `make installcheck`
# put test/t on @INC): one way to start a node for the suite.
package SingletableTest;
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run qw(start);
use Exporter 'import';
our @EXPORT = qw(start_node allow_output_plugin whole_lines bg_psql recvlogical);

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

# Start pg_recvlogical on $node's postgres database, streaming slot $slot
# into $file, fsyncing every second, with plugin options as "name=value"
# strings; returns the IPC::Run harness.
sub recvlogical
{
	my ($node, $slot, $file, @options) = @_;
	my ($o, $e) = ('', '');
	return start(
		[
			'pg_recvlogical', '-d', $node->connstr('postgres'), '-S', $slot,
			'--start', '--no-loop', '-f', $file, '-F', '0', '-s', '1',
			map { ('-o', $_) } @options
		],
		'>', \$o, '2>', \$e);
}

# The whole lines of a file pg_recvlogical writes (none while it does not
# exist): the last line may still be being written.
sub whole_lines
{
	my ($file) = @_;
	return () unless -e $file;
	open my $fh, '<', $file or die "cannot open $file: $!";
	my @l = grep { /\S/ && /\n$/ } <$fh>;
	close $fh;
	return @l;
}

# Run $sql with psql on $node's postgres database in the background; returns
# the IPC::Run harness.
sub bg_psql
{
	my ($node, $sql) = @_;
	my ($o, $e) = ('', '');
	return start(
		[ 'psql', '-X', '-q', '-d', $node->connstr('postgres'), '-c', $sql ],
		'>', \$o, '2>', \$e);
}

1;
