#!/bin/sh
# with-keyring.sh CMD...: runs CMD where go-keyring finds a Secret Service.
# If the desktop session already has one, CMD runs there. Otherwise CMD runs
# in a private D-Bus session with its own gnome-keyring-daemon, unlocked,
# which is stopped when CMD ends. Its keyring files live in
# $RATHAUS_KEYRING_DIR (a temp folder if unset).
set -eu

has_secrets() {
	dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}

if [ -z "${RATHAUS_PRIVATE_KEYRING:-}" ]; then
	if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] && has_secrets; then
		exec "$@"
	fi
	export RATHAUS_PRIVATE_KEYRING=1
	exec dbus-run-session -- "$0" "$@"
fi

# Inside the private session.
dir="${RATHAUS_KEYRING_DIR:-}"
if [ -z "$dir" ]; then
	dir=$(mktemp -d)
	cleanup_dir=$dir
else
	mkdir -p "$dir"
	cleanup_dir=""
fi
export XDG_DATA_HOME="$dir"
printf '%s' "${RATHAUS_KEYRING_PASSWORD:-rathaus}" |
	gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
daemon=$!
cleanup() {
	kill "$daemon" 2>/dev/null || true
	wait "$daemon" 2>/dev/null || true
	[ -z "$cleanup_dir" ] || rm -rf "$cleanup_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
i=0
until has_secrets; do
	i=$((i + 1))
	if [ "$i" -gt 100 ]; then
		echo "with-keyring: gnome-keyring-daemon did not start within 10 s" >&2
		exit 1
	fi
	sleep 0.1
done
set +e
"$@"
rc=$?
set -e
exit $rc
