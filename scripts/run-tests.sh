#!/usr/bin/env bash
# `make test` after the build: the Swift tests, then the interop tests from the project's .venv:
# an independent client, discord.py, against the emulator; and DAVE calls with davey and libdave
# (Tests/Interop/DAVE). The Swift tests need the .venv too (MLSTests.InteropTests). Everything
# runs even when a part fails; the last line says how each part went, and the exit status is
# non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
swift=${SWIFT:-swift}

# The interop environment first: without Python or PyPI the interop tests fail, saying why.
setup_log=$(mktemp)
interop_log=$(mktemp)
trap 'rm -f "$setup_log" "$interop_log"' EXIT
./scripts/install-interop-deps.sh 2>&1 | tee "$setup_log"
setup_status=${PIPESTATUS[0]}

$swift test --skip-build
swift_status=$?

if [ "$setup_status" -eq 0 ]; then
  BOTHOST_BIN=${BOTHOST_BIN:-.build/debug/bothost} .venv/bin/python -m pytest -c Tests/Interop/pytest.ini Tests/Interop 2>&1 | tee "$interop_log"
  interop_status=${PIPESTATUS[0]}
  interop_detail=$(grep -E '(passed|failed|error|no tests ran)' "$interop_log" | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//')
else
  interop_status=$setup_status
  interop_detail="not run: $(tail -1 "$setup_log")"
fi

verdict() { if [ "$1" -eq 0 ]; then echo "passed"; else echo "FAILED"; fi; }
if [ "$swift_status" -eq 0 ] && [ "$interop_status" -eq 0 ]; then overall=PASS; else overall=FAIL; fi
echo "make test: $overall — swift test $(verdict "$swift_status"); interop (discord.py, DAVE) $(verdict "$interop_status") (${interop_detail:-no result})"
[ "$overall" = PASS ]
