#!/usr/bin/env bash
# Runs `npm ci` when node_modules is missing or older than package-lock.json.
# Source after ensure-node.sh so that the install runs under Node 24.
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_stamp="$_root/node_modules/.tributary-lock.sha256"
_want="$(sha256sum "$_root/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$_stamp" ] || [ "$(cat "$_stamp")" != "$_want" ]; then
  echo "==> installing npm dependencies (npm ci)"
  (cd "$_root" && npm ci --no-audit --no-fund --loglevel=error) || return 1 2>/dev/null || exit 1
  echo "$_want" > "$_stamp"
fi
unset _root _stamp _want
