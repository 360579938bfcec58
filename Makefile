# BotHost — make run · make test · make bench · make fuzz. Each target installs what it needs first.
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin
SWIFT ?= swift
BUILD_DIR := .build/debug
RELEASE_DIR := .build/release
# The plugin libraries `make run` installs into ./plugins (the folder plugins.json points at).
SHIPPED_PLUGINS := libExampleCCounter.so libExampleSwiftGreeter.so libRateLimit.so libVoiceSessions.so libGameSessions.so

.PHONY: all deps interop-deps build plugins run test bench soak install fuzz clean

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

# The release binary, the shipped plugins and the plugin headers under PREFIX: bin/bothost,
# lib/bothost/plugins/*.so, include/bothost/bothost_plugin.h(pp)
# (DESTDIR is prepended for packaging). INSTALL_FROM=.build/debug installs an existing debug build
# instead, without building (the test suite checks the layout that way).
PREFIX ?= /usr/local
INSTALL_FROM ?= $(RELEASE_DIR)
install:
	@if [ "$(INSTALL_FROM)" = "$(RELEASE_DIR)" ]; then ./scripts/install-deps.sh && $(SWIFT) build -c release; fi
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/bothost/plugins $(DESTDIR)$(PREFIX)/include/bothost
	@# The plugin headers, where `bothost plugins new` looks for them beside bin/bothost.
	install -m 0644 Sources/PluginAPI/include/bothost_plugin.h Sources/PluginAPI/cpp/bothost_plugin.hpp $(DESTDIR)$(PREFIX)/include/bothost/
	install -m 0755 $(INSTALL_FROM)/bothost $(DESTDIR)$(PREFIX)/bin/bothost.tmp
	mv -f $(DESTDIR)$(PREFIX)/bin/bothost.tmp $(DESTDIR)$(PREFIX)/bin/bothost
	@# Rename over, never overwrite in place: a running host may have the old file mapped.
	@for lib in $(SHIPPED_PLUGINS); do \
		install -m 0755 $(INSTALL_FROM)/$$lib $(DESTDIR)$(PREFIX)/lib/bothost/plugins/$$lib.tmp && \
		mv -f $(DESTDIR)$(PREFIX)/lib/bothost/plugins/$$lib.tmp $(DESTDIR)$(PREFIX)/lib/bothost/plugins/$$lib || exit 1; \
	done
	@echo "Installed $(DESTDIR)$(PREFIX)/bin/bothost and $(SHIPPED_PLUGINS) -> $(DESTDIR)$(PREFIX)/lib/bothost/plugins"

# libFuzzer targets (Fuzz/): each runs FUZZ_SECONDS; FUZZ_TARGETS picks some (default: all).
# Not part of `make test`, which replays the committed corpus instead. Exits non-zero on a crash,
# leaving the input in Fuzz/Findings/<target>/.
FUZZ_SECONDS ?= 120
FUZZ_TARGETS ?=
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./Fuzz/run.sh $(FUZZ_TARGETS)

clean:
	rm -rf .build plugins data .venv Fuzz/.build-fuzz Fuzz/Findings
