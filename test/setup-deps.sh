#!/usr/bin/env bash
# Installs what building and testing singletable needs on Debian 12, only
# what is missing.  Run as root (or with sudo available); a no-op when all is there.
set -euo pipefail
need=()
pkg_ok() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# The server must be 15.20 or newer (output_plugin_libraries), so upgrade it too.
# (test_decoding, which the tests use, ships in postgresql-15 itself;
# postgresql-contrib-15 is a virtual package that dpkg never reports as
# installed, so it is not checked here.)
# libkrb5-dev: PostgreSQL's libpq/libpq-be.h includes gssapi/gssapi.h on
# Debian's GSSAPI-enabled builds, and src/citus_layout.c reads the client's
# input buffer through libpq/libpq.h.
for p in postgresql-15 postgresql-server-dev-15 libkrb5-dev libipc-run-perl make gcc; do
	pkg_ok "$p" || need+=("$p")
done
if pkg_ok postgresql-15; then
	v=$(dpkg-query -W -f='${Version}' postgresql-15)
	dpkg --compare-versions "$v" ge 15.20 || need+=(postgresql-15)
fi
# the TypeScript client example (test/clients) needs node and npm
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
# the Python client (src/clients/python) is tested with Debian's boto3,
# psycopg2 and pytest, run by /usr/bin/python3
for p in python3-boto3 python3-psycopg2 python3-pytest; do pkg_ok "$p" || need+=("$p"); done
# EXTRA_PACKAGES="a b": packages a caller (bench, the Debian build) needs too
for p in ${EXTRA_PACKAGES:-}; do pkg_ok "$p" || need+=("$p"); done
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "setup-deps: installing ${need[*]}"
# Wait for another apt (unattended upgrades, a second make) rather than fail.
lock=(-o DPkg::Lock::Timeout=300)
$SUDO apt-get "${lock[@]}" update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${lock[@]}" install -y -qq "${need[@]}" >/dev/null
