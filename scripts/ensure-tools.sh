#!/usr/bin/env bash
# Make sure the command-line tools a make target drives are installed, from
# Debian's packages: `scripts/ensure-tools.sh wrk msgfmt`. wrk is the
# benchmarks' load generator (`make bench`, and its smoke run in `make
# test`); msgfmt (gettext) compiles the translations.
set -euo pipefail

declare -A PACKAGE=([wrk]=wrk [msgfmt]=gettext)

missing=()
for tool in "${@:-wrk}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${PACKAGE[$tool]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
