#!/usr/bin/env bash
# Fuzzes usagemock's parsers with libFuzzer: one target per parser, each for a bounded
# time; exits non-zero if any target crashes, times out or runs out of memory.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]        (default 15: about a minute in all, for CI)
#
# Targets (Fuzz/Sources/<target>, seeds in Fuzz/Corpus/<target>, dictionary in
# Fuzz/Dictionaries/<target>.dict):
#   FuzzQuery          QueryParameters, parseStrictInteger, PercentDecoding, provider query rules
#   FuzzRequestTarget  RequestTarget, PathPattern, the router through MockApplication.respond(to:)
#   FuzzKlaimBody      StrictJSON, KlaimProvider.RequestBody, the Klaim route
#   FuzzScenario       ScenarioLoader.load(json:file:) and every provider's validation/generators
#
# A longer local run (an hour per target; the working corpus in Fuzz/.build/fuzz/corpus
# is kept between runs, so each run starts where the last one stopped):
#
#   scripts/fuzz.sh 3600
#   FUZZ_TARGETS="FuzzScenario" FUZZ_ARGS="-jobs=2 -workers=2" scripts/fuzz.sh 1800
#
# FUZZ_TARGETS picks targets (space-separated); FUZZ_ARGS adds libFuzzer options.
# A crash leaves its input in Fuzz/.build/fuzz/artifacts/<target>/crash-*; replay it with
#
#   SWIFT_BACKTRACE=enable=no Fuzz/.build/debug/<target> Fuzz/.build/fuzz/artifacts/<target>/crash-…
#
# libFuzzer stops at the first crash; to collect every distinct one in a run:
#
#   FUZZ_TARGETS=FuzzScenario FUZZ_ARGS="-fork=2 -ignore_crashes=1" scripts/fuzz.sh 300
#
# The Fuzz package is separate (Fuzz/Package.swift depends on the root by path), so the
# root Package.swift is untouched. Build flags, as they work with Swift 6.3.1 on Linux:
# `--sanitize=fuzzer` makes SwiftPM leave `main` to libFuzzer (with only
# `-Xswiftc -sanitize=fuzzer,address` the link fails: "undefined symbol <target>_main");
# `-Xswiftc -sanitize=fuzzer,address` then gives coverage *and* ASan (two separate
# `--sanitize` flags become two `-sanitize=` options, of which swiftc keeps only the
# last, so `--sanitize=fuzzer --sanitize=address` builds with no coverage at all).
# Debug configuration: the targets use `@testable import UsageMock`.
set -euo pipefail

seconds="${1:-15}"
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: $0 [SECONDS_PER_TARGET]" >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzz="$root/Fuzz"
work="$fuzz/.build/fuzz"
targets=(${FUZZ_TARGETS:-FuzzQuery FuzzRequestTarget FuzzKlaimBody FuzzScenario})
SWIFT="${SWIFT:-swift}"

"$root/scripts/install-deps.sh"

echo "== building the fuzz targets (debug, -sanitize=fuzzer,address)"
# The same dependency versions as the root package (and no network needed) when the
# root has resolved them already.
[[ -f "$root/Package.resolved" ]] && cp "$root/Package.resolved" "$fuzz/Package.resolved"
(cd "$fuzz" && "$SWIFT" build -c debug --sanitize=fuzzer \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 \
    | grep -v "warning: Cannot export local symbol" || true)
bin="$(cd "$fuzz" && "$SWIFT" build -c debug --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --show-bin-path)"
for target in "${targets[@]}"; do
    [[ -x "$bin/$target" ]] || { echo "fuzz: $target was not built" >&2; exit 1; }
done

# No leak checking: the Swift runtime's caches look like leaks to LeakSanitizer. ASan
# still stops on every memory error.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
# Swift's own crash backtracer does not get along with ASan: its helper process hangs
# (and is left behind) and ASan reports the helper's memory reads as a second error.
# libFuzzer prints a symbolised stack itself ("Swift runtime failure: …", file:line);
# it is demangled below.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

failed=()
summary=()
for target in "${targets[@]}"; do
    corpus="$work/corpus/$target"
    artifacts="$work/artifacts/$target"
    log="$work/$target.log"
    mkdir -p "$corpus" "$artifacts"
    # Each parser's real input limit: a request head is at most 16 KiB, a body (Klaim,
    # PUT /__admin/scenario) 1 MiB. libFuzzer truncates seeds to max_len, and the large
    # seeds (many-*) are there to catch work that grows faster than the input; new
    # inputs still start small and grow (libFuzzer's -len_control).
    case "$target" in
        FuzzQuery|FuzzRequestTarget) max_len=16384 ;;
        *) max_len=1048576 ;;
    esac
    dict=()
    [[ -f "$fuzz/Dictionaries/$target.dict" ]] && dict=("-dict=$fuzz/Dictionaries/$target.dict")
    echo "== $target for ${seconds}s (log: ${log#$root/})"
    stamp="$work/.started-$target"
    touch "$stamp"
    status=0
    # New inputs go to the working corpus (first directory); the seeds stay as they are.
    # timeout(1) bounds the run even if libFuzzer itself hangs.
    timeout --kill-after=10 "$((seconds + 120))" "$bin/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
        -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" ${FUZZ_ARGS:-} \
        "$corpus" "$fuzz/Corpus/$target" >"$log" 2>&1 || status=$?
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    # Only what this run found: inputs from earlier runs stay for replaying.
    found="$(find "$artifacts" -type f -newer "$stamp" \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) -printf '%f\n')"
    if [[ $status -ne 0 || -n "$found" ]]; then
        failed+=("$target")
        summary+=("$target: FAILED (exit $status) after ${runs:-?} executions")
        echo "-- $target failed (exit $status); the end of its log:"
        grep -v "Cannot export local symbol" "$log" | tail -60 | "$SWIFT" demangle --simplified
        for file in $found; do echo "-- input: ${artifacts#$root/}/$file"; done
    else
        summary+=("$target: ok, ${runs:-?} executions, corpus $(ls "$corpus" | wc -l) files")
    fi
done

echo "== fuzz summary (${seconds}s per target)"
printf '  %s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "FAIL: ${failed[*]}"
    exit 1
fi
echo "PASS"
