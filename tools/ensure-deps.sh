# Sourced by run-app.sh and run-tests.sh: when packages of tools/system-packages.txt are missing (on a Debian
# or Ubuntu machine), installs them as root, or says the one command to run; elsewhere it checks nothing.
ensure_deps() {
  command -v dpkg >/dev/null 2>&1 || return 0
  local here missing=""
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  for p in $(grep -v '^#' "$here/system-packages.txt"); do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing the system packages Mamba Playground needs:$missing" >&2
    bash "$here/install-deps.sh"
  else
    echo "Mamba Playground needs these system packages:$missing" >&2
    echo "Install them once with:  sudo $here/install-deps.sh" >&2
    exit 1
  fi
}
ensure_deps
