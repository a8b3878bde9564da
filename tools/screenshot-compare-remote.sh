#!/usr/bin/env bash
# docs/screenshots/compare-remote.png: Compare with a local model on the left and a remote one on the right (our own
# OpenAI-compatible server over the Nemo demo model on a loopback port, added as an endpoint), under Xvfb.
# Usage: tools/screenshot-compare-remote.sh [output.png]
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/java-home.sh
OUT=$(realpath -m "${1:-docs/screenshots/compare-remote.png}")
mkdir -p target
./mvnw -B -ntp -q -pl gui -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/target/gui-test.classpath" -Dmdep.includeScope=test >/dev/null
CP="gui/target/test-classes:gui/target/classes:$(cat target/gui-test.classpath)"
xvfb-run -a -s "-screen 0 ${SCREEN:-1280x800}x24" java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "$CP" org.mambaplayground.gui.remote.CompareRemoteScreenshot "$OUT"
