#!/usr/bin/env bash
# Creates .venv, the project's own Python environment for the interop tests (Tests/Interop), with
# the pinned packages of Tests/Interop/requirements.txt. Idempotent and quiet when it is already
# there. Without Python or without PyPI it fails and says so: those tests must not be skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
requirements=Tests/Interop/requirements.txt
stamp=$venv/.requirements.sha256
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi

# Debian's python3 and its venv module (a separate package there).
python=${INTEROP_PYTHON:-/usr/bin/python3}
if ! { [ -x "$python" ] && "$python" -c 'import venv, ensurepip' 2>/dev/null; }; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "Installing: python3 python3-venv"
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3 python3-venv >/dev/null
  fi
  if ! { [ -x "$python" ] && "$python" -c 'import venv, ensurepip' 2>/dev/null; }; then
    echo "The interop tests need Python 3 with its venv module at $python (Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
fi

echo "Creating $venv with the interop test packages ($requirements)"
rm -rf "$venv"
"$python" -m venv "$venv"
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv -r "$requirements"; then
  rm -rf "$venv"
  echo "Could not install the interop test packages from PyPI (pip install -r $requirements failed); the interop tests cannot run" >&2
  exit 1
fi
echo "$want" > "$stamp"
