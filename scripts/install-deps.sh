#!/usr/bin/env bash
# Installs what building, running and testing BotHost need on a fresh Debian machine.
# Idempotent and quiet when everything is already there.
set -euo pipefail

# Debian packages: SQLite for storage (GRDB), a C compiler for C plugins and test fixtures, a C++
# compiler for the C++ example and the test that builds the documentation's examples as C++ too,
# rustc for the Rust example plugin, zlib for gateway compression, libopus and libsodium for voice,
# opus-tools to check recordings.
packages=(libsqlite3-dev gcc g++ rustc libc6-dev zlib1g-dev pkg-config libopus-dev libsodium-dev opus-tools)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "swift is at /opt/swift/usr/bin; add it to PATH" >&2
  else
    echo "Swift 6 is required (https://www.swift.org/install/linux/)" >&2
  fi
  exit 1
fi
