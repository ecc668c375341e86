#!/bin/sh
# Gateway container entrypoint (ai-inference chart): run nginx and follow the mounted Secrets. The kubelet updates a
# mounted Secret in place (not one mounted with subPath); every AI_INFERENCE_KEYS_WATCH_SECONDS this re-renders the
# key map when the key file changed, and reloads nginx then or when the TLS certificate changed, so a rotated or
# revoked key (or a renewed certificate) reaches every replica without a restart. Keys the renderer refuses leave
# the previous ones in force, and say so in the log.
set -u
CONF="${AI_INFERENCE_GATEWAY_CONF:-/etc/ai-inference/gateway/nginx.conf}"
NGINX="${AI_INFERENCE_NGINX_BIN:-nginx}"
KEYS="${AI_INFERENCE_KEYS_FILE:-}"
CERT="${AI_INFERENCE_TLS_CERT:-}"
MAP="${AI_INFERENCE_KEYS_MAP:-}"
WATCH_SECONDS="${AI_INFERENCE_KEYS_WATCH_SECONDS:-10}"
RENDER="$(dirname "$0")/render-api-keys.sh"

log() {
  echo "ai-inference gateway: $*" >&2
}

"$NGINX" -e /dev/stderr -c "$CONF" -g 'daemon off;' &
nginx=$!
# The shell is PID 1: pass SIGTERM on (nginx's fast shutdown, as before this script existed).
trap 'kill -TERM "$nginx" 2>/dev/null; wait "$nginx"; exit 0' TERM INT

sum() {
  [ -n "$1" ] && cksum < "$1" 2>/dev/null
}

reload() {
  if "$NGINX" -e /dev/stderr -c "$CONF" -s reload; then
    log "$1: reloaded"
  else
    log "$1 but nginx refused to reload; the previous configuration stays in force"
  fi
}

last=$(sum "$KEYS")
last_cert=$(sum "$CERT")
while kill -0 "$nginx" 2>/dev/null; do
  sleep "$WATCH_SECONDS" &
  wait $!
  cert=$(sum "$CERT")
  if [ "$cert" != "$last_cert" ]; then
    last_cert="$cert"
    reload "TLS certificate changed"
  fi
  [ -n "$KEYS" ] || continue
  now=$(sum "$KEYS")
  [ "$now" = "$last" ] && continue
  last="$now"
  if /bin/sh "$RENDER" "$KEYS" "$MAP" >&2; then
    reload "API keys changed"
  else
    log "API keys changed but the new list is refused (see above); the previous keys stay in force"
  fi
done

wait "$nginx"
