#!/usr/bin/env bash
# Install Debian packages a make target needs: `scripts/apt-install.sh wrk`.
# As root, or through sudo; the callers check for apt-get first and, on a
# machine without it, say what to install instead.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo -- "$0" "$@"
  fi
  echo "Installing $* needs root: run 'apt-get install $*' as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "$@" >/dev/null
