#!/usr/bin/env bash
# Starts the app under Xvfb with a throw-away home, loads the first demo model, visits every page and
# saves a PNG of each under docs/screenshots/ (JavaFX snapshots), plus window.png of the whole X screen
# taken with imagemagick's `import` once the window is up.
# Usage: tools/screenshots.sh [output-dir] [app options, e.g. --dark, --load=/path/to/model or --size=1024x700]
# SCREEN=1024x700 sets the X screen's size (default 1280x800); pass --size too for a window that fills it.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/java-home.sh
OUT=$(realpath -m "${1:-docs/screenshots}")
shift || true
mkdir -p "$OUT" target
./mvnw -B -ntp -q -pl gui -am compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/target/gui.classpath" -Dmdep.includeScope=runtime >/dev/null
CP="gui/target/classes:$(cat target/gui.classpath)"
HOME_DIR=$(mktemp -d)
trap 'rm -rf "$HOME_DIR"' EXIT

xvfb-run -a -s "-screen 0 ${SCREEN:-1280x800}x24" bash -c '
  set -e
  java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djavafx.cachedir="$3/javafx" \
    -cp "$1" org.mambaplayground.gui.Launcher --screenshot-dir="$2" --home="$3" --load-demo "${@:4}" &
  app=$!
  for i in $(seq 1 120); do
    if xwininfo -root -tree 2>/dev/null | grep -q "Mamba Playground"; then break; fi
    sleep 0.5
  done
  sleep 3
  import -window root "$2/window.png" || echo "import failed" >&2
  wait $app
' _ "$CP" "$OUT" "$HOME_DIR" "$@"
ls -1 "$OUT"
