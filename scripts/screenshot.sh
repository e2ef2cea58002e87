#!/bin/sh
# screenshot.sh [OUT]: runs the backend and the real app window under Xvfb,
# waits until the app has synced, and writes a PNG of the main window, in
# German unless RATHAUS_LANG names another language.
set -eu
out="${1:-docs/screenshot.png}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"
port=$((20000 + $$ % 20000))
export RATHAUS_SHOT_OUT="$out" RATHAUS_SHOT_WORK="$work" RATHAUS_ADDR="127.0.0.1:$port"
xvfb-run -a -s "-screen 0 1280x900x24" scripts/with-keyring.sh sh -c '
	set -eu
	./bin/rathaus-server --addr "$RATHAUS_ADDR" --data "$RATHAUS_SHOT_WORK/server" >"$RATHAUS_SHOT_WORK/server.log" 2>&1 &
	server=$!
	i=0; until curl -fsS --max-time 1 "http://$RATHAUS_ADDR/healthz" >/dev/null 2>&1; do
		i=$((i+1)); [ $i -lt 100 ] || { cat "$RATHAUS_SHOT_WORK/server.log"; exit 1; }; sleep 0.1; done
	RATHAUS_LANG="${RATHAUS_LANG:-de}" RATHAUS_BACKEND="http://$RATHAUS_ADDR" RATHAUS_DATA_DIR="$RATHAUS_SHOT_WORK/app" ./bin/rathaus >"$RATHAUS_SHOT_WORK/app.log" 2>&1 &
	app=$!
	wid=$(xdotool search --sync --name "^Rathaus" | head -n 1)
	sleep 4
	import -window "$wid" "$RATHAUS_SHOT_OUT"
	kill $app $server 2>/dev/null || true
	wait $app $server 2>/dev/null || true
'
echo "screenshot: wrote $out"
