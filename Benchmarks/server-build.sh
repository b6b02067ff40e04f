# How the benchmarks build usagemock, sourced by bench.sh and request-calls.sh: a release
# build linked as the container image links it (the Swift runtime and Foundation in the
# binary, `--static-swift-stdlib`), so the figures are those of the binary users run in
# CI. In .build-bench, so benchmarking never waits on (or blocks) a build in .build.
# shellcheck disable=SC2034  # used by the scripts that source this file
BENCH_BUILD=(swift build -c release --static-swift-stdlib --scratch-path .build-bench)
