# BotHost — make run · make test · make bench · make fuzz. Each target installs what it needs first.
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin
SWIFT ?= swift
BUILD_DIR := .build/debug
RELEASE_DIR := .build/release
# The plugin libraries `make run` installs into ./plugins (the folder plugins.json points at).
SHIPPED_PLUGINS := libExampleCCounter.so libExampleSwiftGreeter.so libRateLimit.so libVoiceSessions.so libGameSessions.so

.PHONY: all deps build plugins run test bench fuzz clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build

plugins: build
	@mkdir -p plugins
	@for lib in $(SHIPPED_PLUGINS); do install -m 0755 $(BUILD_DIR)/$$lib plugins/$$lib.tmp && mv -f plugins/$$lib.tmp plugins/$$lib; done
	@echo "Installed plugins: $(SHIPPED_PLUGINS) -> ./plugins"

# The sandbox: the bundled local Discord, no token, no network.
run: plugins
	$(BUILD_DIR)/bothost sandbox --config plugins.json

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release
	$(RELEASE_DIR)/BotHostBench

# libFuzzer targets (Fuzz/): each runs FUZZ_SECONDS; FUZZ_TARGETS picks some (default: all).
# Not part of `make test`, which replays the committed corpus instead. Exits non-zero on a crash,
# leaving the input in Fuzz/Findings/<target>/.
FUZZ_SECONDS ?= 120
FUZZ_TARGETS ?=
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./Fuzz/run.sh $(FUZZ_TARGETS)

clean:
	rm -rf .build plugins data Fuzz/.build-fuzz Fuzz/Findings
