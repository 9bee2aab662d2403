import type { ApolloServerPlugin } from "@apollo/server";
import { Counter, Histogram, type Registry } from "prom-client";

/** Latency buckets in seconds, from 5 ms to 10 s (the longest a subgraph call may take). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A metric of `registry`, created the first time it is asked for (so two servers of one process share it). */
export function registered<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** Names are chosen by clients: capped, so a hostile client cannot grow the series without bound. */
const operationLabel = (name: string | null | undefined) => (name ? name.slice(0, 64) : "anonymous");

/**
 * Counts GraphQL operations and their latency by operation name and type, and errors by
 * code: `graphql_requests_total`, `graphql_request_duration_seconds`, `graphql_errors_total`.
 */
export function useOperationMetrics(registry: Registry): ApolloServerPlugin<any> {
  const labelNames = ["operation_name", "operation_type", "outcome"] as const;
  const requests = registered(
    registry,
    "graphql_requests_total",
    () => new Counter({ name: "graphql_requests_total", help: "GraphQL operations handled", labelNames, registers: [registry] }),
  );
  const duration = registered(
    registry,
    "graphql_request_duration_seconds",
    () =>
      new Histogram({
        name: "graphql_request_duration_seconds",
        help: "GraphQL operation latency",
        labelNames,
        buckets: LATENCY_BUCKETS,
        registers: [registry],
      }),
  );
  const errors = registered(
    registry,
    "graphql_errors_total",
    () => new Counter({ name: "graphql_errors_total", help: "GraphQL errors returned, by code", labelNames: ["code"], registers: [registry] }),
  );
  return {
    async requestDidStart() {
      const stop = duration.startTimer();
      let failed = false;
      return {
        async didEncounterErrors({ errors: list }) {
          failed = true;
          for (const error of list) errors.inc({ code: String(error.extensions?.code ?? "INTERNAL_SERVER_ERROR") });
        },
        async willSendResponse({ operationName, operation }) {
          const labels = { operation_name: operationLabel(operationName), operation_type: operation?.operation ?? "unknown", outcome: failed ? "error" : "ok" };
          stop(labels);
          requests.inc(labels);
        },
      };
    },
  };
}
