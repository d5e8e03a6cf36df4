# A thin wrapper over Meson: `make demo` and `make check` do everything on
# a fresh Debian 12 machine (as root: missing packages are installed).
BUILD ?= build
MESON_OPTS ?=

.PHONY: all deps setup build demo check clean docs accuracy bench fuzz

all: build

deps:
	@./tools/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

setup: deps $(BUILD)/build.ninja

build: setup
	ninja -C $(BUILD)

demo: build
	@./tools/demo.sh $(BUILD)

# The suite, the suite again under ASan + UBSan, and the fuzz targets
# (tools/check.sh); TESTS="test_a test_b" runs those only, unfuzzed.
check: build
	@./tools/check.sh $(BUILD) $(TESTS)

# Regenerate the reference of every stage and parameter.
docs: build
	$(BUILD)/cli/gainstage list --markdown > docs/stages.md

# Regenerate docs/accuracy.md from the figures the tests measure.
accuracy: check
	python3 tools/accuracy.py $(BUILD)/meson-logs/testlog.json docs/accuracy.md

# Benchmarks against the peers (installed first, as root, if missing):
# writes bench/results.md and results.png, and bench/convolution.md.
# Minutes long, so not part of `make check` (which runs a smoke test of
# the same scripts: bench_smoke).
# Debian's python3, whose matplotlib bench-deps.txt installs (a python3
# earlier in PATH, e.g. pyenv's, would not see it).
BENCH_PYTHON ?= /usr/bin/python3

bench: build
	@./tools/install-deps.sh tools/bench-deps.txt
	$(BENCH_PYTHON) bench/results.py $(BUILD)
	$(BENCH_PYTHON) bench/convolution.py $(BUILD)

# libFuzzer targets (tests/fuzz/), each run for FUZZ_SECONDS on its seed
# corpus in a clang + ASan/UBSan build dir of its own; fails on any finding.
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BUILD=$(FUZZ_BUILD) ./tools/fuzz.sh $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD)
