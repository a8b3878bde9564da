#!/usr/bin/env bash
# issue15-curl-checks.sh JAR: the issue-15 server checks with curl against `serve` from JAR (demo model)
jar="$1"; work=$(mktemp -d); cd "$work"
J="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -jar $jar"
printf 'HOST="127.0.0.1"  # comment\nPORT="18013" # comment\n' > .env
timeout 20 $J serve --model codestral-mamba-demo > envrun.log 2>&1; echo ".env with quotes+comments: $(grep -m1 -E 'Serving|PORT|HOST|rror' envrun.log | cut -c1-120)"
rm .env
$J serve --model codestral-mamba-demo --port 0 > serve.log 2>&1 & pid=$!
for i in $(seq 60); do grep -q '^Serving' serve.log && break; sleep 1; done
base=$(sed -n 's/^Serving .* at \(http[^ ]*\)\/v1.*/\1/p' serve.log)
echo "preflight x-stainless-os: $(curl -si -X OPTIONS -H 'Origin: http://localhost:5173' -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: x-stainless-os,content-type' $base/v1/chat/completions | grep -i 'access-control-allow-headers' | tr -d '\r')"
echo "GET /v1/models from Origin https://evil.example: $(curl -s -o /dev/null -w '%{http_code}' -H 'Origin: https://evil.example' $base/v1/models)"
echo "GET /v1/models with Host: evil.example: $(curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.example' $base/v1/models)"
echo "GET /health: $(curl -s -o /dev/null -w '%{http_code}' $base/health); x-request-id: $(curl -si $base/v1/models | grep -ic '^x-request-id')"
echo "legacy route, model mistral: $(curl -s -o /dev/null -w '%{http_code}' -d '{"model":"mistral","prompt":"def f(x):","max_tokens":3}' $base/v1/engines/completions)"
echo "frequency_penalty 0.5: $(curl -s -o /dev/null -w '%{http_code}' -d '{"prompt":"hi","max_tokens":3,"frequency_penalty":0.5}' $base/v1/completions)"
curl -s --max-time 1 -o /dev/null -d '{"prompt":"hi","max_tokens":30000,"ignore_eos":true}' $base/v1/completions
start=$(date +%s.%N)
code=$(curl -s --max-time 15 -o /dev/null -w '%{http_code}' -d '{"prompt":"hi","max_tokens":2}' $base/v1/completions)
echo "non-streaming client gone after 1 s; next request: HTTP $code after $(echo "$(date +%s.%N) - $start" | bc | cut -c1-5) s"
kill $pid; wait $pid 2>/dev/null
