# SPDX-License-Identifier: GPL-2.0
#
# crrun: a thin layer over CMake. Every target configures its own build
# directory and builds it in parallel; `make help` lists them.
#
#   make            build ./build (RelWithDebInfo: -O2 -g)
#   make check      install missing Debian packages, build, run every test,
#                   then unit + integration again under ASan + UBSan
#   make coverage   unit tests with gcov in ./build-cov, HTML in coverage/html
#   make demo       build, then scripts/demo.sh
#   make bench      build, then time checkpoint/restore against memcpy and
#                   file baselines; the table goes into docs/PERFORMANCE.md
#                   (BENCH_RUNS=5, BENCH_SIZES="64 512 2048" MiB,
#                   BENCH_SPARSE=4096/64 MiB mapped/touched, BENCH_DIR=/tmp
#                   for the images, BENCH_TIMEOUT=120 s a step,
#                   BENCH_SYNC=1 to also time checkpoint --sync)
#   make asan       unit + integration tests under ASan + UBSan (./build-asan)
#   make fuzz       libFuzzer on the image reader and a mock restore
#                   (FUZZ_SECONDS=300, FUZZ_JOBS=1; corpus in fuzz-out/)
#   make format     clang-format -i every tracked .c and .h
#   make clean      remove the build directories and the coverage report
#
# Knobs: JOBS=N (default: nproc), CMAKE_ARGS=..., CTEST_ARGS=... (e.g.
# CTEST_ARGS='-L unit' or '-R pgarr'), CTEST_TIMEOUT=seconds a test (900),
# BUILD_TYPE=Debug, CR_SKIP_DEPS=1 (no package check).

MAKEFLAGS += --no-print-directory

NPROC := $(shell nproc 2>/dev/null || echo 2)
JOBS ?= $(NPROC)
CMAKE ?= cmake
CTEST ?= ctest
BUILD_TYPE ?= RelWithDebInfo
CMAKE_ARGS ?=
CTEST_ARGS ?=
# seconds; a test that sets its own TIMEOUT property keeps it
CTEST_TIMEOUT ?= 900

DEPS := bash scripts/install-deps.sh
CTEST_RUN = $(CTEST) --output-on-failure --no-tests=error -j $(JOBS) \
	    --timeout $(CTEST_TIMEOUT)

# $(call cmake_build,DIR,BUILD_TYPE,EXTRA_ARGS): configure DIR, build it
define cmake_build
	$(CMAKE) -S . -B $(1) -DCMAKE_BUILD_TYPE=$(2) $(3) $(CMAKE_ARGS)
	$(CMAKE) --build $(1) --parallel $(JOBS)
endef

.PHONY: all build deps check coverage demo bench asan fuzz format format-check clean help

all: build

build:
	$(call cmake_build,build,$(BUILD_TYPE),)

deps:
	@$(DEPS)

# labels: unit, qemu, valgrind, integration (tests/unit/CMakeLists.txt)
# then the unit and integration tests again, built with ASan + UBSan
check: deps
	$(call cmake_build,build,$(BUILD_TYPE),)
	$(CTEST_RUN) --test-dir build $(CTEST_ARGS)
	$(MAKE) asan

coverage: deps
	$(call cmake_build,build-cov,Debug,-DCR_COVERAGE=ON)
	bash scripts/coverage.sh build-cov coverage

demo: deps
	$(call cmake_build,build,$(BUILD_TYPE),)
	@test -f scripts/demo.sh || { echo "make: no scripts/demo.sh yet" >&2; exit 1; }
	bash scripts/demo.sh build

BENCH_RUNS ?= 5
BENCH_SIZES ?= 64 512 2048
BENCH_SPARSE ?= 4096/64
BENCH_DIR ?= /tmp
BENCH_TIMEOUT ?= 120
BENCH_SYNC ?= 0
BENCH_OUT ?= docs/PERFORMANCE.md
BENCH_KNOBS = BENCH_RUNS=$(BENCH_RUNS) BENCH_SIZES="$(BENCH_SIZES)" \
	      BENCH_SPARSE=$(BENCH_SPARSE) BENCH_SYNC=$(BENCH_SYNC) \
	      BUILD_TYPE=$(BUILD_TYPE)

# bench/ is a CMake project of its own, built beside crrun in build/bench
bench: deps
	$(call cmake_build,build,$(BUILD_TYPE),)
	$(CMAKE) -S bench -B build/bench -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)
	$(CMAKE) --build build/bench --parallel $(JOBS)
	build/bench/crbench --crrun build/crrun \
		--workload build/bench/crbench_workload \
		--runs $(BENCH_RUNS) --sizes '$(BENCH_SIZES)' \
		--sparse $(BENCH_SPARSE) --sync $(BENCH_SYNC) --dir $(BENCH_DIR) \
		--timeout $(BENCH_TIMEOUT) --out '$(BENCH_OUT)' \
		--made-by 'make bench $(BENCH_KNOBS)' \
		--rev "$$(git rev-parse --short HEAD 2>/dev/null)"

# qemu would run ASan's shadow memory poorly and valgrind cannot run beside
# it: only the native labels here.
asan: deps
	$(call cmake_build,build-asan,Debug,-DCR_SANITIZE=ON)
	ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1} \
	UBSAN_OPTIONS=$${UBSAN_OPTIONS:-print_stacktrace=1} \
	$(CTEST_RUN) --test-dir build-asan -L '^(unit|integration)$$' $(CTEST_ARGS)

# every tracked C file (or every C file of the tree outside a git checkout)
C_FILES_CMD = { git ls-files -z -- '*.c' '*.h' 2>/dev/null || \
	find core shim arch cli tests bench -name '*.[ch]' -print0 2>/dev/null; }

format:
	@$(DEPS) clang-format
	$(C_FILES_CMD) | xargs -0 -r clang-format -i

format-check:
	@$(DEPS) clang-format
	$(C_FILES_CMD) | xargs -0 -r clang-format --dry-run --Werror

FUZZ_SECONDS ?= 300
FUZZ_JOBS ?= 1
fuzz: deps
	$(call cmake_build,build-fuzz,RelWithDebInfo,-DCMAKE_C_COMPILER=clang -DCR_FUZZ=ON)
	mkdir -p fuzz-out/corpus fuzz-out/crashes fuzz-out/seeds
	build-fuzz/tests/unit/make_corpus fuzz-out/seeds >/dev/null
	build-fuzz/fuzz_restore -max_total_time=$(FUZZ_SECONDS) \
		-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS) -max_len=1048576 \
		-artifact_prefix=fuzz-out/crashes/ \
		fuzz-out/corpus fuzz-out/seeds

clean:
	rm -rf build build-cov build-asan build-fuzz coverage

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))
