#!/usr/bin/env bash
# Sets up this machine if needed, type-checks the code and runs every test against local engines.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
npm run typecheck
npm test
