#!/usr/bin/env bash
# `make test` after the build: the Swift tests, then the interop tests (an independent client,
# discord.py, against the emulator). Both always run; the last line says how each went, and the
# exit status is non-zero when either failed.
set -uo pipefail
cd "$(dirname "$0")/.."
swift=${SWIFT:-swift}

$swift test --skip-build
swift_status=$?

interop_log=$(mktemp)
trap 'rm -f "$interop_log"' EXIT
BOTHOST_BIN=${BOTHOST_BIN:-.build/debug/bothost} .venv/bin/python -m pytest -c Tests/Interop/pytest.ini Tests/Interop 2>&1 | tee "$interop_log"
interop_status=${PIPESTATUS[0]}
interop_result=$(grep -E '(passed|failed|error|no tests ran)' "$interop_log" | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//')

verdict() { if [ "$1" -eq 0 ]; then echo "passed"; else echo "FAILED (exit $1)"; fi; }
if [ $swift_status -eq 0 ] && [ $interop_status -eq 0 ]; then overall=PASS; else overall=FAIL; fi
echo "make test: $overall — swift test $(verdict $swift_status); interop (discord.py) $(verdict $interop_status): ${interop_result:-no result}"
[ "$overall" = PASS ]
