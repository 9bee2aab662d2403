import { SpanKind } from "@opentelemetry/api";
import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from "graphql";
import { currentTraceparent, inTraceOf } from "./messageSpans.js";

/** The extension a subscription result carries its delivery's trace context in (`extensions.traceparent`). */
export const TRACEPARENT_EXTENSION = "traceparent";

type Results = AsyncIterableIterator<ExecutionResult>;

const isAsyncIterable = (value: unknown): value is AsyncIterableIterator<unknown> =>
  typeof value === "object" && value !== null && Symbol.asyncIterator in value;

/**
 * graphql-js' `subscribe`, each event executed in a CONSUMER span `deliver <type>` under the
 * trace the event carries (`traceparent` of an envelope published by `EventPubSub.publish`),
 * and the result sent with that span's trace context in `extensions.traceparent`: the gateway
 * continues the trace to its own subscribers. Events without one start no trace of their own.
 * `return()` goes straight to the source stream, as graphql-js' own mapping does, so a
 * subscriber that leaves is let go even while no event comes. Used when tracing is on.
 */
export async function tracedSubscribe(args: ExecutionArgs): Promise<Results | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source as ExecutionResult;

  const deliver = (event: unknown): Promise<ExecutionResult> => {
    const { type, traceparent } = (event ?? {}) as { type?: unknown; traceparent?: unknown };
    const name = `deliver ${typeof type === "string" ? type : "event"}`;
    return inTraceOf(traceparent, name, SpanKind.CONSUMER, { "graphql.operation.name": args.operationName ?? "" }, async () => {
      const result = await execute({ ...args, rootValue: event });
      const context = currentTraceparent();
      return context ? { ...result, extensions: { ...result.extensions, [TRACEPARENT_EXTENSION]: context } } : result;
    });
  };

  const results: Results = {
    async next() {
      const step = await source.next();
      return step.done ? step : { done: false, value: await deliver(step.value) };
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    async throw(err?: unknown) {
      await source.return?.();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return results;
}
