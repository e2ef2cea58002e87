#!/bin/sh
# Fails with a clear message when no display is available for the app window.
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
	cat >&2 <<'MSG'
make run: no display available (DISPLAY and WAYLAND_DISPLAY are empty), so the
app window cannot open. Run it from a desktop session, or try it headless:
  make screenshot     runs the real app under Xvfb and writes docs/screenshot.png
  xvfb-run -a make run
MSG
	exit 1
fi
