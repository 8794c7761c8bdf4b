# InstantChat's images, built from the repository root:
#   docker-compose build                       (the API image, which also serves the dashboard)
#   docker build --target meta-sandbox .        (the Meta sandbox, for trying the stack without Meta)
# Node 20, as `engines` asks (>= 20.19).

# Build: the whole workspace's dependencies, then the API, the dashboard and the sandbox through Nx.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_INTERACTIVE=false NG_CLI_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nx run-many -t build -p api web meta-sandbox --parallel=1 --outputStyle=static

# The API's production dependencies only: the package.json Nx generated for the bundle (the npm
# packages it imports), resolved at the versions of the workspace's lockfile. Nx's own pruned
# lockfile is out of step with that package.json, so `npm ci` refuses it. No install scripts run.
FROM node:20-bookworm-slim AS api-dependencies
WORKDIR /app
COPY --from=build /app/dist/apps/api/package.json ./
COPY package-lock.json ./
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force

# The Meta sandbox (the compose file's `sandbox` profile): one bundled file with no npm packages.
FROM node:20-bookworm-slim AS meta-sandbox
WORKDIR /app
ENV NODE_ENV=production SANDBOX_HOST=0.0.0.0 SANDBOX_PORT=3100 \
  SANDBOX_STATE_FILE=/data/meta-sandbox/state.json
RUN mkdir -p /data/meta-sandbox && chown -R node:node /data
COPY --from=build /app/dist/apps/meta-sandbox ./dist/apps/meta-sandbox
USER node
EXPOSE 3100
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3100/instagram').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/meta-sandbox/main.js"]

# The API, serving the dashboard on the same port (the default, last stage). Runs as `node`, not root.
FROM node:20-bookworm-slim AS api
WORKDIR /app
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 \
  WEB_DIST_DIR=/app/dist/apps/web/browser
COPY --from=api-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist/apps/api ./dist/apps/api
COPY --from=build /app/dist/apps/web/browser ./dist/apps/web/browser
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/api/main.js"]
