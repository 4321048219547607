#!/usr/bin/env bash
# Sets up this machine if needed, then starts the broker on the local engines (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec npm start
