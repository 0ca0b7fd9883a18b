# Multi-stage: the image holds the compiled server and production dependencies only, and runs as the non-root
# `node` user of the official image. Build: docker build -t strategy-graph .  (docker-compose.yml builds it too.)

# 1. Compile TypeScript (needs the dev dependencies).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY workers ./workers
COPY migrations ./migrations
RUN npm run build

# 2. Production dependencies only, from the same lockfile.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. The image: compiled code + production dependencies, owned by root and run by `node` (it cannot change them).
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 4000
CMD ["node", "dist/src/api.js"]
