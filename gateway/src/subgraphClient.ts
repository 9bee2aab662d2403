import type { RemoteGraphQLDataSource } from "@apollo/gateway";
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  CircuitState,
} from "cockatiel";
import { GraphQLError } from "graphql";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { Agent, fetch, Response } from "undici";
import type { SubgraphCallSettings } from "../../lib/config.js";
import { isRetryLaterCode } from "../../lib/errors.js";
import type { Logger } from "../../lib/logger.js";
import { LATENCY_BUCKETS, registered } from "../../lib/server/operationMetrics.js";

export type { SubgraphCallSettings };

/** The connection never carried the request (refused, reset before an answer, unreachable). */
const CONNECTION_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_SOCKET"]);

export function isConnectionError(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code && CONNECTION_ERRORS.has(e.code)) return true;
  }
  return false;
}

/** Thrown by a subgraph that answered with a 5xx status: counts against its circuit. */
class SubgraphHttpError extends Error {}

/** Largest refusal body read; anything larger is not one of ours. */
const MAX_REFUSAL_BYTES = 65_536;

/** A subgraph's GraphQL response with errors, as it came in an HTTP error answer. */
export interface SubgraphErrorBody {
  data?: Record<string, unknown> | null;
  errors: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** `body` if it is a GraphQL response with at least one well-formed error. */
export function subgraphErrorBody(body: unknown): SubgraphErrorBody | undefined {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return errors.every((e) => typeof e?.message === "string") ? (body as SubgraphErrorBody) : undefined;
}

/**
 * A subgraph answered with an HTTP error status and a GraphQL response: its errors are its
 * answer, to pass on to the client with that status (and `Retry-After`), not a failure. A
 * deliberate refusal (503 or 429 whose every error is `SERVICE_UNAVAILABLE` or
 * `TOO_MANY_REQUESTS`, such as auth's "Sign-in is busy") is thrown by the fetcher: it is not
 * retried and does not count against the circuit (cockatiel lets errors its policies do not
 * handle through untouched; in the half-open state it proves the subgraph is up). A 4xx (a
 * client's mistake the subgraph caught, such as a malformed `DateTime`) comes from the data source.
 */
export class SubgraphRefusal extends GraphQLError {
  override name = "SubgraphRefusal";
  constructor(
    readonly subgraph: string,
    /** The subgraph's HTTP status. */
    readonly status: number,
    /** Seconds, from the `Retry-After` header or the first error's `extensions.retryAfter`. */
    readonly retryAfter: number | undefined,
    /** The subgraph's GraphQL response. */
    readonly body: SubgraphErrorBody,
  ) {
    super(`subgraph ${subgraph} answered HTTP ${status} with GraphQL errors`);
  }
}

type FetchResponse = Awaited<ReturnType<typeof fetch>>;

/**
 * Reads a 503 or 429 response: the refusal it carries, if it is one. Otherwise the response
 * as it came (its body unread, or read and put back).
 */
async function readRefusal(subgraph: string, response: FetchResponse): Promise<{ refusal?: SubgraphRefusal; response: FetchResponse }> {
  const type = response.headers.get("content-type") ?? "";
  const length = Number(response.headers.get("content-length") ?? 0);
  if (!/^application\/(graphql-response\+)?json/.test(type) || length > MAX_REFUSAL_BYTES) return { response };
  const text = await response.text();
  const unchanged = { response: new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers }) };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return unchanged;
  }
  const graphql = subgraphErrorBody(body);
  if (!graphql || !graphql.errors.every((e) => isRetryLaterCode(e.extensions?.code))) return unchanged;
  const fromHeader = Number(response.headers.get("retry-after"));
  const fromBody = Number(graphql.errors[0]!.extensions?.retryAfter);
  const usable = (seconds: number) => Number.isFinite(seconds) && seconds > 0;
  const seconds = usable(fromHeader) ? fromHeader : usable(fromBody) ? fromBody : undefined;
  const retryAfter = seconds === undefined ? undefined : Math.ceil(seconds);
  return { refusal: new SubgraphRefusal(subgraph, response.status, retryAfter, graphql), response };
}

/** The request body is a query (retrying it is harmless), not a mutation. */
const isQuery = (body: unknown) => typeof body === "string" && /^\{\s*"query"\s*:\s*"\s*(query\b|\{)/.test(body);

/**
 * A `fetch` for one subgraph's `RemoteGraphQLDataSource`: keep-alive connections pooled by an
 * undici `Agent`, a timeout per call, retries with exponential backoff for queries whose
 * connection failed, and a circuit breaker (cockatiel) that, after consecutive failures,
 * fails calls at once until a trial call succeeds. A deliberate refusal is thrown as a
 * {@link SubgraphRefusal}, outside both. Latency and errors go to `/metrics`.
 */
export function createSubgraphFetcher(name: string, settings: SubgraphCallSettings, registry: Registry, logger: Logger) {
  const agent = new Agent({ connections: settings.connections, keepAliveTimeout: 30_000, connectTimeout: Math.min(settings.timeoutMs, 3_000) });
  const m = subgraphMetrics(registry);
  const retries = retry(handleWhen(isConnectionError), {
    maxAttempts: settings.retries,
    backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 }),
  });
  const breaker = circuitBreaker(handleWhen((err) => !(err instanceof BrokenCircuitError) && !(err instanceof SubgraphRefusal)), {
    halfOpenAfter: settings.breakerResetMs,
    breaker: new ConsecutiveBreaker(settings.breakerFailures),
  });
  breaker.onStateChange((state) => {
    m.breakerOpen.set({ subgraph: name }, state === CircuitState.Open ? 1 : 0);
    logger.warn({ subgraph: name, state: CircuitState[state] }, "subgraph circuit changed state");
  });
  m.breakerOpen.set({ subgraph: name }, 0);

  const fetcher: RemoteGraphQLDataSource["fetcher"] = async (url, init) => {
    const stop = m.duration.startTimer({ subgraph: name });
    const signal = AbortSignal.timeout(settings.timeoutMs);
    const attempt = async () => {
      const response = await fetch(url, { ...(init as object), dispatcher: agent, signal } as never);
      if (response.status === 503 || response.status === 429) {
        const read = await readRefusal(name, response);
        if (read.refusal) throw read.refusal;
        if (response.status === 429) return read.response;
        await read.response.body?.cancel();
        throw new SubgraphHttpError(`subgraph ${name} answered HTTP 503`);
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        throw new SubgraphHttpError(`subgraph ${name} answered HTTP ${response.status}`);
      }
      return response;
    };
    try {
      const response = await breaker.execute(() => (isQuery(init?.body) ? retries.execute(attempt) : attempt()));
      stop({ outcome: "ok" });
      return response as never;
    } catch (err) {
      if (err instanceof SubgraphRefusal) {
        stop({ outcome: "refused" });
        throw err;
      }
      const reason = failureReason(err);
      stop({ outcome: reason });
      m.errors.inc({ subgraph: name, reason });
      throw new SubgraphUnavailableError(name, reason, err);
    }
  };
  return { fetcher, close: () => agent.close() };
}

export type FailureReason = "circuit_open" | "timeout" | "connection" | "http_5xx" | "other";

function failureReason(err: unknown): FailureReason {
  if (err instanceof BrokenCircuitError) return "circuit_open";
  if ((err as Error)?.name === "TimeoutError" || (err as Error)?.name === "AbortError") return "timeout";
  if (err instanceof SubgraphHttpError) return "http_5xx";
  return isConnectionError(err) ? "connection" : "other";
}

/** A subgraph call that failed before any GraphQL answer: the gateway reports it as SERVICE_UNAVAILABLE. */
export class SubgraphUnavailableError extends Error {
  override name = "SubgraphUnavailableError";
  constructor(
    readonly subgraph: string,
    readonly reason: FailureReason,
    cause: unknown,
  ) {
    super(`Subgraph "${subgraph}" is unavailable (${reason.replace("_", " ")})`, { cause });
  }
}

function subgraphMetrics(registry: Registry) {
  return {
    duration: registered(registry, "subgraph_fetch_duration_seconds", () =>
      new Histogram({ name: "subgraph_fetch_duration_seconds", help: "Gateway calls to subgraphs", labelNames: ["subgraph", "outcome"], buckets: LATENCY_BUCKETS, registers: [registry] }),
    ),
    errors: registered(registry, "subgraph_fetch_errors_total", () =>
      new Counter({ name: "subgraph_fetch_errors_total", help: "Gateway calls to subgraphs that failed, by reason", labelNames: ["subgraph", "reason"], registers: [registry] }),
    ),
    breakerOpen: registered(registry, "subgraph_circuit_open", () =>
      new Gauge({ name: "subgraph_circuit_open", help: "1 while the circuit to the subgraph is open", labelNames: ["subgraph"], registers: [registry] }),
    ),
  };
}
