# Entry points for people and CI. Each target installs what it needs from
# Debian's archive (with sudo when not root), so that a fresh Debian 12 machine
# with only git, make and sudo can run it.
#   make quickstart   build and run the quickstart workflow
#   make quickstart-timeseries   build and run the forecasting quickstart (flights)
#   make test         build and run the whole test suite (with a throwaway PostgreSQL
#                     server from scripts/pg-test-cluster; LOLPOP_TEST_NO_PG=1 skips it)
#   make test-asan    the same suite under AddressSanitizer + UBSan
#   make fuzz-smoke   build the libFuzzer targets with clang and run each briefly
#   make install      meson install (to /usr/local by default)

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

DEPS := build-essential pkg-config meson ninja-build \
        libfyaml-dev libjansson-dev libcriterion-dev \
        libsqlite3-dev libpq-dev libssl-dev libzstd-dev libxgboost-dev liblinear-dev libnlopt-dev liblapacke-dev libopenblas0 postgresql \
        libmicrohttpd-dev libcurl4-openssl-dev python3-aiosmtpd \
        chromium libcairo2-dev libpng-dev fonts-dejavu-core
FUZZ_DEPS := clang libclang-rt-14-dev
VALGRIND_DEPS := valgrind

.PHONY: deps fuzz-deps valgrind-deps build quickstart quickstart-timeseries test test-asan test-valgrind fuzz-smoke install clean

deps:
	@if ! dpkg -s $(DEPS) >/dev/null 2>&1; then \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEPS); \
	fi

fuzz-deps: deps
	@if ! dpkg -s $(FUZZ_DEPS) >/dev/null 2>&1; then \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(FUZZ_DEPS); \
	fi

valgrind-deps: deps
	@if ! dpkg -s $(VALGRIND_DEPS) >/dev/null 2>&1; then \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(VALGRIND_DEPS); \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

QUICKSTART := examples/quickstart/classification/titanic

quickstart: build
	cd $(QUICKSTART) && $(CURDIR)/$(BUILD)/src/cli/lolpop run workflow ClassificationRunner -c titanic.yaml

quickstart-timeseries: build
	cd examples/quickstart/timeseries/flights && \
	  $(CURDIR)/$(BUILD)/src/cli/lolpop run workflow TimeSeriesRunner -c flights.yaml

test: build
	scripts/pg-test-cluster run meson test -C $(BUILD) --print-errorlogs --num-processes 2; \
	  rc=$$?; scripts/test-summary $(BUILD); exit $$rc

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

test-asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan.supp \
	  scripts/pg-test-cluster run meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2 --timeout-multiplier 3; \
	  rc=$$?; scripts/test-summary $(ASAN_BUILD); exit $$rc

# The unit and CLI suites under valgrind memcheck (slow: 4,030 s of CPU time,
# an estimated 35-40 minutes on two idle cores; CI runs it, see the README).
test-valgrind: valgrind-deps build
	scripts/pg-test-cluster run scripts/valgrind-suite $(BUILD) unit cli

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Dtests=false

fuzz-smoke: fuzz-deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	scripts/fuzz-smoke $(FUZZ_BUILD) $${FUZZ_SECONDS:-30}

install: build
	$(SUDO) meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
