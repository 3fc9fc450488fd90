#!/usr/bin/env bash
# Make sure the command-line tools the benchmarks drive are installed: wrk,
# the load generator (`make bench`, and its smoke run in `make test`), from
# Debian's packages.
set -euo pipefail

if ! command -v wrk >/dev/null 2>&1; then
  echo "Installing wrk..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
echo "wrk: $(wrk --version 2>&1 | head -1 | cut -d' ' -f2)"
