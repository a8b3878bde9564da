#!/usr/bin/env bash
# Installs the .deb from tools/package.sh, launches its desktop entry with gtk-launch under Xvfb (as a
# desktop menu would), waits for the window and saves a screenshot. Needs root (or sudo) and
# tools/install-deps.sh's packages.  usage: tools/check-deb.sh [OUT.png]  (default docs/screenshots/deb-launch.png)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots/deb-launch.png}"
deb=$(ls dist/mamba-playground_*_amd64.deb)
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall "./$deb" >/dev/null
entry=mamba-playground-mamba-playground
test -f "/usr/share/applications/$entry.desktop" || { echo "desktop entry not installed" >&2; exit 1; }
command -v mamba-playground >/dev/null || { echo "no mamba-playground command on PATH" >&2; exit 1; }
echo "mamba-playground on PATH: $(command -v mamba-playground) -> $(readlink -f "$(command -v mamba-playground)")"
mamba-playground --help | head -3
mkdir -p "$(dirname "$out")"
xvfb-run -a -s '-screen 0 1280x800x24' bash -c '
  gtk-launch "$1"
  for i in $(seq 1 120); do
    xwininfo -root -tree | grep -q "\"Mamba Playground\"" && break
    sleep 1
  done
  xwininfo -root -tree | grep "\"Mamba Playground\"" || { echo "no window after 120 s" >&2; exit 1; }
  sleep 20  # let the library scan and the demo model settle
  import -window root "$2"
' _ "$entry" "$out"
echo "window found; screenshot in $out"
