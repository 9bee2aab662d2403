import { Repeater } from "@repeaterjs/repeater";
import { GraphQLBoolean, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMemoryTracing } from "../../test/support/memoryTracing.js";
import { tracedSubscribe, TRACEPARENT_EXTENSION } from "./subscriptionSpans.js";

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const PARENT_ID = "b7ad6b7169203331";

/** A subscription over `events`; `left` resolves when the source stream is let go. */
function ticks(events: Array<Record<string, unknown>>) {
  let leave!: () => void;
  const left = new Promise<void>((resolve) => (leave = resolve));
  const source = new Repeater<Record<string, unknown>>(async (push, stop) => {
    for (const event of events) await push(event);
    await stop;
    leave();
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: { ok: { type: GraphQLBoolean } } }),
    subscription: new GraphQLObjectType({
      name: "Subscription",
      fields: { ticked: { type: GraphQLString, subscribe: () => source, resolve: (event: { data: string }) => event.data } },
    }),
  });
  return { left, run: () => tracedSubscribe({ schema, document: parse("subscription Ticks { ticked }"), operationName: "Ticks" }) };
}

describe("tracedSubscribe", () => {
  let tracing: ReturnType<typeof startMemoryTracing>;
  beforeAll(() => void (tracing = startMemoryTracing()));
  afterAll(() => tracing.stop());

  it("executes each event in a span under the trace it carries, and passes that span's context on in extensions", async () => {
    const { run } = ticks([
      { type: "clock.ticked", data: "one", traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
      { type: "clock.ticked", data: "two" },
    ]);
    const results = (await run()) as AsyncIterableIterator<ExecutionResult>;
    const traced = (await results.next()).value as ExecutionResult;
    expect(traced.data).toEqual({ ticked: "one" });
    const [span] = tracing.spans();
    expect(span).toMatchObject({ name: "deliver clock.ticked", parentSpanContext: { spanId: PARENT_ID } });
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
    expect(traced.extensions).toEqual({ [TRACEPARENT_EXTENSION]: `00-${TRACE_ID}-${span!.spanContext().spanId}-01` });
    // An event from outside any trace starts none, and its result carries no context.
    expect((await results.next()).value).toEqual({ data: { ticked: "two" } });
    expect(tracing.spans()).toHaveLength(1);
    await results.return!();
  });

  it("lets the source go at once when the subscriber leaves while no event comes", async () => {
    const { run, left } = ticks([]);
    const results = (await run()) as AsyncIterableIterator<ExecutionResult>;
    const waiting = results.next();
    await results.return!();
    await left;
    expect(await waiting).toEqual({ done: true, value: undefined });
  });
});
