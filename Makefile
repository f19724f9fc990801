# Thin wrapper over meson; scripts/ does the work. Build output is shown
# only when a step fails.
BUILD := build
OVERSUB := $(BUILD)/src/cli/oversub

quietly = out=$$($(1) 2>&1) || { printf '%s\n' "$$out"; exit 1; }

.PHONY: all run check clean deps build

all: build

deps:
	@scripts/deps.sh

build: deps
	@test -f $(BUILD)/build.ninja || { rm -rf $(BUILD); $(call quietly,meson setup $(BUILD) --werror); }
	@$(call quietly,meson compile -C $(BUILD))

# The main job: the series against vanilla at 2x overcommit (becomes plain
# `oversub`, the published-table reproduction, with the workload models).
run: build
	@./$(OVERSUB) compare scenarios/overcommit-spinlock.ini \
		--policies vanilla,series-v2,series-v3

check:
	@scripts/check.sh

clean:
	rm -rf build build-asan build-fuzz
