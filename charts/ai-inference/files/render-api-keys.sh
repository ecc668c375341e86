#!/bin/sh
# Gateway init step (ai-inference chart): turn the API-key Secret (one key per line; blank lines and lines
# starting with # are skipped) into an nginx `map` include of accepted Authorization headers.
# Usage: render-api-keys.sh KEYS_FILE MAP_FILE. Refuses characters that could break out of the nginx string, and
# a key given twice (also when only its case differs). Messages name line numbers, never a key.
# Each key becomes a case-sensitive regex entry (`~`): nginx compares a map's plain strings ignoring case.
set -eu
keys="$1"
map="$2"

[ -r "$keys" ] || { echo "api keys: cannot read $keys (gateway.apiKeys.secretKey names a key missing from the Secret?)" >&2; exit 1; }

tmp="$map.tmp"
seen="$map.seen"
: > "$tmp"
: > "$seen"
count=0
line_no=0
while IFS= read -r key || [ -n "$key" ]; do
  line_no=$((line_no + 1))
  key=$(printf '%s' "$key" | tr -d '\r' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
  case "$key" in
    ''|'#'*) continue ;;
  esac
  if ! printf '%s' "$key" | grep -Eq '^[A-Za-z0-9._~+/=-]{16,256}$'; then
    rm -f "$tmp" "$seen"
    echo "api keys: line $line_no is not a bearer token of 16-256 characters from [A-Za-z0-9._~+/=-]" >&2
    exit 1
  fi
  folded=$(printf '%s' "$key" | tr 'A-Z' 'a-z')
  first=$(awk -v k="$folded" '$1 == k { print $2; exit }' "$seen")
  if [ -n "$first" ]; then
    rm -f "$tmp" "$seen"
    echo "api keys: line $line_no repeats the key on line $first (keys that differ only in case count as the same)" >&2
    exit 1
  fi
  printf '%s %s\n' "$folded" "$line_no" >> "$seen"
  # `.` and `+` are the only regex characters a key may hold: each goes into a class of its own.
  pattern=$(printf '%s' "$key" | sed 's/[.+]/[&]/g')
  printf '"~^Bearer %s$" 1;\n' "$pattern" >> "$tmp"
  count=$((count + 1))
done < "$keys"

rm -f "$seen"
if [ "$count" -eq 0 ]; then
  rm -f "$tmp"
  echo "api keys: $keys holds no keys; the gateway would refuse every request" >&2
  exit 1
fi
mv "$tmp" "$map"
echo "api keys: $count key(s) accepted"
