# Glean in a container: a build stage with the Rust toolchain, and a small
# runtime image that holds only the binary and CA certificates, run as an
# unprivileged user. See README "Deployment and hardening".
#
#   docker build -t glean .
#   docker run -e TELEGRAM_BOT_TOKEN=… -p 8080:8080 -v glean-data:/var/lib/glean glean

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# The commit for glean_build_info (.git stays out of the build context):
# docker build --build-arg GLEAN_COMMIT=$(git rev-parse --short=12 HEAD) .
ARG GLEAN_COMMIT=""
# The same build CI checks (.ci/run compares the flags): the committed
# Cargo.lock, default features, no network surprises.
RUN cargo build --release --locked --bin glean

FROM debian:bookworm-slim
# CA certificates only. Glean's own TLS (rustls) trusts the bundled Mozilla
# roots (webpki-roots); the system store is there for anything that reads it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 glean \
    && useradd --system --uid 10001 --gid glean --home-dir /var/lib/glean --create-home \
       --shell /usr/sbin/nologin glean
COPY --from=build /src/target/release/glean /usr/local/bin/glean
# Numeric, so the host and Kubernetes' runAsNonRoot can tell it isn't root.
USER 10001:10001
WORKDIR /var/lib/glean
# SQLite lives in the volume by default; set DATABASE_URL=postgres://… instead
# for PostgreSQL (required for several instances).
ENV HTTP_ADDR=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///var/lib/glean/glean.db \
    LOG_FORMAT=json
VOLUME ["/var/lib/glean"]
EXPOSE 8080
# Slim images have no curl: the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["glean", "healthcheck"]
ENTRYPOINT ["glean"]
CMD ["run"]
