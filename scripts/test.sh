#!/usr/bin/env bash
# Sets up this machine if needed, type-checks the code, packages the stack without AWS
# credentials (the template tests read that package), then runs every test against local engines
# and ends with one line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
npm run typecheck
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE npm run package

results="$(mktemp)"
status=0
npm test -- --reporter=default --reporter=json --outputFile="$results" || status=$?
node -e '
  const results = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${results.numPassedTests} passed, ${results.numFailedTests} failed`);
' "$results" || true
rm -f "$results"
exit "$status"
