#!/usr/bin/env bash
# Opens the Mamba Playground window with a built-in demo model loaded (builds the app first when needed).
#   ./run-app.sh                 the window, first demo model active
#   ./run-app.sh chat --demo ... any launcher command or window option instead (see --help)
# It runs in the caller's directory, so a .env there is read and relative paths (download --dir models)
# mean what they say; only the build happens in the checkout.
# Heap: -Xmx4g. The weights are memory-mapped and the KV cache is native memory, so the heap holds only
# activations, Mamba2 states (276 MB for Codestral Mamba 7B) and the window; without a cap a long run lets
# garbage grow to a quarter of RAM.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
. "$root/tools/java-home.sh"
. "$root/tools/ensure-deps.sh"
jar="$root/app/target/mamba-playground.jar"
if [ ! -f "$jar" ] || [ -n "$(cd "$root" && find pom.xml ./*/pom.xml ./*/src -newer "$jar" -print -quit 2>/dev/null)" ]; then
  echo "Building Mamba Playground (first run, or the sources changed)..." >&2
  (cd "$root" && ./mvnw -B -ntp -q -Ppackage -pl app -am package -DskipTests)
fi
if [ $# -eq 0 ]; then
  if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "No display found: run it on a desktop, or under Xvfb: xvfb-run -a ./run-app.sh" >&2
    exit 1
  fi
  set -- --load-demo
fi
exec java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxDirectMemorySize=1t -Xmx4g -jar "$jar" "$@"
