#!/usr/bin/env bash
# Builds everything and runs every test (GUI tests run headless under Monocle); installs missing system
# packages first when run as root (tools/ensure-deps.sh), or says the command to run.
set -euo pipefail
cd "$(dirname "$0")"
. tools/java-home.sh
. tools/ensure-deps.sh
exec ./mvnw -B -ntp verify "$@"
