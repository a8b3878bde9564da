#!/usr/bin/env bash
# Loopback download throughput: the downloader vs curl, same file, same test hub (302 to a second server).
# Usage: tools/bench-download.sh [MiB, default 1024] [rounds, default 5] [hash while downloading: true (default) or false]   (BENCH_OPTS: extra JVM options)
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/java-home.sh
./mvnw -B -ntp -q -pl downloader test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
exec java --enable-native-access=ALL-UNNAMED ${BENCH_OPTS:-} -cp "downloader/target/test-classes:downloader/target/classes:$(cat downloader/target/bench.cp)" \
  org.mambaplayground.downloader.DownloadBenchmark "${1:-1024}" "${2:-5}" ${3:-}
