# The web app (portal + orchestrator): `docker build -t deeper-web .`
# Embedded by default (PGlite in /data, artifacts in /data/artifacts, local executor running steps in
# child processes); set DATABASE_URL, S3_* and INNGEST_* for the production engine (docker-compose.yml).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npx next build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
# The whole tree stays: the embedded executor runs workers/main.ts (through tsx) in child processes,
# and migrations are read from drizzle/ at start.
COPY --from=build /app ./
RUN mkdir -p /data && chown -R node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "scripts/start.mjs"]
