# syntax=docker/dockerfile:1
# mlb container image: the successor of marathon-lb's (spec §2). Usage and migration notes:
# docs/container.md. Build: docker build -t mlb .   Run: docker run --net host mlb sse --group external
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile TypeScript, write the oclif manifest, pack what package.json "files" lists
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY commands ./commands
COPY templates ./templates
COPY lua ./lua
RUN npm run build \
 && mkdir /pkg \
 && npm pack --pack-destination /pkg \
 && mv /pkg/mlb-*.tgz /pkg/mlb.tgz

# ---- runtime: Debian bookworm, Node 20, Debian's HAProxy (built with Lua), tini, openssl
# (self-signed certificate), procps (sysctl), bsdutils (util-linux `logger`, the syslog sink).
FROM ${NODE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      haproxy tini openssl procps bsdutils ca-certificates libcap2-bin \
 # Non-root HAProxy may still bind :80/:443 (docs/container.md, "Privileges").
 && setcap 'cap_net_bind_service=+ep' /usr/sbin/haproxy \
 && rm -rf /var/lib/apt/lists/*

# The package, installed from its own tarball with production dependencies only.
COPY --from=build /pkg/mlb.tgz /tmp/mlb.tgz
COPY package-lock.json /tmp/package-lock.json
RUN mkdir -p /opt/mlb \
 && tar -xzf /tmp/mlb.tgz -C /opt/mlb --strip-components=1 \
 && mv /tmp/package-lock.json /opt/mlb/ \
 && cd /opt/mlb \
 && npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && rm -f /tmp/mlb.tgz \
 && chmod 755 /opt/mlb/bin/run.js \
 && ln -s /opt/mlb/bin/run.js /usr/local/bin/mlb

# An unprivileged user owns everything the container writes at start-up and at run time:
# /marathon-lb (haproxy.cfg, maps, templates/), HAProxy's state and socket folders, and the
# certificate files in /etc/ssl (cert.pem, cert<i>.pem), as in marathon-lb's image.
RUN groupadd --system --gid 10001 mlb \
 && useradd --system --uid 10001 --gid mlb --home-dir /marathon-lb --no-create-home --shell /usr/sbin/nologin mlb \
 && mkdir -p /marathon-lb/templates /var/state/haproxy /run/haproxy \
 && chown -R mlb:mlb /marathon-lb /var/state/haproxy /run/haproxy \
 && chgrp mlb /etc/ssl \
 && chmod g+w /etc/ssl

ENV NODE_ENV=production \
    MLB_CONTAINER=1
WORKDIR /marathon-lb
USER mlb
EXPOSE 80 443 9090 9091
# tini -g forwards signals to the whole process group (mlb and its HAProxy), as marathon-lb's image.
ENTRYPOINT ["tini", "-g", "--", "mlb", "serve"]
CMD ["sse", "--health-check", "--group", "external"]
