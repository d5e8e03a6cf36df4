#!/bin/sh
# Install the Debian packages listed in LIST (tools/deps.txt unless told)
# that are missing: `install-deps.sh [LIST]`. Run as root on a fresh
# Debian 12; as another user, it only reports.
set -eu
here=$(dirname "$0")
list=${1:-$here/deps.txt}
missing=""
for pkg in $(grep -v '^#' "$list" | tr -s ' \n' ' '); do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $pkg"
  fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "gainstage needs these Debian packages:$missing" >&2
  echo "install them as root: apt-get install$missing" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
