# One image for the gateway, the three subgraphs and the one-shot `prepare`; docker-compose.yml
# picks the command. Sources run with tsx, exactly as `npm start` runs them.
FROM node:20-slim

WORKDIR /app
RUN chown node:node /app
USER node
ENV PATH=/app/node_modules/.bin:$PATH

# Dependencies first, so that a source change does not reinstall them. Install scripts stay
# off: Prisma's would download engines the project does not use (queries go through the pg
# adapter, migrations through the WASM engine); the client is generated below instead.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY --chown=node:node prisma.config.ts ./
COPY --chown=node:node prisma ./prisma
RUN npm run prisma -- generate

COPY --chown=node:node . .
# The auth subgraph keeps its development signing key here (a volume in docker-compose.yml).
RUN mkdir -p .data

ENV HOST=0.0.0.0
CMD ["tsx", "gateway/src/index.ts"]
