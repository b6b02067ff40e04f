# The README's commands: `make run` serves the embedded default scenario on
# 127.0.0.1:8080; `make test` runs every test. Both install what they need first.
SWIFT ?= swift
ARGS ?=

.PHONY: run test swift-test contract-test lint format sanitize fuzz soak container-test bench bench-allocations bench-instructions bench-server-instructions bench-calls

run:
	@scripts/install-deps.sh
	$(SWIFT) run usagemock serve $(ARGS)

test: swift-test contract-test

# Without the LiveChecks trait: no Swift test uses verify or record, whose HTTPS client
# (SwiftNIO, BoringSSL) is most of a debug build; the contract suite tests them against
# the release build.
swift-test:
	@scripts/install-deps.sh
	$(SWIFT) build --build-tests --disable-default-traits
	$(SWIFT) test --skip-build --disable-default-traits

# Against a release build, as users run it; it also serves Scenarios/large.json.
contract-test:
	@scripts/install-deps.sh --python
	$(SWIFT) build -c release --product usagemock
	USAGEMOCK_BIN="$$($(SWIFT) build -c release --show-bin-path)/usagemock" .venv/bin/python -m pytest Tests/Contract -q

# swift format (in the toolchain) with the committed .swift-format, over every Swift file
# in the repository: any finding fails. `make format` rewrites the files to match.
lint:
	git ls-files -z '*.swift' | xargs -0 $(SWIFT) format lint --strict --parallel

format:
	git ls-files -z '*.swift' | xargs -0 $(SWIFT) format format --in-place --parallel

# The Swift tests again under the thread and the address sanitizer (CI runs both),
# also without the LiveChecks trait.
# Leak reports from the test harness itself are suppressed (see the file); TSan's
# default one-second pause at exit is turned off so the shutdown-time tests measure
# usagemock, not the sanitizer; the timed linearity tests are skipped there (USAGEMOCK_SANITIZER).
sanitize:
	@scripts/install-deps.sh
	USAGEMOCK_SANITIZER=thread TSAN_OPTIONS=atexit_sleep_ms=0 $(SWIFT) test --sanitize=thread --disable-default-traits
	USAGEMOCK_SANITIZER=address LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt $(SWIFT) test --sanitize=address --disable-default-traits

# libFuzzer on every parser the server owns, FUZZ_SECONDS per target (15 in CI; see
# scripts/fuzz.sh for longer local runs). Fails on any crash, timeout or OOM.
FUZZ_SECONDS ?= 15
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

# 60 s of full load across all providers: zero errors and under 10 % RSS growth
# (not in CI: it needs the machine to itself).
soak:
	scripts/soak.sh

container-test:
	scripts/container-test.sh

# Throughput, latency, start time and memory against a bare libmicrohttpd server and
# a peer mock; writes Benchmarks/RESULTS.md (about 16 minutes from a fresh clone).
bench:
	Benchmarks/bench.sh

# Instructions per MockApplication.respond(to:) call under callgrind, per endpoint: within
# about 1 % from run to run, for comparing a change with the commit before it (a minute).
bench-instructions:
	Benchmarks/respond-instructions.sh

# Instructions per request in the worker thread of usagemock and of the bare
# libmicrohttpd server, under callgrind: the whole request in user space, glue and
# libmicrohttpd included, against the limit (a few minutes).
bench-server-instructions:
	Benchmarks/server-instructions.sh

# Calls of swift_retain, swift_release and malloc per request over a socket, glue
# included, counted by uprobes on a release server (needs root and perf; half a minute).
bench-calls:
	Benchmarks/request-calls.sh

# Allocations per request of MockApplication.respond(to:), counted by package-benchmark's
# malloc interposer (Benchmarks/Allocations), against the counts committed in
# Benchmarks/Allocations/Thresholds. Fails on one allocation more per request on any
# endpoint, and on one fewer (then commit the new counts). 2 to 3 minutes from a clean
# build; see docs/performance.md.
bench-allocations:
	@scripts/install-deps.sh
	cd Benchmarks/Allocations && $(SWIFT) package benchmark thresholds check --no-progress || { \
	  echo "bench-allocations: counts differ from Benchmarks/Allocations/Thresholds (see docs/performance.md)" >&2; exit 1; }
