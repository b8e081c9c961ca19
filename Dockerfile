# syntax=docker/dockerfile:1
# MCR as a container: the single executable built with the official Bun image, run from a
# slim Debian (glibc, which the executable links against) as the unprivileged user mcr.
#   docker build --build-arg MCR_COMMIT="$(git rev-parse --short HEAD)" -t mcr .
#   docker run -d -v mcr-data:/srv/mcr -p 127.0.0.1:8443:8443 -p 127.0.0.1:9443:9443 mcr
# The Bun version matches package.json's packageManager (tests/deploy/dockerfile.test.ts).

FROM oven/bun:1.4.4 AS build
WORKDIR /src
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile
COPY . .
# The build context has no .git (see .dockerignore): the commit comes in as an argument.
ARG MCR_COMMIT=unknown
RUN MCR_COMMIT="${MCR_COMMIT}" bun run build && ./dist/mcr --version

FROM debian:bookworm-slim AS runtime
# A fixed uid/gid, so that a bind-mounted /srv/mcr can be chowned to it on the host.
RUN groupadd --system --gid 10001 mcr \
  && useradd --system --no-log-init --uid 10001 --gid mcr --home-dir /srv/mcr --no-create-home \
    --shell /usr/sbin/nologin mcr \
  && install -d -o mcr -g mcr -m 0700 /srv/mcr
COPY --from=build /src/dist/mcr /usr/local/bin/mcr

# Inside the container MCR listens on every interface; publish the ports on the host's
# loopback for a fronting proxy (deploy/docker/docker-compose-rift.yml). These variables
# override a config file's listeners and data folder, so set them with -e to change them.
ENV MCR_STORAGE_DATA_DIR=/srv/mcr \
  MCR_SERVER_LISTEN=0.0.0.0:8443 \
  MCR_SERVER_RPC_LISTEN=0.0.0.0:9443
# 8443: registry (/v2) and admin REST API; 9443: admin RPC; 8080: `mcr web`.
EXPOSE 8443 9443 8080
VOLUME ["/srv/mcr"]
WORKDIR /srv/mcr
USER mcr:mcr

# The image has no curl: the binary probes its own /v1/health (https, then http).
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/mcr", "health"]
ENTRYPOINT ["/usr/local/bin/mcr"]
CMD ["serve"]
