#!/usr/bin/env bash
# The test suite with the clock a month ahead (and a year ahead), as on a day no one wrote
# a test on: nothing may expect today's date. Needs faketime (apt install faketime) and
# the environment the README's test command makes (.venv).
#
#     bash scripts/faketime_suite.sh            # +32 days
#     bash scripts/faketime_suite.sh +400d
set -euo pipefail
cd "$(dirname "$0")/.."
shift_by="${1:-+32d}"
echo "the clock: $(faketime -f "$shift_by" date)"
faketime -f "$shift_by" .venv/bin/python -m pytest -q -p no:cacheprovider
