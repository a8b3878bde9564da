#!/usr/bin/env bash
# The official `openai` npm package in a headless Debian Chromium page against `serve` with a demo model:
# a page from a local origin completes a streamed chat, one from another origin is refused (CORS).
# Needs node/npm and Debian's chromium (apt-get install -y chromium). Output: stdout (and $1 if given).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
log="$(mktemp)"
(cd "$here" && npm ci --no-audit --no-fund --silent)
"$repo/run-app.sh" serve --model codestral-mamba-demo --port 0 >"$log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 120); do grep -q '^Serving ' "$log" && break; sleep 1; done
api="$(sed -n 's/^Serving .* at \(http[^ ]*\/v1\).*/\1/p' "$log")"
[ -n "$api" ] || { cat "$log"; echo "serve did not start" >&2; exit 1; }
node "$here/check.mjs" "$api" | tee ${1:+"$1"}
echo "--- serve's log:"; cat "$log"
