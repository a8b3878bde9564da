#!/usr/bin/env bash
# System packages a fresh Debian machine lacks (tools/system-packages.txt): JavaFX's native libraries and fonts,
# Xvfb for headless runs and screenshots, gtk-launch, fakeroot for the .deb, the tools some scripts use.
set -euo pipefail
cd "$(dirname "$0")"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2046
packages=$(grep -v '^#' system-packages.txt | tr '\n' ' ')
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $packages >/dev/null
