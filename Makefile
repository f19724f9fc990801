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

# The main job; becomes plain `oversub` once the simulator lands.
run: build
	@./$(OVERSUB) list

check:
	@scripts/check.sh

clean:
	rm -rf build build-asan
