#!/usr/bin/env bash
# One command for every distributable: the single runnable jar, a jpackage app image and a .deb.
#   tools/package.sh            -> dist/mamba-playground.jar, dist/app-image/mamba-playground/, dist/*.deb
#   tools/package.sh --no-deb   -> jar and app image only
# Tests are skipped here (run ./run-tests.sh for them). Needs JDK 25 (tools/java-home.sh), and for the
# .deb fakeroot and dpkg-deb (tools/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/java-home.sh
make_deb=1; [ "${1:-}" = "--no-deb" ] && make_deb=0

NAME=mamba-playground
VERSION=0.1.0
DESCRIPTION="Playground for Codestral Mamba and Mistral models on a pure-Java CPU engine"
JAVA_OPTIONS=(--java-options --add-modules=jdk.incubator.vector
              --java-options --enable-native-access=javafx.graphics,ALL-UNNAMED
              --java-options -XX:MaxDirectMemorySize=1t
              --java-options -Xmx4g)  # heap cap: see JarLauncher.HEAP_FLAG

echo "== building the jars"
./mvnw -B -ntp -q -Ppackage -pl app -am package -DskipTests

rm -rf dist && mkdir -p dist/input dist/fx dist/app-image
cp app/target/mamba-playground.jar dist/
# JavaFX (the -linux jars) goes on the module path and is linked into the runtime; every other jar is input.
for jar in app/target/libs/*.jar; do
  case "$(basename "$jar")" in
    javafx-*-linux.jar) cp "$jar" dist/fx/ ;;
    javafx-*) ;;  # the empty platform-independent javafx jars
    *) cp "$jar" dist/input/ ;;
  esac
done
cp app/target/app-*.jar dist/input/
main_jar=$(basename "$(ls app/target/app-*.jar | grep -v -- '-tests.jar' | head -n 1)")

echo "== finding the JDK modules the app uses (jdeps)"
jdk_modules=$(jdeps --ignore-missing-deps --print-module-deps --multi-release 25 \
    --module-path dist/fx --class-path "dist/input/*" "dist/input/$main_jar" 2>/dev/null || true)
# An explicit list: ALL-DEFAULT silently yields a runtime of two modules. jdeps misses what is only
# reached by reflection or services (TLS providers, charsets, zipfs for jar resources), hence the extras.
modules="${jdk_modules:+$jdk_modules,}java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.sql,jdk.crypto.ec,jdk.charsets,jdk.httpserver,jdk.incubator.vector,jdk.localedata,jdk.unsupported,jdk.zipfs,jdk.jsobject,javafx.base,javafx.graphics,javafx.controls,javafx.swing"
modules=$(echo "$modules" | tr ',' '\n' | sed '/^$/d' | sort -u | while read -r m; do
  if [ -z "${m##javafx.*}" ] || java --list-modules | grep -q "^$m@"; then echo "$m"; fi
done | paste -sd, -)
echo "   $modules"

echo "== app image"
jpackage --type app-image --dest dist/app-image --name "$NAME" --app-version "$VERSION" \
  --description "$DESCRIPTION" --vendor "Mamba Playground" \
  --input dist/input --main-jar "$main_jar" --main-class org.mambaplayground.app.Main \
  --module-path dist/fx --add-modules "$modules" \
  --icon assets/src/main/resources/org/mambaplayground/assets/icon-256.png \
  --arguments --load-demo \
  "${JAVA_OPTIONS[@]}"
# JavaFX's native libraries into the runtime's lib/: loaded from there, nothing is extracted to ~/.openjfx.
unzip -q -o -j dist/fx/javafx-graphics-*-linux.jar '*.so' -d "dist/app-image/$NAME/lib/runtime/lib/"

if [ "$make_deb" = 1 ]; then
  echo "== .deb"
  jpackage --type deb --dest dist --name "$NAME" --app-version "$VERSION" \
    --description "$DESCRIPTION" --vendor "Mamba Playground" \
    --app-image "dist/app-image/$NAME" \
    --icon assets/src/main/resources/org/mambaplayground/assets/icon-256.png \
    --resource-dir app/src/packaging/linux \
    --linux-shortcut --linux-menu-group "Development" --linux-app-category devel \
    --linux-deb-maintainer "$(git log -1 --format=%ae 2>/dev/null || echo maintainers@mambaplayground.invalid)" \
    --linux-package-deps 'libgtk-3-0, libgl1, libxxf86vm1, libxtst6, libfreetype6, libfontconfig1, libpango-1.0-0, libpangoft2-1.0-0, fonts-dejavu-core' \
    --copyright "Apache-2.0"  # no --about-url: the project has no public homepage, so no Homepage field
fi
rm -rf dist/input dist/fx
echo "== done"
ls -la dist dist/app-image
