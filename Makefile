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

# The main job: plain `oversub`, the series' published table reproduced
# (scenarios/series-table.ini, compiled in), on every core.
run: build
	@./$(OVERSUB) -j $$(nproc 2>/dev/null || echo 1)

check:
	@scripts/check.sh

clean:
	rm -rf build build-asan build-fuzz
