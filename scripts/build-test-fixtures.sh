#!/usr/bin/env bash
# Compiles the C test fixtures (Tests/Fixtures/Plugins/*.c) and the C++ and Rust examples into
# .build/test-fixtures before the tests run, exactly as the tests would (the ABI header and the
# fixtures' shared fixture_support.h, warnings as errors). The tests use these when they are newer
# than their source and those headers; compiling on demand inside the test process blocks the
# threads every async test shares while cc runs, which stalled whole runs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build/test-fixtures
mkdir -p "$out"
header_dir=Sources/PluginAPI/include
flags=(-std=c11 -Wall -Wextra -Werror -shared -fPIC -I "$header_dir")

build() {  # build NAME SOURCE [DEFINES...]
  local name=$1 source=$2; shift 2
  local target="$out/lib$name.so"
  if [ "$target" -nt "$source" ] && [ "$target" -nt "$header_dir/bothost_plugin.h" ] \
     && [ "$target" -nt Tests/Fixtures/Plugins/fixture_support.h ]; then return 0; fi
  cc "${flags[@]}" "$@" -o "$target.tmp" "$source" && mv -f "$target.tmp" "$target"
}

pids=()
for source in Tests/Fixtures/Plugins/*.c; do
  name=$(basename "$source" .c)
  build "$name" "$source" & pids+=($!)
done
# Independent probes for tests that put two plugins side by side.
for variant in hostile honest; do
  build "probe-$variant" Tests/Fixtures/Plugins/probe.c "-DPROBE_NAME=\"$variant\"" -DPROBE_SERVES=0 & pids+=($!)
done
# A second build of the probe that answers differently (Fixtures.probeVersion2 must agree).
build probe-v2 Tests/Fixtures/Plugins/probe.c '-DPROBE_VERSION="2.0.0"' '-DPROBE_ECHO_PREFIX="v2 "' & pids+=($!)
# Probes that declare names other plugins own (Fixtures.probe(named:owning:) must agree).
build probe-squatter Tests/Fixtures/Plugins/probe.c '-DPROBE_NAME="squatter"' -DPROBE_SERVES=0 '-DPROBE_OWNS="ratelimit.voice"' & pids+=($!)
build probe-claimer Tests/Fixtures/Plugins/probe.c '-DPROBE_NAME="claimer"' -DPROBE_SERVES=0 '-DPROBE_OWNS="usage"' & pids+=($!)

# The C++ and Rust examples (Plugins/Examples), built as their source comments say. Without the
# compiler they are left out: the test that loads them then fails, saying what to install.
examples() {  # examples NAME COMPILER OUTPUT-IS-NEWER-THAN... -- COMMAND...
  local name=$1 compiler=$2; shift 2
  local target="$out/lib$name.so" fresh=1
  while [ "$1" != "--" ]; do [ "$target" -nt "$1" ] || fresh=0; shift; done
  shift
  if [ $fresh = 1 ]; then return 0; fi
  if ! command -v "$compiler" >/dev/null 2>&1; then
    echo "build-test-fixtures: $compiler not found; lib$name.so not built (scripts/install-deps.sh installs it)" >&2
    return 0
  fi
  "$@" -o "$target.tmp" && mv -f "$target.tmp" "$target"
}
examples cppecho c++ Plugins/Examples/CppEcho/echo.cpp Sources/PluginAPI/cpp/bothost_plugin.hpp "$header_dir/bothost_plugin.h" -- \
  c++ -std=c++17 -Wall -Wextra -Werror -fvisibility=hidden -shared -fPIC -I "$header_dir" -I Sources/PluginAPI/cpp \
  Plugins/Examples/CppEcho/echo.cpp & pids+=($!)
examples rustcounter rustc Plugins/Examples/RustCounter/lib.rs -- \
  rustc --edition 2021 --crate-type cdylib -O -D warnings Plugins/Examples/RustCounter/lib.rs & pids+=($!)

status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
