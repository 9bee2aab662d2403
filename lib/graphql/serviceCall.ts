import { context, propagation, SpanKind } from "@opentelemetry/api";
import { GraphQLError } from "graphql";
import { isCallerCode } from "../errors.js";
import { REQUEST_ID_HEADER } from "../server/requestId.js";
import { inSpan } from "../telemetry/messageSpans.js";

/** Default {@link ServiceCall.timeoutMs}: how long a call may take before the service counts as unavailable. */
export const SERVICE_CALL_TIMEOUT_MS = 5_000;

/** Where one service calls another's GraphQL API on behalf of its own caller. */
export interface ServiceCallTarget {
  /** Base URL of the called service; the document goes to `${url}/graphql`. */
  url: string;
  /** The caller's `Authorization` header, forwarded as it came: the called service checks the caller itself. */
  authorization: string | undefined;
  /** Forwarded as `x-request-id`, so one request can be followed through both services. */
  requestId: string;
  /** Default {@link SERVICE_CALL_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/** One GraphQL document to send. */
export interface ServiceCall extends ServiceCallTarget {
  /** The called service's name, for error messages (`auth`). */
  service: string;
  /** The operation's name, for error messages (`setPassword`). */
  operation: string;
  query: string;
  variables: Record<string, unknown>;
}

/** The called service could not be asked: down, timed out, answered garbage, or failed inside. */
export class ServiceUnavailableError extends Error {
  override name = "ServiceUnavailableError";

  constructor(
    /** The service that was called. */
    readonly service: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

type GraphQLResponse = { data?: unknown; errors?: Array<{ message?: string; extensions?: Record<string, unknown> }> };

/**
 * POSTs a GraphQL document to another service and returns its `data`. An error the called
 * service wrote for the caller (a code of kind `caller`: UNAUTHENTICATED, FORBIDDEN,
 * BAD_USER_INPUT, TOO_MANY_REQUESTS …) is thrown as a `GraphQLError` with its message and
 * extensions (without `http`), to be passed on as it is; anything else is a
 * {@link ServiceUnavailableError}. Checking the shape of `data` is the caller's.
 */
export async function callService(call: ServiceCall): Promise<Record<string, unknown>> {
  const { service, operation, url, authorization, requestId, timeoutMs = SERVICE_CALL_TIMEOUT_MS, query, variables } = call;
  const failed = `${service} ${operation} failed`;
  let body: GraphQLResponse;
  try {
    // A CLIENT span of the caller's trace (when traced), continued by the called service.
    body = await inSpan(`${service} ${operation}`, SpanKind.CLIENT, context.active(), { "supergraph.subgraph": service }, async () => {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        [REQUEST_ID_HEADER]: requestId,
        ...(authorization ? { authorization } : {}),
      };
      propagation.inject(context.active(), headers);
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return (await response.json()) as GraphQLResponse;
    });
  } catch (err) {
    throw new ServiceUnavailableError(service, `${failed}: ${(err as Error).message}`, { cause: err });
  }
  if (!body || typeof body !== "object") throw new ServiceUnavailableError(service, `${failed}: the answer is no GraphQL response`);
  const error = body.errors?.[0];
  if (error) {
    const code = error.extensions?.code;
    if (isCallerCode(code)) {
      const { http: _http, ...extensions } = error.extensions ?? {};
      throw new GraphQLError(error.message ?? code, { extensions });
    }
    throw new ServiceUnavailableError(service, `${failed}: ${String(code)} ${error.message}`);
  }
  if (!body.data || typeof body.data !== "object") throw new ServiceUnavailableError(service, `${service} ${operation} answered without data`);
  return body.data as Record<string, unknown>;
}
