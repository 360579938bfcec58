# BotHost — make run · make test · make bench. Each target installs what it needs first.
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin
SWIFT ?= swift
BUILD_DIR := .build/debug
RELEASE_DIR := .build/release
# The plugin libraries `make run` installs into ./plugins (the folder plugins.json points at).
SHIPPED_PLUGINS := libExampleCCounter.so libExampleSwiftGreeter.so libRateLimit.so libVoiceSessions.so libGameSessions.so

.PHONY: all deps interop-deps build plugins run test bench soak clean

all: build

deps:
	@./scripts/install-deps.sh

# The Python environment (.venv) of the interop tests: discord.py against the emulator.
interop-deps:
	@./scripts/install-interop-deps.sh

build: deps
	$(SWIFT) build

plugins: build
	@mkdir -p plugins
	@for lib in $(SHIPPED_PLUGINS); do install -m 0755 $(BUILD_DIR)/$$lib plugins/$$lib.tmp && mv -f plugins/$$lib.tmp plugins/$$lib; done
	@echo "Installed plugins: $(SHIPPED_PLUGINS) -> ./plugins"

# The sandbox: the bundled local Discord, no token, no network.
run: plugins
	$(BUILD_DIR)/bothost sandbox --config plugins.json

# The Swift tests, then the interop tests (run-tests.sh sets up their .venv); the last line is
# the verdict of both.
test: deps
	$(SWIFT) build --build-tests
	@./scripts/build-test-fixtures.sh
	@SWIFT="$(SWIFT)" BOTHOST_BIN=$(BUILD_DIR)/bothost ./scripts/run-tests.sh

bench: deps
	$(SWIFT) build -c release
	$(RELEASE_DIR)/BotHostBench

# Not part of `make test`: the host under load for SOAK_SECONDS (default 600), with its figures.
SOAK_SECONDS ?= 600
soak: build
	$(BUILD_DIR)/BotHostSoak --seconds $(SOAK_SECONDS) --build-dir $(BUILD_DIR)

clean:
	rm -rf .build plugins data .venv
