import { Counter, Registry, collectDefaultMetrics } from "prom-client";

/** One Prometheus registry per process, with the default process metrics, labelled by service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Counts SQL statements sent to PostgreSQL, so query budgets can be watched (and tested). */
export function dbQueryCounter(registry: Registry): Counter {
  return new Counter({ name: "db_queries_total", help: "SQL statements sent to PostgreSQL", registers: [registry] });
}
