# The README's commands: `make run` serves the embedded default scenario on
# 127.0.0.1:8080; `make test` runs every test. Both install what they need first.
SWIFT ?= swift
ARGS ?=

.PHONY: run test swift-test contract-test sanitize container-test bench

run:
	@scripts/install-deps.sh
	$(SWIFT) run usagemock serve $(ARGS)

test: swift-test contract-test

swift-test:
	@scripts/install-deps.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Against a release build, as users run it; it also serves Scenarios/large.json.
contract-test:
	@scripts/install-deps.sh --python
	$(SWIFT) build -c release --product usagemock
	USAGEMOCK_BIN="$$($(SWIFT) build -c release --show-bin-path)/usagemock" .venv/bin/python -m pytest Tests/Contract -q

# The Swift tests again under the thread and the address sanitizer (CI runs both).
# Leak reports from the test harness itself are suppressed (see the file); TSan's
# default one-second pause at exit is turned off so the shutdown-time tests measure
# usagemock, not the sanitizer.
sanitize:
	@scripts/install-deps.sh
	TSAN_OPTIONS=atexit_sleep_ms=0 $(SWIFT) test --sanitize=thread
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt $(SWIFT) test --sanitize=address

container-test:
	scripts/container-test.sh

# Throughput, latency, start time and memory against a bare libmicrohttpd server and
# a peer mock; writes Benchmarks/RESULTS.md (about 6 minutes).
bench:
	Benchmarks/bench.sh
