-- The qa subgraph's own schema (`npm run new:subgraph`). It writes only here.
CREATE SCHEMA IF NOT EXISTS "qa";
