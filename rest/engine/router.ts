import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from "express";
import type { Logger } from "#lib/logger.js";
import { BODY_LIMIT } from "#lib/server/http.js";
import { REQUEST_ID_HEADER, requestIdFrom } from "#lib/server/requestId.js";
import { internalError, RestError, restErrorFromGraphQL } from "./errors.js";
import type { Executor } from "./executor.js";
import { OPENAPI_PATH, openApiDocument, type OpenApiInfo } from "./openapi.js";
import type { RestRoute } from "./route.js";

export interface RestRouterOptions {
  /** Runs each route's operation: the service's own Apollo Server. */
  executor: Executor;
  logger: Logger;
  /** Title and description of the OpenAPI document served at `/api/openapi.json`. */
  info: OpenApiInfo;
}

/** The request id `/graphql` would use, fixed once so that the context and the error body agree. */
function requestId(req: Request, res: Response): string {
  const id = requestIdFrom(req.headers);
  req.headers[REQUEST_ID_HEADER] = id;
  res.set(REQUEST_ID_HEADER, id);
  return id;
}

const hasBody = (req: Request) => req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;

const isPlainObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);

/** Reading a JSON body: anything but a JSON object sent as `application/json` is a 400. */
const jsonBody: RequestHandler[] = [
  (req, _res, next) => next(hasBody(req) && !req.is("application/json") ? new RestError("BAD_REQUEST", "Content-Type must be application/json") : undefined),
  express.json({ limit: BODY_LIMIT }),
  (req, _res, next) => next(req.body !== undefined && !isPlainObject(req.body) ? new RestError("BAD_REQUEST", "The body must be a JSON object") : undefined),
];

/** Any failure as a {@link RestError}; bugs are logged in full and masked. */
function toRestError(err: unknown, logger: Logger, id: string): RestError {
  if (err instanceof RestError) return err;
  const failure = err as { type?: string; status?: number; expose?: boolean; message?: string; name?: string; extensions?: { code?: unknown } };
  if (failure?.type === "entity.parse.failed") return new RestError("BAD_REQUEST", `Malformed JSON body: ${failure.message}`);
  if (failure?.type === "entity.too.large") return new RestError("PAYLOAD_TOO_LARGE", "Body larger than 1 MB");
  // Any other body the parser could not read (unknown charset or encoding, corrupt gzip) is the client's.
  if (typeof failure?.status === "number" && failure.status >= 400 && failure.status < 500 && failure.expose) {
    return new RestError("BAD_REQUEST", failure.message ?? "Unreadable request body");
  }
  // The context factory refuses an invalid token with a GraphQLError, as `/graphql` does.
  if (failure?.name === "GraphQLError" && typeof failure.extensions?.code === "string") {
    return restErrorFromGraphQL([{ message: failure.message ?? "", extensions: failure.extensions }]);
  }
  logger.error({ err, requestId: id }, "REST request failed");
  return internalError();
}

function restErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const id = requestId(req, res);
    const error = toRestError(err, logger, id);
    const retryAfter = error.details?.retryAfter;
    if (typeof retryAfter === "number") res.set("retry-after", String(Math.ceil(retryAfter)));
    res.status(error.status).json(error.body(id));
  };
}

/** The handler of one route: variables in, operation run, legacy result out. */
function handler(route: RestRoute, executor: Executor): RequestHandler {
  return async (req, res, next) => {
    try {
      requestId(req, res);
      const { document, variables } = route.operation(req);
      const outcome = await executor(req, { query: document.toString(), variables });
      if (outcome.errors?.length) throw restErrorFromGraphQL(outcome.errors);
      if (!outcome.data) throw internalError();
      // The graph answered this document over the schema it was typed against (codegen).
      const result = route.result(outcome.data, req);
      res.status(result.status).set(result.headers ?? {});
      if (result.body === undefined) res.end();
      else res.json(result.body);
    } catch (err) {
      next(err);
    }
  };
}

/**
 * The REST endpoints of `routes`, their OpenAPI document at `/api/openapi.json`, a 404 in the
 * REST error body for any other `/api` path, and that error body for every failure.
 * Mount it before `/graphql`: it only answers `/api/*`.
 */
export function restRouter(routes: readonly RestRoute[], { executor, logger, info }: RestRouterOptions): express.Router {
  const router = express.Router();
  const document = openApiDocument(routes, info);
  router.get(OPENAPI_PATH, (_req, res) => {
    res.json(document);
  });
  for (const route of routes) {
    router[route.method](route.path, ...(route.body ? jsonBody : []), handler(route, executor));
  }
  router.use("/api", (req, _res, next) => next(new RestError("NOT_FOUND", `No endpoint ${req.method} ${req.originalUrl.split("?")[0]}`)));
  router.use(restErrorHandler(logger));
  return router;
}
