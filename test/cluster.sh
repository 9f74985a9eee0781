# Sourced by the test and run scripts: start and stop a throwaway cluster.
#   cluster_start DIR   -> sets PGHOST PGPORT PGUSER, server running
#   cluster_stop DIR
# Servers cannot run as root, so as root the cluster runs as the "postgres"
# user, which owns DIR; clients (psql, pg_regress) run as the caller.
PG_BINDIR=${PG_BINDIR:-$(${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config} --bindir)}

as_server_user() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() {
	! (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && [ ! -e "/tmp/.s.PGSQL.$1" ]
}

# A cluster keeps its port across restarts (DIR/port), so a psql line printed
# earlier keeps working; a new cluster first tries a port derived from its
# folder, so one checkout's `make run` gets the same port every time.
free_port() {
	local dir=$1 p
	if [ -f "$dir/port" ]; then
		p=$(cat "$dir/port")
		port_free "$p" && { echo "$p"; return 0; }
	fi
	p=$((20000 + 0x$(echo "$dir" | md5sum | cut -c1-4) % 20000))
	port_free "$p" && { echo "$p"; return 0; }
	for p in $(shuf -i 20000-40000 -n 50); do
		port_free "$p" && { echo "$p"; return 0; }
	done
	return 1
}

# The line that lets singletable serve as an output plugin, on servers that
# have output_plugin_libraries (15.20, 17.12, 18.6 and later): a server that
# does not know the setting would refuse to start with it.
output_plugin_conf() {
	"$PG_BINDIR/postgres" --describe-config 2>/dev/null | awk -F'\t' '$1 == "output_plugin_libraries" { found = 1 }
		END { if (found) print "output_plugin_libraries = '\''pgoutput, test_decoding, singletable'\''" }'
}

cluster_start() {
	local dir=$1
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	PGPORT=$(free_port "$dir")
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_server_user "$PG_BINDIR/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log"; return 1; }
		cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
max_prepared_transactions = 10
$(output_plugin_conf)
fsync = off
log_min_messages = warning
log_line_prefix = '%m [%p] '
CONF
	fi
	as_server_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -o "-p $PGPORT" -l "$dir/server.log" -w start >/dev/null ||
		{ cat "$dir/server.log"; return 1; }
	echo "$PGPORT" >"$dir/port"
	export PGHOST=$dir PGPORT PGUSER=postgres
}

cluster_stop() {
	local dir=$1
	# a stale postmaster.pid (the server died, or the machine restarted) is
	# not an error: pg_ctl start copes with it
	[ -f "$dir/data/postmaster.pid" ] && as_server_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	return 0
}
