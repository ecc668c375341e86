#!/bin/sh
# Probe (ai-inference chart): ready means "this model answers", not "the process is up".
#   --loaded          the model must be loaded in memory (startup probe; readiness when keep-alive is -1)
#   (no argument)     loaded, or when AI_INFERENCE_REQUIRE_LOADED=false at least present on disk, because a
#                     finite OLLAMA_KEEP_ALIVE unloads an idle model and Ollama reloads it on the next request.
MODEL="${AI_INFERENCE_MODEL:?AI_INFERENCE_MODEL is not set}"
OLLAMA="${AI_INFERENCE_OLLAMA_BIN:-ollama}"

# `ollama ps` prints a header, then one model per line with its name first.
if "$OLLAMA" ps 2>/dev/null | awk -v m="$MODEL" 'NR > 1 && $1 == m { found = 1 } END { exit found ? 0 : 1 }'; then
  exit 0
fi
if [ "${1:-}" != "--loaded" ] && [ "${AI_INFERENCE_REQUIRE_LOADED:-true}" = "false" ]; then
  "$OLLAMA" show "$MODEL" >/dev/null 2>&1 && exit 0
fi
echo "model $MODEL is not loaded" >&2
exit 1
