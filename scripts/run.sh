#!/bin/sh
# run.sh: starts the reference backend on RATHAUS_ADDR (default
# 127.0.0.1:8080) with its data in .run/server, then the app against it with
# its data in .run/app. When the app quits, the backend stops. If the port
# is taken by a Rathaus backend already, the app uses that one; if it is
# taken by something else, the app runs alone on its demo municipality.
set -eu

addr="${RATHAUS_ADDR:-127.0.0.1:8080}"
mkdir -p .run

server=""
stop_server() {
	[ -z "$server" ] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
}
trap stop_server EXIT
trap 'exit 130' INT TERM

healthy() { curl -fsS --max-time 1 "http://$addr/healthz" >/dev/null 2>&1; }

if healthy; then
	echo "run: a backend already answers on http://$addr; using it."
else
	./bin/rathaus-server --addr "$addr" --data .run/server >.run/server.log 2>&1 &
	server=$!
	i=0
	until healthy; do
		i=$((i + 1))
		if ! kill -0 "$server" 2>/dev/null || [ "$i" -gt 100 ]; then
			echo "run: the backend did not start (see .run/server.log):" >&2
			tail -n 5 .run/server.log >&2 || true
			echo "run: starting the app alone on its demo municipality." >&2
			server=""
			break
		fi
		sleep 0.1
	done
	[ -z "$server" ] || echo "run: backend on http://$addr (log: .run/server.log)"
fi

RATHAUS_BACKEND="http://$addr" RATHAUS_DATA_DIR="$(pwd)/.run/app" RATHAUS_KEYRING_DIR="$(pwd)/.run/keyring" \
	scripts/with-keyring.sh ./bin/rathaus
