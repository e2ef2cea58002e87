#!/bin/sh
# bench-start.sh [RUNS]: the start benchmark of BENCHMARKS.md. Builds the
# app and Fyne's hello-world (cmd/fyne-hello) the same way, then under one
# Xvfb runs each RUNS times in turn (hello, app, hello, app ...) after a
# warm-up, every run a whole process ended by RATHAUS_EXIT_AFTER_FIRST_FRAME
# right after its first frame (ui/firstframe). The app opens a data folder
# it has opened before (a normal start, not the very first) and a backend
# that does not answer. Prints the medians of wall time, CPU time and peak
# resident memory, the median of the app/hello ratios pair by pair, and
# what each takes of a core over 10 s while it sits idle.
set -eu
runs="${1:-10}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/rathaus" .
go build -o "$work/fyne-hello" ./cmd/fyne-hello
export RATHAUS_DATA_DIR="$work/data" RATHAUS_SECRET_STORE=file RATHAUS_BACKEND=http://127.0.0.1:9 LANG=de_DE.UTF-8

xvfb-run -a -s "-screen 0 1280x900x24" sh -c '
	set -eu
	work=$1 runs=$2
	# wall from date (ms; time gives 10 ms steps), CPU and peak memory from time
	once() {
		s=$(date +%s%N)
		RATHAUS_EXIT_AFTER_FIRST_FRAME=1 /usr/bin/time -f "%U %S %M" -o "$work/t" "$work/$1" >/dev/null 2>&1
		e=$(date +%s%N)
		echo "$(( (e-s)/1000000 )) $(cat "$work/t")" >>"$work/$1.times"
	}
	# The first start seeds the data folder; then a warm-up each.
	RATHAUS_EXIT_AFTER_FIRST_FRAME=1 "$work/rathaus" >/dev/null 2>&1
	once fyne-hello; once rathaus; rm -f "$work"/*.times
	i=0
	while [ $i -lt "$runs" ]; do once fyne-hello; once rathaus; i=$((i+1)); done
	idle() {
		"$work/$1" >/dev/null 2>&1 & pid=$!
		sleep 4
		a=$(awk "{print \$14+\$15}" /proc/$pid/stat); sleep 10; b=$(awk "{print \$14+\$15}" /proc/$pid/stat)
		kill $pid; wait $pid 2>/dev/null || true
		echo "$1 $((b-a))" >>"$work/idle"
	}
	idle fyne-hello; idle rathaus
' sh "$work" "$runs"

median() { sort -g | awk '{v[NR]=$1} END {m = NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.3g\n", m}'; }
field() { awk -v f="$2" '{ if (f == "cpu") print $2+$3; else if (f == "wall") print $1/1000; else print $4/1024 }' "$work/$1.times"; }
ticks=$(getconf CLK_TCK)
echo "$runs runs each, $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg)"
printf "%-12s %10s %10s %10s\n" "" "wall s" "cpu s" "peak MiB"
for b in fyne-hello rathaus; do
	printf "%-12s %10s %10s %10s\n" "$b" "$(field $b wall | median)" "$(field $b cpu | median)" "$(field $b mem | median)"
done
for f in wall cpu mem; do
	ratio=$(paste -d" " "$work/rathaus.times" "$work/fyne-hello.times" | awk -v f=$f '{
		if (f == "wall") print $1/$5; else if (f == "cpu") print ($2+$3)/($6+$7); else print $4/$8 }' | median)
	printf "app/hello %-4s %s (median of the pairs)\n" "$f" "$ratio"
done
while read -r b t; do
	printf "idle %-12s %s%% of a core (10 s)\n" "$b" "$(awk -v t="$t" -v hz="$ticks" 'BEGIN {printf "%.1f", 100*t/hz/10}')"
done <"$work/idle"
