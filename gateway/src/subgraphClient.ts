import { BrokenCircuitError, ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleWhen, retry, CircuitState } from "cockatiel";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { Pool } from "undici";
import type { SubgraphCallSettings } from "#lib/config.js";
import { isRetryLaterCode } from "#lib/errors.js";
import type { Logger } from "#lib/logger.js";
import { LATENCY_BUCKETS, registered } from "#lib/server/operationMetrics.js";
import { isConnectionError, subgraphErrorBody, SubgraphRefusal, SubgraphUnavailableError, type FailureReason } from "./subgraphErrors.js";

export type { SubgraphCallSettings };

/** Largest refusal body read; anything larger is not one of ours. */
const MAX_REFUSAL_BYTES = 65_536;

/** A subgraph's HTTP answer, its body read as text. */
export interface SubgraphAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** Thrown by a subgraph that answered with a 5xx status: counts against its circuit. */
class SubgraphHttpError extends Error {}

/**
 * The HTTP client of one subgraph: keep-alive connections pooled by an undici `Pool` (its
 * `request` API, without the WHATWG `fetch` layers), one deadline per call (retries
 * included), retries with exponential backoff for queries whose connection failed, and a
 * circuit breaker (cockatiel) that, after consecutive failures, fails calls at once until a
 * trial call succeeds. A deliberate refusal (a 503 or 429 carrying `SERVICE_UNAVAILABLE` or
 * `TOO_MANY_REQUESTS` errors) is thrown as a {@link SubgraphRefusal}, outside both; any
 * other failure as a {@link SubgraphUnavailableError} naming the reason. Latency and errors
 * go to `/metrics`.
 */
export function createSubgraphClient(name: string, url: string, settings: SubgraphCallSettings, registry: Registry, logger: Logger) {
  const target = new URL(url);
  const path = `${target.pathname}${target.search}`;
  const pool = new Pool(target.origin, { connections: settings.connections, keepAliveTimeout: 30_000, connectTimeout: Math.min(settings.timeoutMs, 3_000) });
  const m = subgraphMetrics(registry);
  const retries = retry(handleWhen(isConnectionError), {
    maxAttempts: settings.retries,
    backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 }),
  });
  const breaker = circuitBreaker(
    handleWhen((err) => !(err instanceof BrokenCircuitError) && !(err instanceof SubgraphRefusal)),
    {
      halfOpenAfter: settings.breakerResetMs,
      breaker: new ConsecutiveBreaker(settings.breakerFailures),
    },
  );
  breaker.onStateChange((state) => {
    m.breakerOpen.set({ subgraph: name }, state === CircuitState.Open ? 1 : 0);
    logger.warn({ subgraph: name, state: CircuitState[state] }, "subgraph circuit changed state");
  });
  m.breakerOpen.set({ subgraph: name }, 0);

  /**
   * POSTs `body` with `headers`. `retryable` calls (queries) are retried when their
   * connection failed; mutations never are.
   */
  async function post(body: string, headers: Record<string, string>, retryable: boolean): Promise<SubgraphAnswer> {
    const stop = m.duration.startTimer({ subgraph: name });
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), settings.timeoutMs);
    const attempt = async (): Promise<SubgraphAnswer> => {
      const response = await pool.request({ path, method: "POST", headers, body, signal: deadline.signal });
      const contentType = String(response.headers["content-type"] ?? "");
      const { statusCode: status } = response;
      if (status === 503 || status === 429) {
        const length = Number(response.headers["content-length"] ?? 0);
        if (length > MAX_REFUSAL_BYTES || !/^application\/(graphql-response\+)?json/.test(contentType)) {
          await response.body.dump();
          if (status === 429) return { status, contentType, text: "" };
          throw new SubgraphHttpError(`subgraph ${name} answered HTTP 503`);
        }
        const text = await response.body.text();
        const refusal = refusalOf(name, status, response.headers["retry-after"], text);
        if (refusal) throw refusal;
        if (status === 429) return { status, contentType, text };
        throw new SubgraphHttpError(`subgraph ${name} answered HTTP 503`);
      }
      if (status >= 500) {
        await response.body.dump();
        throw new SubgraphHttpError(`subgraph ${name} answered HTTP ${status}`);
      }
      return { status, contentType, text: await response.body.text() };
    };
    try {
      const answer = await breaker.execute(() => (retryable ? retries.execute(attempt) : attempt()));
      stop({ outcome: "ok" });
      return answer;
    } catch (err) {
      if (err instanceof SubgraphRefusal) {
        stop({ outcome: "refused" });
        throw err;
      }
      const reason = failureReason(err, deadline.signal.aborted);
      stop({ outcome: reason });
      m.errors.inc({ subgraph: name, reason });
      throw new SubgraphUnavailableError(name, reason, err);
    } finally {
      clearTimeout(timer);
    }
  }

  return { name, post, close: () => pool.close() };
}

export type SubgraphClient = ReturnType<typeof createSubgraphClient>;

/** The refusal a 503 or 429 body carries, if it is one: every error says "later". */
function refusalOf(name: string, status: number, retryAfterHeader: string | string[] | undefined, text: string): SubgraphRefusal | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const graphql = subgraphErrorBody(body);
  if (!graphql || !graphql.errors.every((e) => isRetryLaterCode(e.extensions?.code))) return undefined;
  const usable = (seconds: number) => Number.isFinite(seconds) && seconds > 0;
  const fromHeader = Number(Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader);
  const fromBody = Number(graphql.errors[0]!.extensions?.retryAfter);
  const seconds = usable(fromHeader) ? fromHeader : usable(fromBody) ? fromBody : undefined;
  return new SubgraphRefusal(name, status, seconds === undefined ? undefined : Math.ceil(seconds), graphql);
}

function failureReason(err: unknown, timedOut: boolean): FailureReason {
  if (err instanceof BrokenCircuitError) return "circuit_open";
  if (timedOut) return "timeout";
  if (err instanceof SubgraphHttpError) return "http_5xx";
  return isConnectionError(err) ? "connection" : "other";
}

function subgraphMetrics(registry: Registry) {
  return {
    duration: registered(
      registry,
      "subgraph_fetch_duration_seconds",
      () =>
        new Histogram({
          name: "subgraph_fetch_duration_seconds",
          help: "Gateway calls to subgraphs",
          labelNames: ["subgraph", "outcome"],
          buckets: LATENCY_BUCKETS,
          registers: [registry],
        }),
    ),
    errors: registered(
      registry,
      "subgraph_fetch_errors_total",
      () =>
        new Counter({
          name: "subgraph_fetch_errors_total",
          help: "Gateway calls to subgraphs that failed, by reason",
          labelNames: ["subgraph", "reason"],
          registers: [registry],
        }),
    ),
    breakerOpen: registered(
      registry,
      "subgraph_circuit_open",
      () => new Gauge({ name: "subgraph_circuit_open", help: "1 while the circuit to the subgraph is open", labelNames: ["subgraph"], registers: [registry] }),
    ),
  };
}
