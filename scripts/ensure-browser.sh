#!/usr/bin/env bash
# The phone app's end-to-end tests drive Debian's Chromium through Playwright for Python.
# Playwright's own browser download does not work here, so install the distribution's
# package when it is missing (Debian/Ubuntu, as root or through sudo).
set -euo pipefail

command -v chromium >/dev/null 2>&1 && exit 0

echo "Chromium is not installed; installing it from the distribution's packages" >&2
SUDO=()
[ "$(id -u)" = 0 ] || SUDO=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq chromium >/dev/null
