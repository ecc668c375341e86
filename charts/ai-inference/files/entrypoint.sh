#!/bin/sh
# Ollama container entrypoint (ai-inference chart): start `ollama serve`, pull the model, load it into GPU memory,
# then wait on the server. Until the model is loaded the startup probe fails, so the pod never takes traffic it
# would answer with "model not found". A model that cannot be pulled ends the container with a non-zero exit and
# the reason in the termination message (kubectl describe pod), instead of a Ready pod serving 404s.
set -u

MODEL="${AI_INFERENCE_MODEL:?AI_INFERENCE_MODEL is not set}"
PULL_ATTEMPTS="${AI_INFERENCE_PULL_ATTEMPTS:-3}"
SERVER_START_SECONDS="${AI_INFERENCE_SERVER_START_SECONDS:-60}"
RETRY_SECONDS="${AI_INFERENCE_PULL_RETRY_SECONDS:-10}"
# With keep-alive -1 the model must stay in memory: check every WATCH_SECONDS and load it again when it is gone.
REQUIRE_LOADED="${AI_INFERENCE_REQUIRE_LOADED:-true}"
WATCH_SECONDS="${AI_INFERENCE_WATCH_SECONDS:-10}"
OLLAMA="${AI_INFERENCE_OLLAMA_BIN:-ollama}"
TERMINATION_LOG="${AI_INFERENCE_TERMINATION_LOG:-/dev/termination-log}"

log() {
  echo "ai-inference: $*" >&2
}

die() {
  log "$*"
  echo "$*" > "$TERMINATION_LOG" 2>/dev/null || true
  if [ -n "${server:-}" ]; then
    kill -TERM "$server" 2>/dev/null
    wait "$server" 2>/dev/null
  fi
  exit 1
}

"$OLLAMA" serve &
server=$!
# The shell is PID 1: pass SIGTERM on so Ollama shuts down within the grace period.
trap 'kill -TERM "$server" 2>/dev/null; wait "$server"; exit 0' TERM INT

waited=0
until "$OLLAMA" list >/dev/null 2>&1; do
  kill -0 "$server" 2>/dev/null || die "ollama serve exited before it answered; see the log above"
  waited=$((waited + 1))
  [ "$waited" -ge "$SERVER_START_SECONDS" ] && die "ollama serve did not answer within ${SERVER_START_SECONDS}s"
  sleep 1
done

attempt=1
until "$OLLAMA" pull "$MODEL"; do
  [ "$attempt" -ge "$PULL_ATTEMPTS" ] && die "pulling model $MODEL failed after $attempt attempts; check model.name and the node's egress to registry.ollama.ai"
  log "pulling model $MODEL failed (attempt $attempt of $PULL_ATTEMPTS); retrying in $((attempt * RETRY_SECONDS))s"
  sleep $((attempt * RETRY_SECONDS))
  attempt=$((attempt + 1))
done

# An empty prompt loads the model into GPU memory without generating (Ollama FAQ, "preload a model");
# OLLAMA_KEEP_ALIVE decides how long it stays there.
"$OLLAMA" run "$MODEL" "" </dev/null >/dev/null || die "loading model $MODEL into memory failed; see the log above (GPU memory, model size)"
log "model $MODEL pulled and loaded; serving"

loaded() {
  "$OLLAMA" ps 2>/dev/null | awk -v m="$MODEL" 'NR > 1 && $1 == m { found = 1 } END { exit found ? 0 : 1 }'
}

# Readiness requires the loaded model, and a NotReady pod gets no request that would load it again: whatever unloaded
# it (a client's keep_alive, a runner crash, an out-of-memory kill of the runner), load it here instead of waiting
# for a person. `sleep & wait` keeps the SIGTERM trap responsive.
while kill -0 "$server" 2>/dev/null; do
  sleep "$WATCH_SECONDS" &
  wait $!
  if [ "$REQUIRE_LOADED" = "true" ] && kill -0 "$server" 2>/dev/null && ! loaded; then
    log "model $MODEL is no longer loaded; loading it again"
    if "$OLLAMA" run "$MODEL" "" </dev/null >/dev/null; then
      log "model $MODEL loaded again"
    else
      log "loading model $MODEL again failed; retrying in ${WATCH_SECONDS}s"
    fi
  fi
done

wait "$server"
code=$?
die "ollama serve exited with code $code"
