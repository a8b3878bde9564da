#!/usr/bin/env bash
# Opens the Mamba Playground window with a built-in demo model loaded (builds the app first when needed).
#   ./run-app.sh                 the window, first demo model active
#   ./run-app.sh chat --demo ... any launcher command or window option instead (see --help)
set -euo pipefail
cd "$(dirname "$0")"
. tools/java-home.sh
jar=app/target/mamba-playground.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml ./*/pom.xml ./*/src -newer "$jar" -print -quit 2>/dev/null)" ]; then
  echo "Building Mamba Playground (first run, or the sources changed)..." >&2
  ./mvnw -B -ntp -q -Ppackage -pl app -am package -DskipTests
fi
if [ $# -eq 0 ]; then
  if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "No display found: run it on a desktop, or under Xvfb: xvfb-run -a ./run-app.sh" >&2
    exit 1
  fi
  set -- --load-demo
fi
exec java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxDirectMemorySize=1t -jar "$jar" "$@"
