#!/usr/bin/env bash
# Make sure the command-line tools a make target drives are installed:
# `scripts/ensure-tools.sh wrk msgfmt`. wrk is the benchmarks' load generator
# (`make bench`, and its smoke run in `make test`); msgfmt (gettext) compiles
# the translations. On Debian they come from apt; elsewhere the script says
# what to install.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
declare -A PACKAGE=([wrk]=wrk [msgfmt]=gettext)
declare -A PURPOSE=(
  [wrk]="the benchmarks' HTTP load generator (https://github.com/wg/wrk)"
  [msgfmt]="GNU gettext's compiler of the translations"
)

missing=()
for tool in "${@:-wrk}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  packages=()
  for tool in "${missing[@]}"; do packages+=("${PACKAGE[$tool]}"); done
  echo "Installing ${packages[*]}..."
  exec "$HERE/apt-install.sh" "${packages[@]}"
fi
{
  echo "Missing, and this machine has no apt-get to install them:"
  for tool in "${missing[@]}"; do
    echo "  $tool: ${PURPOSE[$tool]}, package '${PACKAGE[$tool]}' in most systems"
  done
  echo "Install them with this machine's packages (e.g. brew install ${missing[*]/msgfmt/gettext}), then run make again."
} >&2
exit 1
