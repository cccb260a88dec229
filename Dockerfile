# rollback-watchdog: the daemon, with flyctl beside it.
# Build:  docker build -t rollback-watchdog .
# Run:    docker run -e FLY_API_TOKEN=… -v ./watchdog.yaml:/app/config/watchdog.yaml rollback-watchdog

ARG NODE_VERSION=24
ARG FLYCTL_VERSION=latest

# flyctl from its official image: one static binary, no install script piped to a shell.
FROM flyio/flyctl:${FLYCTL_VERSION} AS flyctl

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; the base image already has Node 24, so the `node` devDependency is skipped.
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    FLY_NO_UPDATE_CHECK=1 \
    ROLLBACK_WATCHDOG_CONFIG=/app/config/watchdog.yaml
# Memory settings measured by `npm run bench:scale` (docs/benchmarks.md, "Scale"). A young
# generation of 2 x 2 MB instead of V8's default 2 x 32 MB: the daemon's objects are small and
# short-lived, so the smaller space costs no measurable CPU. One malloc arena instead of glibc's
# up to eight per core: memory freed at startup (the first poll of every target) otherwise stays
# stranded in whichever arena a thread used, a different amount in every run; with one arena the
# peak stops depending on the run. A 512 MB old generation instead of one sized from the host's memory: V8
# then lets the heap grow less between full collections and behaves the same on every host;
# 1,000 targets use a fraction of it. The spawn helper inherits all of them.
ENV NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=512" \
    MALLOC_ARENA_MAX=1 \
    NODE_COMPILE_CACHE=/app/.compile-cache
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tini \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data && chown node:node /data
COPY --from=flyctl /flyctl /usr/local/bin/fly
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY config ./config
RUN mkdir -p /app/.compile-cache && chown node:node /app/.compile-cache
USER node
# Fill the compile cache with every module the daemon can load (bin/rollback-watchdog.js reads
# it): the container then never loads Node's TypeScript stripper, which stays resident (~20 MB).
RUN node --input-type=module -e "for (const m of ['cli', 'main', 'infra/exec/run-cli', 'infra/exec/spawn-helper', 'infra/exec/spawn-helper-main', 'store/postgres-store', 'ha/pg-coordination', 'ha/lease-manager', 'platform/expo/eas-platform', 'client/run-client', 'client/watch']) await import('/app/src/' + m + '.ts')"
EXPOSE 8080
VOLUME ["/data"]
# tini forwards SIGTERM so the daemon can finish an in-flight rollback before exiting.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/rollback-watchdog.js"]
CMD ["run"]
