#!/usr/bin/env bash
# Builds everything and runs every test (GUI tests run headless under Monocle).
set -euo pipefail
cd "$(dirname "$0")"
. tools/java-home.sh
exec ./mvnw -B -ntp verify "$@"
