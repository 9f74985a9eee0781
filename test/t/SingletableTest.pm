# Helpers shared by the TAP tests (test/run-tests puts t/ on @INC).
package SingletableTest;
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Exporter 'import';
our @EXPORT = qw(allow_output_plugin);

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

1;
