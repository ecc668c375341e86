#!/usr/bin/env bash
# Side-by-side benchmark of the load test's engine on this machine, every client against the same local servers
# (127.0.0.1 only), one after another, in one run:
#   1. instant answers: ai-inference loadtest --threads 2 vs wrk -t 2, against nginx answering a fixed Ollama JSON
#      (50 connections);
#      requests/s and client CPU (user+sys of the client process) per request.
#   2. token streams: ai-inference loadtest vs a reference Python asyncio/aiohttp client (bench/stream_client.py,
#      written in the style of vLLM's benchmark request functions) at 50, 500 and 2,000 concurrent streams, OpenAI
#      SSE (/v1/completions), 20 tokens 20 ms apart after 150 ms, against `simulate server` (one per level, warmed by
#      a 5 s run), which logs the send time of every answer's first and last token (--timing-log): CPU per request,
#      peak RSS, and TTFT p50 / mean ITL minus the server's own figures for the same answers (the timing error).
#   3. 10,000 concurrent streams held by ai-inference loadtest: every request accounted for, peak RSS.
#   4. process start-up: one request, whole process (JVM start, engine warm-up, connect, answer, report).
# ai-inference runs through bin/ai-inference (the JVM flags the engine is measured with; bin/jvm.options says why each);
# BENCH_CLIENT="java -jar target/ai-inference.jar" measures the JVM's defaults instead (part 4 shows both).
# Every process is bounded in time and stops by itself. Re-run:
#   bench/loadtest-bench.sh [seconds-per-stream-run]      (default 20; BENCH_LEVELS="50 500 2000" to choose levels)
# The tables go to stdout and to bench/RESULTS.md (machine, JDK, load average, commit and date stated once at the top),
# which each run overwrites; bench/out/ keeps the raw files of the last run.
set -euo pipefail

cd "$(dirname "$0")/.."
SECS="${1:-20}"
LEVELS="${BENCH_LEVELS:-50 500 2000}"
BIG="${BENCH_BIG:-10000}"
FAST_SECS="${BENCH_FAST_SECS:-15}"
CONNECTIONS=50
PORT_NGINX="${BENCH_PORT_NGINX:-18431}"
PORT_STREAM="${BENCH_PORT_STREAM:-18432}"
JAR=target/ai-inference.jar
read -r -a AI <<< "${BENCH_CLIENT:-bin/ai-inference}"
OUT=bench/out
PY=/usr/bin/python3
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.txt "$OUT"/*.log "$OUT"/*.md "$OUT"/*.err 2>/dev/null || true

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: '$1' is missing ($2)" >&2; exit 2; }; }
need java "JDK 17+"
need wrk "apt-get install -y wrk"
need nginx "apt-get install -y nginx-light"
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install -y time)" >&2; exit 2; }
$PY -c 'import aiohttp' 2>/dev/null || { echo "bench: python3-aiohttp is missing (apt-get install -y python3-aiohttp)" >&2; exit 2; }
[ -f "$JAR" ] || ./mvnw -q -o -B package -DskipTests

PIDS=()
NGINX_DIR="$(mktemp -d)"
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  [ -f "$NGINX_DIR/nginx.pid" ] && kill "$(cat "$NGINX_DIR/nginx.pid")" 2>/dev/null || true
  rm -rf "$NGINX_DIR"
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "bench: nothing listens on port $1" >&2; exit 2
}
# /usr/bin/time -f "%U %S %M %e" -> user s, sys s, max RSS KiB, wall s (last line of the file)
cpu_s() { tail -1 "$1" | awk '{printf "%.2f", $1 + $2}'; }
rss_mb() { tail -1 "$1" | awk '{printf "%.0f", $3 / 1024}'; }
wall_s() { tail -1 "$1" | awk '{printf "%.2f", $4}'; }
json() { $PY -c "import json,sys; d=json.load(open('$1')); print($2)"; }
TIME='%U %S %M %e'
# CPU time the hypervisor gave to other guests (steal), as a share of this machine's CPU time since a snapshot: a
# run with steal had less CPU than its wall time says, for every process alike.
cpu_snapshot() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $9 }' /proc/stat; }
steal_since() { # "total steal" from cpu_snapshot
  cpu_snapshot | awk -v s="$1" 'BEGIN { split(s, a, " ") } { d = $1 - a[1]; printf "%.1f%%", (d > 0 ? 100 * ($2 - a[2]) / d : 0) }'
}
BENCH_START=$(cpu_snapshot)

MACHINE="$(nproc) CPUs, $(java -version 2>&1 | head -1)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
RUN_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
echo "machine: $MACHINE, load average before: $LOAD_BEFORE; $RUN_DATE, commit $COMMIT" >&2
# The tables go to the terminal and to $OUT/tables.md, from which bench/RESULTS.md is written at the end.
exec 3>&1
exec > >(tee "$OUT/tables.md")
TEE=$!

# ---------------------------------------------------------------- 1. instant answers: nginx, 50 connections
ANSWER='{"model":"llama3.1:8b","created_at":"2026-01-01T00:00:00Z","response":"The cluster holds fifty users.","done":true,"done_reason":"stop","eval_count":6,"eval_duration":120000000}'
cat > "$NGINX_DIR/nginx.conf" <<NGINX
worker_processes auto;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $NGINX_DIR;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$PORT_NGINX;
    location / { default_type application/json; return 200 '$ANSWER'; }
  }
}
NGINX
nginx -c "$NGINX_DIR/nginx.conf"
wait_port "$PORT_NGINX"
URL_FAST="http://127.0.0.1:$PORT_NGINX/api/generate"
echo
echo "## 1. instant answers: nginx (one worker per CPU) answers a fixed Ollama JSON; $CONNECTIONS connections, ${FAST_SECS}s, POST $URL_FAST"
SNAP=$(cpu_snapshot)
/usr/bin/time -f "$TIME" -o "$OUT/time-fast-loadtest.txt" \
  "${AI[@]}" loadtest --url "$URL_FAST" --users "$CONNECTIONS" --duration "${FAST_SECS}s" --no-stream --threads 2 \
    --quiet --report-json "$OUT/fast-loadtest.json" > "$OUT/fast-loadtest.md" 2> "$OUT/fast-loadtest.err" || true
LT_STEAL=$(steal_since "$SNAP")
LT_REQ=$(json "$OUT/fast-loadtest.json" "d['load']['requests']['succeeded']")
LT_FAIL=$(json "$OUT/fast-loadtest.json" "d['load']['requests']['failed']")
LT_RPS=$(json "$OUT/fast-loadtest.json" "round(d['load']['throughput']['requests_per_s'])")
BODY='{"model":"llama3.1:8b","prompt":"Explain in one paragraph why a GPU speeds up LLM inference.","stream":false,"options":{"num_predict":16}}'
cat > "$OUT/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$BODY'
LUA
SNAP=$(cpu_snapshot)
/usr/bin/time -f "$TIME" -o "$OUT/time-fast-wrk.txt" \
  wrk -t 2 -c "$CONNECTIONS" -d "${FAST_SECS}s" -s "$OUT/post.lua" "$URL_FAST" > "$OUT/fast-wrk.txt" 2>&1
WRK_STEAL=$(steal_since "$SNAP")
WRK_REQ=$(awk '/requests in/ {print $1}' "$OUT/fast-wrk.txt")
WRK_RPS=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$OUT/fast-wrk.txt")
WRK_ERR=$(awk '/Non-2xx|Socket errors/ {print}' "$OUT/fast-wrk.txt" | tr '\n' ' ')
us_per_req() { awk -v c="$1" -v r="$2" 'BEGIN { if (r > 0) printf "%.1f", c * 1e6 / r; else print "n/a" }'; }
echo
echo "| client | requests | req/s | ratio to wrk | CPU s | CPU µs/request | RSS MB | errors | steal |"
echo "| :----- | -------: | ----: | -----------: | ----: | -------------: | -----: | :----- | ----: |"
printf "| ai-inference loadtest --threads 2 | %s | %s | %s | %s | %s | %s | %s | %s |\n" "$LT_REQ" "$LT_RPS" \
  "$(awk -v a="$LT_RPS" -v b="$WRK_RPS" 'BEGIN { printf "%.2fx", a / b }')" "$(cpu_s "$OUT/time-fast-loadtest.txt")" \
  "$(us_per_req "$(cpu_s "$OUT/time-fast-loadtest.txt")" "$LT_REQ")" "$(rss_mb "$OUT/time-fast-loadtest.txt")" "$LT_FAIL" \
  "$LT_STEAL"
printf "| wrk (-t 2) | %s | %s | 1.00x | %s | %s | %s | %s | %s |\n" "$WRK_REQ" "$WRK_RPS" "$(cpu_s "$OUT/time-fast-wrk.txt")" \
  "$(us_per_req "$(cpu_s "$OUT/time-fast-wrk.txt")" "$WRK_REQ")" "$(rss_mb "$OUT/time-fast-wrk.txt")" "${WRK_ERR:-0}" "$WRK_STEAL"
echo
echo "(CPU of ai-inference includes JVM start-up, engine warm-up and JIT compilation; see part 4)"

# ---------------------------------------------------------------- 2. token streams
start_stream_server() { # log file
  "${AI[@]}" simulate server --port "$PORT_STREAM" --ttft 150ms --itl 20ms --tokens 20 --parallel 100000 \
    --max-queue 0 --max-duration 30m --timing-log "$1" > "$1.server" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_port "$PORT_STREAM"
}
stop_stream_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}
# The server's own figures from its log, lines FROM to TO (1-based, inclusive): TTFT p50 (first token sent - request
# received) and mean ITL ((last - first) / (tokens - 1), over all gaps).
server_figures() {
  $PY - "$1" "$2" "$3" <<'PY'
import statistics, sys
ttft, gaps, n = [], 0.0, 0
lines = open(sys.argv[1]).read().splitlines()[int(sys.argv[2]) - 1:int(sys.argv[3])]
for line in lines:
    r, f, l, t = (int(x) for x in line.split())
    ttft.append((f - r) / 1000)
    if t > 1:
        gaps += (l - f) / 1000
        n += t - 1
print("%.2f %.3f %d" % (statistics.median(ttft), gaps / n, len(ttft)))
PY
}
URL_STREAM="http://127.0.0.1:$PORT_STREAM/v1/completions"
echo
echo "## 2. token streams: OpenAI SSE $URL_STREAM, 150 ms to the first token then 20 tokens 20 ms apart, ${SECS}s per run"
echo
echo "| streams | client | requests | errors | CPU s | CPU ms/request | CPU ratio to Python | peak RSS MB | TTFT p50 (server) | TTFT p50 error | mean ITL (server) | mean ITL error | load avg | steal |"
echo "| ------: | :----- | -------: | -----: | ----: | -------------: | ------------------: | ----------: | ----------------: | -------------: | ----------------: | -------------: | -------: | ----: |"
# One client run against the level's server: sets REQ ERR TTFT ITL (the client's figures), OK (answers it completed),
# CPU_S, MS (CPU ms per request), RSS, LOAD, STEAL. tag: py or lt; the client's command follows.
stream_run() {
  local tag=$1 n=$2; shift 2
  local snap
  snap=$(cpu_snapshot)
  /usr/bin/time -f "$TIME" -o "$OUT/time-$tag-$n.txt" "$@" > "$OUT/$tag-$n.out" 2> "$OUT/$tag-$n.err" || true
  LOAD=$(cut -d' ' -f1 /proc/loadavg)
  STEAL=$(steal_since "$snap")
  if [ "$tag" = py ]; then
    read -r REQ ERR TTFT ITL OK < <(json "$OUT/$tag-$n.out" \
      "d['requests'], d['requests'] - d['succeeded'], '%.2f' % d['ttft_p50_ms'], '%.3f' % d['itl_mean_ms'], d['succeeded']")
  else
    read -r REQ ERR TTFT ITL OK < <(json "$OUT/$tag-$n.report.json" \
      "d['load']['requests']['total'], d['load']['requests']['failed'], '%.2f' % d['load']['ttft_ms']['p50'], '%.3f' % d['load']['itl_ms']['mean'], d['load']['requests']['succeeded']")
  fi
  CPU_S=$(cpu_s "$OUT/time-$tag-$n.txt")
  MS=$(awk -v c="$CPU_S" -v r="$REQ" 'BEGIN { printf "%.3f", c * 1000 / r }')
  RSS=$(rss_mb "$OUT/time-$tag-$n.txt")
}
err() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f ms", a - b }'; }
row() { # streams, client, ratio, server TTFT, server ITL
  printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s ms | %s | %s ms | %s | %s | %s |\n" "$1" "$2" "$REQ" "$ERR" "$CPU_S" \
    "$MS" "$3" "$RSS" "$4" "$(err "$TTFT" "$4")" "$5" "$(err "$ITL" "$5")" "$LOAD" "$STEAL"
}
for N in $LEVELS; do
  # One server per level, warmed (JIT) by a short run first; its log's lines are split by each client's completed
  # answers (one line per answer the server sent in full, in order; the runs follow each other).
  start_stream_server "$OUT/server-$N.log"
  $PY bench/stream_client.py --url "$URL_STREAM" --concurrency "$N" --duration 5 --max-tokens 20 > "$OUT/warm-$N.out" 2>&1 || true
  W=$(json "$OUT/warm-$N.out" "d['succeeded']")
  stream_run py "$N" $PY bench/stream_client.py --url "$URL_STREAM" --concurrency "$N" --duration "$SECS" --max-tokens 20
  PY_MS=$MS; PY_ROW=("$REQ" "$ERR" "$TTFT" "$ITL" "$CPU_S" "$MS" "$RSS" "$LOAD" "$STEAL"); PY_OK=$OK
  stream_run lt "$N" "${AI[@]}" loadtest --url "$URL_STREAM" --api openai-completions --users "$N" \
    --duration "${SECS}s" --max-tokens 20 --timeout 60s --quiet --report-json "$OUT/lt-$N.report.json"
  LT_ROW=("$REQ" "$ERR" "$TTFT" "$ITL" "$CPU_S" "$MS" "$RSS" "$LOAD" "$STEAL"); LT_OK=$OK
  stop_stream_server
  read -r S_TTFT_PY S_ITL_PY _ < <(server_figures "$OUT/server-$N.log" $((W + 1)) $((W + PY_OK)))
  read -r S_TTFT_LT S_ITL_LT _ < <(server_figures "$OUT/server-$N.log" $((W + PY_OK + 1)) $((W + PY_OK + LT_OK)))
  read -r REQ ERR TTFT ITL CPU_S MS RSS LOAD STEAL <<< "${PY_ROW[*]}"
  row "$N" "Python asyncio/aiohttp" "1.00x" "$S_TTFT_PY" "$S_ITL_PY"
  read -r REQ ERR TTFT ITL CPU_S MS RSS LOAD STEAL <<< "${LT_ROW[*]}"
  row "$N" "ai-inference loadtest" "$(awk -v a="$MS" -v b="$PY_MS" 'BEGIN { printf "%.2fx", a / b }')" "$S_TTFT_LT" "$S_ITL_LT"
done
echo
echo "(CPU and RSS of the client process only, start-up included; errors = requests that did not complete;"
echo " TTFT/ITL error = the client's figure minus the server's own, from the send times the server logged)"

# ---------------------------------------------------------------- 3. 10,000 concurrent streams
echo
echo "## 3. $BIG concurrent streams held by ai-inference loadtest (1 s to the first token, then 20 tokens 200 ms apart)"
"${AI[@]}" simulate server --port "$PORT_STREAM" --ttft 1s --itl 200ms --tokens 20 --parallel 100000 \
  --max-queue 0 --max-duration 30m > "$OUT/server-big.log" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
wait_port "$PORT_STREAM"
/usr/bin/time -f "$TIME" -o "$OUT/time-big.txt" \
  "${AI[@]}" loadtest --url "$URL_STREAM" --api openai-completions --users "$BIG" --duration "${SECS}s" \
    --max-tokens 20 --timeout 120s --quiet --report-json "$OUT/big.json" > "$OUT/big.md" 2> "$OUT/big.err" || true
stop_stream_server
read -r B_TOTAL B_OK B_ERR B_PEAK < <(json "$OUT/big.json" \
  "d['load']['requests']['total'], d['load']['requests']['succeeded'], d['load']['requests']['failed'], d['load']['capacity']['peak_in_flight']")
echo
echo "| streams | requests | succeeded | failed | succeeded + failed = requests | peak in flight | peak RSS MB | CPU s |"
echo "| ------: | -------: | --------: | -----: | :---------------------------- | -------------: | ----------: | ----: |"
printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n" "$BIG" "$B_TOTAL" "$B_OK" "$B_ERR" \
  "$([ $((B_OK + B_ERR)) -eq "$B_TOTAL" ] && echo yes || echo NO)" "$B_PEAK" "$(rss_mb "$OUT/time-big.txt")" "$(cpu_s "$OUT/time-big.txt")"

# ---------------------------------------------------------------- 4. start-up
echo
echo "## 4. process start-up: one request to nginx, whole process"
/usr/bin/time -f "$TIME" -o "$OUT/time-start-lt.txt" \
  "${AI[@]}" loadtest --url "$URL_FAST" --users 1 --max-requests 1 --duration 30s --no-stream --quiet \
    > "$OUT/start-lt.md" 2> "$OUT/start-lt.err" || true
/usr/bin/time -f "$TIME" -o "$OUT/time-start-jar.txt" \
  java -jar "$JAR" loadtest --url "$URL_FAST" --users 1 --max-requests 1 --duration 30s --no-stream --quiet \
    > "$OUT/start-jar.md" 2> "$OUT/start-jar.err" || true
/usr/bin/time -f "$TIME" -o "$OUT/time-start-wrk.txt" \
  wrk -t 1 -c 1 -d 1s -s "$OUT/post.lua" "$URL_FAST" > /dev/null 2>&1
echo
echo "| client | wall s | CPU s | peak RSS MB |"
echo "| :----- | -----: | ----: | ----------: |"
printf "| ai-inference loadtest (1 request, %s) | %s | %s | %s |\n" "${AI[0]}" "$(wall_s "$OUT/time-start-lt.txt")" "$(cpu_s "$OUT/time-start-lt.txt")" "$(rss_mb "$OUT/time-start-lt.txt")"
printf "| ai-inference loadtest (1 request, java -jar: the JVM's default flags) | %s | %s | %s |\n" "$(wall_s "$OUT/time-start-jar.txt")" "$(cpu_s "$OUT/time-start-jar.txt")" "$(rss_mb "$OUT/time-start-jar.txt")"
printf "| wrk (1 s run) | %s | %s | %s |\n" "$(wall_s "$OUT/time-start-wrk.txt")" "$(cpu_s "$OUT/time-start-wrk.txt")" "$(rss_mb "$OUT/time-start-wrk.txt")"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
STEAL_ALL=$(steal_since "$BENCH_START")
exec 1>&3 3>&-
wait "$TEE" 2>/dev/null || true
{
  echo "<!-- generated by bench/loadtest-bench.sh; each run overwrites it -->"
  echo "# Load-test engine benchmark"
  echo
  echo "\`bench/loadtest-bench.sh $SECS\` on $MACHINE; load average $LOAD_BEFORE before, $LOAD_AFTER after;"
  echo "$STEAL_ALL of the CPU time stolen by the hypervisor over the run. Commit $COMMIT, $RUN_DATE. Clients run"
  echo "through \`${AI[*]}\`. Identical runs on a shared VM differ by up to 20%: read the ratios, measured side by"
  echo "side in one run, rather than the absolute figures."
  cat "$OUT/tables.md"
} > bench/RESULTS.md
echo "wrote bench/RESULTS.md"
