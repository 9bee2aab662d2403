import type { TracerProvider } from "@opentelemetry/api";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { PrismaInstrumentation } from "@prisma/instrumentation";
import IORedis from "ioredis";

/**
 * Spans of the calls a service makes to its stores, under the span that made them:
 *
 * - **SQL**: Prisma's own tracing (`@prisma/instrumentation`), one `prisma:client:operation`
 *   span per query method, with a `prisma:client:db_query` child per statement holding its SQL
 *   (`db.query.text`); the client reads the instrumentation from a global at each call, so
 *   clients made before tracing started are traced too.
 * - **Redis**: OpenTelemetry's `ioredis` instrumentation, a CLIENT span per command (`publish`,
 *   `evalsha`, …) with its arguments reduced to the key. Only commands made inside a span are
 *   traced: the background ones (revocation sync, subscriber mode) would each start a trace.
 *
 * The `ioredis` patch is applied to the module this project imports, not through a module-loading
 * hook: the services are ES modules (run by `tsx`, by Node on the build, or by Vitest), which
 * `require` hooks never see, and the class every connection is made from is one object either
 * way. Returns what undoes both.
 */
export function instrumentStores(provider: TracerProvider): () => void {
  const prisma = new PrismaInstrumentation({ enabled: false, ignoreSpanTypes: ["prisma:client:serialize"] });
  prisma.setTracerProvider(provider);
  prisma.enable();

  const redis = new IORedisInstrumentation({ enabled: false, requireParentSpan: true });
  redis.setTracerProvider(provider);
  const [definition] = redis.getModuleDefinitions();
  definition?.patch?.(IORedis);

  return () => {
    definition?.unpatch?.(IORedis);
    prisma.disable();
  };
}
