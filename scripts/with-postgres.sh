#!/bin/sh
# with-postgres.sh CMD...: runs CMD with RATHAUS_TEST_POSTGRES set to a
# PostgreSQL cluster of its own: initdb in a temp folder, the server on a free
# loopback port with its socket in that folder, stopped and removed when CMD
# ends, also when it fails or is interrupted. The PostgreSQL tests create a
# schema per test in it.
#
# If RATHAUS_TEST_POSTGRES is set already, CMD runs against that server. If
# PostgreSQL is not installed, CMD runs without it and the PostgreSQL tests
# skip, saying why (RATHAUS_TEST_POSTGRES_MISSING).
#
# The cluster is thrown away after the tests, so it runs without fsync: the
# tests are about behaviour, not about surviving a power cut. For benchmarks,
# RATHAUS_TEST_POSTGRES_FSYNC=on makes it sync its commits as a real one does.
set -eu

if [ -n "${RATHAUS_TEST_POSTGRES:-}" ]; then
	exec "$@"
fi

bindir=""
for d in /usr/lib/postgresql/*/bin; do
	[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && bindir=$d # the glob sorts, so the newest wins
done
if [ -z "$bindir" ]; then
	echo "with-postgres: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); its tests will skip." >&2
	export RATHAUS_TEST_POSTGRES_MISSING="PostgreSQL is not installed here (scripts/deps.sh could not install Debian's postgresql package)"
	exec "$@"
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/rathaus-pg.XXXXXX")
# initdb refuses to run as root: then the cluster belongs to the postgres
# user. setpriv execs (no child in between), so the server is this script's
# own child: it stops and reaps it.
as_owner=""
if [ "$(id -u)" = 0 ]; then
	chown postgres "$dir"
	as_owner="setpriv --reuid=postgres --regid=postgres --init-groups --"
fi

pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill -QUIT "$pid" 2>/dev/null || true # immediate shutdown: the cluster is thrown away
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! $as_owner "$bindir/initdb" -D "$dir/db" -A trust -U rathaus -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
	echo "with-postgres: initdb failed:" >&2
	cat "$dir/initdb.log" >&2
	exit 1
fi

fsync=off
[ "${RATHAUS_TEST_POSTGRES_FSYNC:-}" != on ] || fsync=on

# A random port; if it is taken, the server exits at once and the next one
# is tried.
port=""
for attempt in 1 2 3 4 5 6 7 8; do
	p=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 + 20000 ))
	$as_owner "$bindir/postgres" -D "$dir/db" -p "$p" -k "$dir" -c listen_addresses=127.0.0.1 \
		-c max_connections=300 -c fsync="$fsync" -c synchronous_commit="$fsync" -c full_page_writes="$fsync" \
		>>"$dir/server.log" 2>&1 &
	pid=$!
	i=0
	while kill -0 "$pid" 2>/dev/null && ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$p"; do
		i=$((i + 1))
		[ "$i" -le 300 ] || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null && "$bindir/pg_isready" -q -h 127.0.0.1 -p "$p"; then
		port=$p
		break
	fi
	kill -QUIT "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=""
done
if [ -z "$port" ]; then
	echo "with-postgres: the PostgreSQL server did not start; its log:" >&2
	cat "$dir/server.log" >&2 || true
	exit 1
fi

export RATHAUS_TEST_POSTGRES="postgres://rathaus@127.0.0.1:$port/postgres?sslmode=disable"
set +e
"$@"
rc=$?
set -e
exit $rc
