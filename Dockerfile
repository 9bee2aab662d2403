# One image for the gateway, every subgraph and the one-shot `prepare`; docker-compose.yml
# picks the command. The services run compiled JavaScript (`npm run build`) with
# NODE_ENV=production; `prepare` (migrations and the demo seed) runs its script with tsx.

# Build stage: every dependency, the generated Prisma client, then `npm run build` into dist/.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay off: Prisma's would download engines the project does not use (queries go
# through the pg adapter, migrations through the WASM engine); the client is generated below.
RUN npm ci --ignore-scripts
COPY . .
RUN npm run prisma -- generate && npm run build

# Run stage: production dependencies only, the compiled services, and what they read at run
# time (schemas, migrations, the composed supergraph, the scripts `prepare` runs).
FROM node:20-slim
WORKDIR /app
RUN chown node:node /app
USER node
ENV PATH=/app/node_modules/.bin:$PATH NODE_ENV=production
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --chown=node:node . .
COPY --chown=node:node --from=build /app/generated ./generated
COPY --chown=node:node --from=build /app/dist ./dist
# The auth subgraph keeps its development signing key here (a volume in docker-compose.yml).
RUN mkdir -p .data

ENV HOST=0.0.0.0
CMD ["node", "dist/gateway/src/index.js"]
