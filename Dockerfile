# usagemock container image.
#
#   docker build -t usagemock .
#   docker run --rm -p 8080:8080 usagemock
#   docker run --rm -p 8080:8080 -v ./my.json:/scenarios/my.json:ro \
#       -e USAGEMOCK_SCENARIO=/scenarios/my.json usagemock
#
# podman: build with `--format docker`, or the OCI format drops the HEALTHCHECK.

# ---------------------------------------------------------------------------
# Build stage: Swift toolchain + libmicrohttpd headers.
# ---------------------------------------------------------------------------
FROM swift:6.3-bookworm AS build

RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -q \
    && apt-get install -y -q --no-install-recommends libmicrohttpd-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# SwiftPM validates every target of the manifest, test targets included, so
# Tests/ must be present even though only the executable is built.
COPY Package.swift ./
COPY Sources ./Sources
# The default scenario is compiled in from Scenarios/default.json (a link in Sources/).
COPY Scenarios/default.json ./Scenarios/default.json
COPY Tests ./Tests

# .build is a cache mount: it stays on the building machine between builds and is
# never part of an image, so a rebuild fetches no packages and compiles only
# usagemock's own modules (the dependencies, most of a clean build, stay built).
# The Swift runtime and Foundation are linked in statically; libmicrohttpd
# stays a shared library (libmicrohttpd12 in the runtime stage).
RUN --mount=type=cache,target=/build/.build,sharing=locked \
    swift build -c release --static-swift-stdlib --product usagemock \
    && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && mkdir -p /staging \
    && cp "$bin/usagemock" /staging/ \
    && strip /staging/usagemock \
    && find -L "$bin" -maxdepth 1 -name '*.resources' -exec cp -R {} /staging/ \;

# ---------------------------------------------------------------------------
# Runtime stage.
# ---------------------------------------------------------------------------
FROM debian:bookworm-slim

RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -q \
    && apt-get install -y -q --no-install-recommends libmicrohttpd12 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 usagemock \
    && useradd --system --uid 10001 --gid usagemock \
        --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin usagemock

COPY --from=build /staging/ /usr/local/bin/
COPY Scenarios/ /scenarios/

# Numeric, so that runtimes enforcing "run as non-root" can verify it.
USER 10001:10001

EXPOSE 8080
ENV USAGEMOCK_HOST=0.0.0.0 USAGEMOCK_PORT=8080

HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/usagemock", "health"]

# Exec form, no shell: usagemock is PID 1 and gets SIGTERM from `docker stop`.
ENTRYPOINT ["/usr/local/bin/usagemock"]
CMD ["serve"]
