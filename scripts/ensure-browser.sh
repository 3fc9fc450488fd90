#!/usr/bin/env bash
# Make sure the browser the end-to-end tests drive is installed: Chromium at
# $CHROMIUM (Debian's /usr/bin/chromium unless set), installed from apt on
# Debian when missing. Elsewhere install Chromium and a Japanese font with the
# machine's own packages and set CHROMIUM. Playwright never downloads a
# browser of its own here.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
DEBIAN_CHROMIUM=/usr/bin/chromium
CHROMIUM=${CHROMIUM:-$DEBIAN_CHROMIUM}

if [ ! -x "$CHROMIUM" ]; then
  if [ "$CHROMIUM" = "$DEBIAN_CHROMIUM" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium..."
    # A Japanese font, or the Japanese journey's screenshots show boxes.
    "$HERE/apt-install.sh" chromium fonts-ipafont-gothic
  else
    cat >&2 <<MESSAGE
The browser journeys (tests/e2e) need Chromium, and there is none at $CHROMIUM.
Install Chromium and a Japanese font (IPA Gothic or Noto Sans CJK) with this
machine's packages, then set CHROMIUM to the browser's path, e.g.
CHROMIUM=/usr/bin/chromium-browser make test. On Debian, apt-get installs both.
MESSAGE
    exit 1
  fi
fi
# (Debian's wrapper script prints a harmless shell warning on stderr.)
"$CHROMIUM" --version 2>/dev/null || { echo "$CHROMIUM does not start" >&2; exit 1; }
