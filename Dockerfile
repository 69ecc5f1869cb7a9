# syntax=docker/dockerfile:1.7
# sas-mock as a small container: a static binary on a distroless base, running as non-root.
#
#   docker build -t sas-mock .
#   docker run --rm -p 8080:8080 sas-mock
#   docker run --rm -p 8080:8080 -v "$PWD/fixtures:/fixtures:ro" -e SAS_MOCK_FIXTURES=/fixtures sas-mock

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
COPY . .
# The registry and target directories are build caches: dependencies compile once and are reused
# until Cargo.lock changes. crt-static links glibc statically, so the binary needs no libc at runtime.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build --release --locked --target x86_64-unknown-linux-gnu --bin sas-mock \
 && install -D target/x86_64-unknown-linux-gnu/release/sas-mock /out/sas-mock

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sas-mock /usr/local/bin/sas-mock
# Every setting is an environment variable (see the README): SAS_MOCK_LISTEN, SAS_MOCK_FIXTURES,
# SAS_MOCK_SEED, SAS_MOCK_AUTH, SAS_MOCK_CLOCK, SAS_MOCK_UNKNOWN_TASKS, SAS_MOCK_TIMESTAMP_CHECK,
# SAS_MOCK_LOG_FORMAT, SAS_MOCK_ADMIN_TOKEN, SAS_MOCK_JOURNAL_SIZE, SAS_MOCK_NONCE_CAPACITY,
# SAS_MOCK_MAX_BODY_BYTES, SAS_MOCK_MAX_ADMIN_BODY_BYTES, SAS_MOCK_HEADER_TIMEOUT,
# SAS_MOCK_BODY_TIMEOUT, SAS_MOCK_MAX_CONNECTIONS, SAS_MOCK_TLS_CERT, SAS_MOCK_TLS_KEY,
# SAS_MOCK_TLS_SELF_SIGNED, SAS_MOCK_TLS_CERT_OUT, SAS_MOCK_HEALTH_URL; RUST_LOG sets the log level.
ENV SAS_MOCK_LISTEN=0.0.0.0:8080 \
    SAS_MOCK_LOG_FORMAT=json
# Mount fixture files here and set SAS_MOCK_FIXTURES=/fixtures to use them instead of the defaults.
VOLUME ["/fixtures"]
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 \
    CMD ["/usr/local/bin/sas-mock", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/sas-mock"]
CMD ["serve"]
