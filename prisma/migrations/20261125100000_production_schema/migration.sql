-- The production subgraph's schema exists from the first deploy, before any table of its own.
-- Prisma emits CREATE SCHEMA only for schemas that hold objects, hence this hand-written step.

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "production";
