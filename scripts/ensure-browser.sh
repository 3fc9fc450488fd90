#!/usr/bin/env bash
# Make sure the browser the end-to-end tests drive is installed: Debian's
# chromium, from apt. Playwright never downloads a browser of its own here.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ ! -x "$CHROMIUM" ]; then
  echo "Installing chromium..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # A Japanese font, or the Japanese journey's screenshots show boxes.
  apt-get install -y -qq --no-install-recommends chromium fonts-ipafont-gothic >/dev/null
fi
# (Debian's wrapper script prints a harmless shell warning on stderr.)
"$CHROMIUM" --version 2>/dev/null || { echo "$CHROMIUM does not start" >&2; exit 1; }
