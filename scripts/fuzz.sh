#!/bin/sh
# fuzz.sh [TIME]: runs every fuzz target of the module (each func FuzzXxx in
# a _test.go file) for TIME (default 30s) with two workers, one after the
# other, and prints a line per target. Environment:
#   FUZZ_MINIMIZE  -fuzzminimizetime (default 200x: a new interesting input
#                  is minimised by at most 200 runs, not for up to a minute)
#   FUZZ_MATCH     only targets whose "package:Name" matches this grep pattern
#   FUZZ_SAVE=1    copy each target's corpus (the inputs that found new code,
#                  up to 64 KiB each) from the build cache into its package's
#                  testdata/fuzz/, where `go test` runs them as tests
# A target that fails leaves its input in testdata/fuzz/ (Go does that) and
# makes the script exit 1 after the others ran.
set -eu
cd "$(dirname "$0")/.."
time=${1:-30s}
minimize=${FUZZ_MINIMIZE:-200x}
match=${FUZZ_MATCH:-.}
cache=$(go env GOCACHE)/fuzz
module=$(go list -m)

targets=$(grep -rl --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*(f \*testing.F)' . |
	while read -r file; do
		dir=$(dirname "$file")
		sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(f \*testing.F).*/\1/p' "$file" | sed "s|^|$dir:|"
	done | sort | grep -e "$match" || true)
if [ -z "$targets" ]; then
	echo "fuzz: no target matches $match" >&2
	exit 1
fi

failed=""
for t in $targets; do
	dir=${t%%:*}
	name=${t#*:}
	log=$(mktemp)
	start=$(date +%s)
	if go test "$dir" -run '^$' -fuzz "^$name\$" -fuzztime "$time" -fuzzminimizetime "$minimize" -parallel 2 >"$log" 2>&1; then
		verdict=ok
	else
		verdict=FAIL
		failed="$failed $t"
	fi
	# the last progress line, without its momentary rate
	last=$(grep '^fuzz: elapsed' "$log" | tail -1 | sed 's/^fuzz: //; s/ ([0-9]*\/sec)//' || true)
	echo "$verdict $t ($(($(date +%s) - start)) s with the build): $last"
	if [ "$verdict" = FAIL ]; then
		grep -v '^fuzz: elapsed' "$log" | head -40
	fi
	rm -f "$log"
	if [ "${FUZZ_SAVE:-}" = 1 ]; then
		pkg=$module/${dir#./}
		src=$cache/$pkg/$name
		if [ -d "$src" ]; then
			mkdir -p "$dir/testdata/fuzz/$name"
			find "$src" -type f -size -65k -exec cp {} "$dir/testdata/fuzz/$name/" \;
		fi
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed" >&2
	exit 1
fi
