#!/usr/bin/env bash
# System packages a fresh Debian machine lacks: JavaFX's native libraries and fonts, Xvfb for headless
# runs and screenshots, fakeroot for the .deb, the reference tools some tests and scripts use.
set -euo pipefail
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  libgtk-3-0 libgl1 libxxf86vm1 libxtst6 libfreetype6 libfontconfig1 libpango-1.0-0 libpangoft2-1.0-0 \
  fonts-dejavu-core xvfb xauth x11-utils imagemagick fakeroot binutils curl >/dev/null
