#!/bin/sh
# Installs what building, running and testing Rathaus need on Debian: the C
# headers of Fyne's desktop driver, Xvfb and ImageMagick for screenshots, a
# Secret Service (gnome-keyring) for the keyring, PostgreSQL for the tests of
# the backend's second store, then the Go modules.
# Idempotent: it installs only what is missing, with sudo only when not root.
# `scripts/deps.sh package` adds what `make package` alone needs: the
# mingw-w64 C cross compiler for the Windows executable; `scripts/deps.sh
# bench` what `make bench-start` needs: GNU time.
set -eu

PACKAGES="gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
libxinerama-dev libxi-dev libxxf86vm-dev xvfb xauth imagemagick xdotool gnome-keyring dbus curl"
if [ "${1:-}" = package ]; then
	PACKAGES="$PACKAGES gcc-mingw-w64-x86-64-win32"
fi
if [ "${1:-}" = bench ]; then
	PACKAGES="$PACKAGES time"
fi

if ! command -v go >/dev/null 2>&1; then
	echo "deps: Go is not installed (or not on PATH). Install Go 1.26 from https://go.dev/dl/ first." >&2
	exit 1
fi
if ! go version | grep -Eq 'go1\.(2[6-9]|[3-9][0-9])'; then
	echo "deps: Rathaus needs Go 1.26 or newer; found: $(go version)" >&2
	exit 1
fi

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "deps: missing packages:$missing; this script installs them on Debian or Ubuntu only." >&2
		exit 1
	fi
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	echo "deps: installing$missing"
	$SUDO apt-get update -qq
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# PostgreSQL is only needed by the tests of server/postgres and of several
# backends on one database (scripts/with-postgres.sh runs a throwaway cluster).
# If it cannot be installed, everything else still works and those tests skip,
# saying so.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	if command -v apt-get >/dev/null 2>&1; then
		SUDO=""
		[ "$(id -u)" = 0 ] || SUDO=sudo
		echo "deps: installing postgresql"
		if ! { $SUDO apt-get update -qq &&
			$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }; then
			echo "deps: could not install postgresql; the PostgreSQL tests will skip." >&2
		fi
	else
		echo "deps: postgresql is missing and this is not Debian or Ubuntu; the PostgreSQL tests will skip." >&2
	fi
fi
# Chromium drives the staff console's browser test (server/console, through
# chromedp). Without it that test skips, saying so.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
	if command -v apt-get >/dev/null 2>&1; then
		SUDO=""
		[ "$(id -u)" = 0 ] || SUDO=sudo
		echo "deps: installing chromium"
		if ! { $SUDO apt-get update -qq &&
			$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
			echo "deps: could not install chromium; the staff console's browser test will skip." >&2
		fi
	else
		echo "deps: chromium is missing and this is not Debian or Ubuntu; the staff console's browser test will skip." >&2
	fi
fi
go mod download
