#!/usr/bin/env bash
# `npm start`: Tributary's main job on the embedded default (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
source scripts/ensure-deps.sh
exec node --disable-warning=ExperimentalWarning --disable-warning=TimeoutNegativeWarning scripts/demo.ts "$@"
