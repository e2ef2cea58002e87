#!/bin/sh
# Builds the packages into dist/ with the fyne tool ($FYNE) from FyneApp.toml:
# the Linux desktop package (tar.xz: binary, .desktop file, icon) and the
# Windows executable, cross-compiled with mingw-w64. Each step prints its
# time and the sizes, for BENCHMARKS.md.
# Usage: scripts/package.sh [linux] [windows]   (both when none is named)
set -eu
FYNE=${FYNE:?set FYNE to the fyne tool (make package does)}
cd "$(dirname "$0")/.."
mkdir -p dist
# fyne writes fyne_metadata_init.go next to main.go while it builds and
# removes it after; an interrupted build must not leave it for go build.
trap 'rm -f fyne_metadata_init.go' EXIT
targets=${*:-linux windows}
# The Name in FyneApp.toml names what fyne package writes.
name=$(sed -n 's/^ *Name *= *"\(.*\)"/\1/p' FyneApp.toml)

for t in $targets; do
	start=$(date +%s)
	case $t in
	linux)
		"$FYNE" package --os linux --release --tags sqlite_fts5
		mv -f "$name.tar.xz" dist/
		out="dist/$name.tar.xz"
		;;
	windows)
		# fyne package embeds the icon and the version from FyneApp.toml.
		CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1 "$FYNE" package --os windows --release --tags sqlite_fts5
		mv -f "$name.exe" dist/
		out="dist/$name.exe"
		;;
	*)
		echo "package: unknown target $t (linux, windows)" >&2
		exit 2
		;;
	esac
	echo "package: $out $(stat -c %s "$out") bytes in $(($(date +%s) - start)) s"
done
