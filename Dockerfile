# whmcs-mcp: stdio by default (`docker run -i ... whmcs-mcp`), Streamable HTTP with `serve --http`.
# State (intents, the audit chain, consumer tokens) lives in the /data volume.
ARG NODE_VERSION=20.20.2

# --- build: compile better-sqlite3 and the TypeScript, then drop dev dependencies -------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/postbuild.mjs scripts/docker-healthcheck.mjs scripts/
COPY src src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: the built files and production dependencies only, as a non-root user ----------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    MCP_STATE_DB=/data/whmcs-mcp.sqlite \
    MCP_HTTP_HOST=0.0.0.0 \
    MCP_HTTP_PORT=8080
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/dist dist
COPY --from=build --chown=node:node /app/scripts/docker-healthcheck.mjs scripts/
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
VOLUME ["/data"]
USER node
EXPOSE 8080
# Over HTTP the check asks /healthz; over stdio Docker can only know the process is alive.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "scripts/docker-healthcheck.mjs"]
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve"]
