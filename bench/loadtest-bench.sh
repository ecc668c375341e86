#!/usr/bin/env bash
# Side-by-side benchmark of the load generators on this machine, against one local fake Ollama (127.0.0.1 only):
#   1. throughput: ai-inference loadtest, wrk and autocannon, same request, same connections, same duration;
#      prints requests/s and client CPU (user+sys of the client process, from /usr/bin/time) per request.
#   2. capacity: the most concurrent *streaming* users ai-inference loadtest holds (every stream completes,
#      all in flight at once), with its peak memory (max RSS).
# Every process is bounded in time and stops by itself. Re-run: bench/loadtest-bench.sh [seconds-per-run]
set -euo pipefail

cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${1:-15}"
CONNECTIONS="${BENCH_CONNECTIONS:-50}"
STREAM_USERS="${BENCH_STREAM_USERS:-1000 2000 4000 8000}"
AUTOCANNON_VERSION=9.0.0
PORT_FAST="${BENCH_PORT_FAST:-18431}"
PORT_STREAM="${BENCH_PORT_STREAM:-18432}"
JAR=target/ai-inference.jar
OUT=bench/out
mkdir -p "$OUT"

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: '$1' is missing ($2)" >&2; exit 2; }; }
need java "JDK 17+"
need wrk "apt-get install -y wrk"
need npm "Node.js and npm"
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install -y time)" >&2; exit 2; }

if [ ! -f "$JAR" ]; then
  ./mvnw -q -o -B package -DskipTests
fi

# autocannon into a temporary prefix (never committed), pinned.
AC_DIR="$(mktemp -d)"
SIM_PIDS=()
cleanup() {
  for p in "${SIM_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  rm -rf "$AC_DIR"
}
trap cleanup EXIT
npm install --silent --no-audit --no-fund --prefix "$AC_DIR" "autocannon@$AUTOCANNON_VERSION" >/dev/null
AUTOCANNON="$AC_DIR/node_modules/.bin/autocannon"

start_fake() { # port, extra args...
  local port=$1; shift
  java -jar "$JAR" simulate ollama --port "$port" --max-duration 30m "$@" > "$OUT/fake-$port.log" 2>&1 &
  SIM_PIDS+=($!)
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "bench: fake Ollama did not start on port $port" >&2; cat "$OUT/fake-$port.log" >&2; exit 2
}

# /usr/bin/time -f "%U %S %M" -> user s, sys s, max RSS KiB (last line of the file)
cpu_ms() { tail -1 "$1" | awk '{printf "%.0f", ($1 + $2) * 1000}'; }
rss_mb() { tail -1 "$1" | awk '{printf "%.0f", $3 / 1024}'; }

BODY='{"model":"llama3.1:8b","prompt":"Explain in one paragraph why a GPU speeds up LLM inference.","stream":false,"options":{"num_predict":16}}'
URL="http://127.0.0.1:$PORT_FAST/api/generate"

echo "== machine: $(nproc) CPUs, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 1. throughput: fixed answers (no generation delay), $CONNECTIONS connections, ${SECONDS_PER_RUN}s each, POST $URL"
start_fake "$PORT_FAST" --ttft 0ms --itl 0ms --tokens 16 --parallel 100000 --max-queue 0

# ai-inference loadtest: closed loop, $CONNECTIONS users = $CONNECTIONS keep-alive connections, answer not streamed.
/usr/bin/time -f "%U %S %M" -o "$OUT/time-loadtest.txt" \
  java -jar "$JAR" loadtest --url "$URL" --users "$CONNECTIONS" --duration "${SECONDS_PER_RUN}s" --no-stream \
    --max-tokens 16 --quiet --report-json "$OUT/loadtest.json" > "$OUT/loadtest.md" 2> "$OUT/loadtest.err" || true
LT_REQ=$(python3 -c "import json;d=json.load(open('$OUT/loadtest.json'));print(d['requests']['succeeded'])")
LT_FAIL=$(python3 -c "import json;d=json.load(open('$OUT/loadtest.json'));print(d['requests']['failed'])")
LT_RPS=$(python3 -c "import json;d=json.load(open('$OUT/loadtest.json'));print(round(d['requests_per_s']))")

# The same with the C2 JIT off: shows how much of the JVM's CPU in a short run is compilation, not load generation.
/usr/bin/time -f "%U %S %M" -o "$OUT/time-loadtest-c1.txt" \
  java -XX:TieredStopAtLevel=1 -jar "$JAR" loadtest --url "$URL" --users "$CONNECTIONS" --duration "${SECONDS_PER_RUN}s" --no-stream \
    --max-tokens 16 --quiet --report-json "$OUT/loadtest-c1.json" > "$OUT/loadtest-c1.md" 2> "$OUT/loadtest-c1.err" || true
LT1_REQ=$(python3 -c "import json;d=json.load(open('$OUT/loadtest-c1.json'));print(d['requests']['succeeded'])")
LT1_FAIL=$(python3 -c "import json;d=json.load(open('$OUT/loadtest-c1.json'));print(d['requests']['failed'])")
LT1_RPS=$(python3 -c "import json;d=json.load(open('$OUT/loadtest-c1.json'));print(round(d['requests_per_s']))")

cat > "$OUT/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$BODY'
LUA
/usr/bin/time -f "%U %S %M" -o "$OUT/time-wrk.txt" \
  wrk -t 2 -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" -s "$OUT/post.lua" "$URL" > "$OUT/wrk.txt" 2>&1
WRK_REQ=$(awk '/requests in/ {print $1}' "$OUT/wrk.txt")
WRK_RPS=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$OUT/wrk.txt")
WRK_ERR=$(awk '/Non-2xx|Socket errors/ {print}' "$OUT/wrk.txt" | tr '\n' ' ')

/usr/bin/time -f "%U %S %M" -o "$OUT/time-autocannon.txt" \
  "$AUTOCANNON" -c "$CONNECTIONS" -d "$SECONDS_PER_RUN" -m POST -H "Content-Type=application/json" -b "$BODY" \
    --json "$URL" > "$OUT/autocannon.json" 2> "$OUT/autocannon.err"
AC_REQ=$(python3 -c "import json;d=json.load(open('$OUT/autocannon.json'));print(d['2xx'])")
AC_RPS=$(python3 -c "import json;d=json.load(open('$OUT/autocannon.json'));print(round(d['requests']['average']))")
AC_ERR=$(python3 -c "import json;d=json.load(open('$OUT/autocannon.json'));print(d['errors']+d['non2xx'])")

row() { # name, requests, req/s, cpu-ms, rss-MB, errors
  local us_per_req
  us_per_req=$(awk -v c="$4" -v r="$2" 'BEGIN { if (r > 0) printf "%.1f", c * 1000 / r; else print "n/a" }')
  printf "| %-26s | %9s | %8s | %8s | %12s | %7s | %s |\n" "$1" "$2" "$3" "$4" "$us_per_req" "$5" "$6"
}
echo
echo "| client                     |  requests |    req/s |  CPU ms | CPU µs/req   | RSS MB | errors |"
echo "| :------------------------- | --------: | -------: | ------: | -----------: | -----: | :----- |"
row "ai-inference loadtest"   "$LT_REQ"  "$LT_RPS"  "$(cpu_ms "$OUT/time-loadtest.txt")"   "$(rss_mb "$OUT/time-loadtest.txt")"   "$LT_FAIL"
row "  same, -XX:TieredStopAtLevel=1" "$LT1_REQ" "$LT1_RPS" "$(cpu_ms "$OUT/time-loadtest-c1.txt")" "$(rss_mb "$OUT/time-loadtest-c1.txt")" "$LT1_FAIL"
row "wrk 4.1.0 (-t 2)"        "$WRK_REQ" "$WRK_RPS" "$(cpu_ms "$OUT/time-wrk.txt")"        "$(rss_mb "$OUT/time-wrk.txt")"        "${WRK_ERR:-0}"
row "autocannon $AUTOCANNON_VERSION" "$AC_REQ" "$AC_RPS" "$(cpu_ms "$OUT/time-autocannon.txt")" "$(rss_mb "$OUT/time-autocannon.txt")" "$AC_ERR"
echo "(CPU = user+sys of the whole client process for the run, JVM start-up and JIT compilation included for"
echo " ai-inference: the second row runs it without the C2 compiler;"
echo " the fake server shares the same $(nproc) CPUs with each client in turn)"

echo
echo "== 2. concurrent streaming users held by ai-inference loadtest (answers: 1s to first token + 59 x 50ms = ~3.95s,"
echo "     streamed as NDJSON; a level passes when every request succeeds and all users were in flight at once)"
start_fake "$PORT_STREAM" --ttft 1s --itl 50ms --tokens 60 --parallel 100000 --max-queue 0
echo
echo "| users | requests | succeeded | peak in flight | TTFT p50 | latency p50 | latency p99 | client RSS MB | client CPU s | result |"
echo "| ----: | -------: | --------: | -------------: | -------: | ----------: | ----------: | ------------: | -----------: | :----- |"
BEST=0
for USERS in $STREAM_USERS; do
  /usr/bin/time -f "%U %S %M" -o "$OUT/time-stream-$USERS.txt" \
    java -jar "$JAR" loadtest --url "http://127.0.0.1:$PORT_STREAM/api/generate" --users "$USERS" --duration 8s \
      --max-tokens 60 --timeout 60s --quiet --report-json "$OUT/stream-$USERS.json" > "$OUT/stream-$USERS.md" 2> "$OUT/stream-$USERS.err" || true
  if [ ! -s "$OUT/stream-$USERS.json" ]; then
    echo "| $USERS | - | - | - | - | - | - | $(rss_mb "$OUT/time-stream-$USERS.txt") | - | failed: $(tail -1 "$OUT/stream-$USERS.err") |"
    break
  fi
  read -r TOTAL OK PEAK TTFT P50 P99 < <(python3 -c "
import json; d = json.load(open('$OUT/stream-$USERS.json'))
f = lambda v: '-' if v is None else '%.2fs' % (v / 1000)
print(d['requests']['total'], d['requests']['succeeded'], d['peak_in_flight'], f(d['ttft_ms']['p50']), f(d['latency_ms']['p50']), f(d['latency_ms']['p99']))")
  CPU_S=$(tail -1 "$OUT/time-stream-$USERS.txt" | awk '{printf "%.1f", $1 + $2}')
  if [ "$OK" = "$TOTAL" ] && [ "$PEAK" -ge "$USERS" ]; then RESULT=held; BEST=$USERS; else RESULT="NOT held"; fi
  echo "| $USERS | $TOTAL | $OK | $PEAK | $TTFT | $P50 | $P99 | $(rss_mb "$OUT/time-stream-$USERS.txt") | $CPU_S | $RESULT |"
  [ "$RESULT" = held ] || break
done
echo
echo "largest level held: $BEST concurrent streaming users"
