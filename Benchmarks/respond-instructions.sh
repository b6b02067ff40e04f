#!/usr/bin/env bash
# Instructions per MockApplication.respond(to:) call, counted by valgrind's callgrind
# over RespondBench (Benchmarks/InProcess): within about 1 % from run to run on a machine
# whose timings move by a fifth, so a change to the request path can be compared with
# the commit before it. Only the instructions inside respond(to:) are counted, not
# the benchmark's making of requests. About a minute after the build.
#
#   Benchmarks/respond-instructions.sh [CALLS [ID...]]   default: 20000 calls, every endpoint
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-20000}
shift || true
ids=("$@")
[ ${#ids[@]} -gt 0 ] || ids=(balance unauth poe100 hb24 klaim100 syb200)
command -v valgrind >/dev/null || { echo "respond-instructions: needs valgrind (apt-get install valgrind)" >&2; exit 1; }

swift build -c release --package-path Benchmarks/InProcess --scratch-path .build-bench-inprocess 2>&1 | tail -n 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 gives up on the Swift toolchain's DWARF; the symbol table is enough.
strip --strip-debug -o "$work/RespondBench" .build-bench-inprocess/release/RespondBench

respond='$s9UsageMock0B11ApplicationV7respond2to14HTTPServerCore14ServerResponseVAF0H7RequestV_tF'
printf '%-10s %12s\n' endpoint instructions
for id in "${ids[@]}"; do
  valgrind --tool=callgrind --callgrind-out-file="$work/$id.out" --toggle-collect="$respond" \
    "$work/RespondBench" --flush-inline 1 "$calls" "$id" 2>"$work/$id.err" >/dev/null
  collected=$(awk '/Collected :/ { print $4 }' "$work/$id.err")
  [ -n "$collected" ] || { cat "$work/$id.err" >&2; exit 1; }
  [ "$collected" -gt 0 ] || { echo "respond-instructions: nothing counted: has respond(to:)'s mangled name changed?" >&2; exit 1; }
  printf '%-10s %12d\n' "$id" $((collected / calls))
done
