#!/usr/bin/env bash
# `npm test`: type-check, then every unit and integration test against real
# PostgreSQL 16/17 and Kafka 3.9/4.x that the suite starts and stops itself.
# Extra arguments go to vitest (e.g. `npm test -- --project unit`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
source scripts/ensure-deps.sh
echo "==> type-checking (tsc --noEmit)"
npx tsc --noEmit -p tsconfig.json
mkdir -p .data
# node:sqlite is "experimental" in Node 24 and kafkajs trips Node 24's negative-timeout warning (kafkajs#1751): both harmless noise
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=ExperimentalWarning --disable-warning=TimeoutNegativeWarning"
echo "==> running tests (vitest)"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.data/vitest-report.json "$@" || status=$?
# The verdict also comes from the report, not only vitest's exit code:
# embedded-postgres registers async-exit-hook, whose "beforeExit" handler
# calls process.exit(0) in the main process and so erased vitest's failure
# code once the integration project had started PostgreSQL.
node -e '
  const r = JSON.parse(require("fs").readFileSync(".data/vitest-report.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
  if (r.numFailedTests > 0 || r.numFailedTestSuites > 0 || !r.success) process.exit(1);
' || status=1
exit $status
