import { GraphQLError } from "graphql";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { useErrorLog } from "#lib/server/errorLog.js";
import { formatGatewayError } from "../src/errors.js";

/** A logger whose lines are collected, parsed. */
function collectingLogger() {
  const lines: Array<Record<string, any>> = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** What `useErrorLog` does with a request's errors, given the request's logger in its context. */
async function logErrors(logger: ReturnType<typeof collectingLogger>["logger"], requestLogger: typeof logger, errors: GraphQLError[]) {
  const listener = await useErrorLog(logger).requestDidStart!({} as never);
  await listener!.didEncounterErrors!({ errors, contextValue: { logger: requestLogger } } as never);
}

describe("formatGatewayError", () => {
  it("masks an internal error and logs it in full with the request id", async () => {
    const { logger, lines } = collectingLogger();
    const format = formatGatewayError();
    const error = new GraphQLError('relation "users" does not exist', { originalError: new Error('relation "users" does not exist') });
    await logErrors(logger, logger.child({ requestId: "req-1" }), [error]);
    const formatted = format({ message: error.message, path: ["me"], extensions: { code: "INTERNAL_SERVER_ERROR" } }, error);
    expect(formatted).toEqual({ message: "Internal server error", path: ["me"], extensions: { code: "INTERNAL_SERVER_ERROR" } });
    expect(lines).toEqual([
      expect.objectContaining({
        msg: "internal error",
        requestId: "req-1",
        err: expect.objectContaining({ message: 'relation "users" does not exist', stack: expect.any(String) }),
      }),
    ]);
  });

  it("keeps a subgraph error's code and the subgraph's name, masked or not", () => {
    const format = formatGatewayError();
    const forbidden = { message: "Mutation.createUser requires scope users:write", extensions: { code: "FORBIDDEN", serviceName: "user" } };
    expect(format(forbidden, new GraphQLError(forbidden.message))).toEqual(forbidden);
    const internal = { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR", serviceName: "production" } };
    expect(format(internal, new GraphQLError(internal.message))).toEqual(internal);
  });
});
