import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { SpanKind, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMemoryTracing } from "../../test/support/memoryTracing.js";
import { callService } from "./serviceCall.js";

describe("callService, traced", () => {
  let tracing: ReturnType<typeof startMemoryTracing>;
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { ok: true } }));
  });

  beforeAll(async () => {
    tracing = startMemoryTracing();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
  });
  afterAll(async () => {
    server.close();
    await tracing.stop();
  });

  it("calls another service in a CLIENT span of the caller's trace and sends that span's traceparent", async () => {
    const { port } = server.address() as AddressInfo;
    const data = await trace.getTracer("test").startActiveSpan("caller's request", async (request) => {
      try {
        return await callService({
          service: "auth",
          operation: "confirmSignature",
          url: `http://127.0.0.1:${port}`,
          authorization: "Bearer t",
          requestId: "r-1",
          query: "{ ok }",
          variables: {},
        });
      } finally {
        request.end();
      }
    });
    expect(data).toEqual({ ok: true });
    const call = tracing.spans().find((span) => span.name === "auth confirmSignature")!;
    const request = tracing.spans().find((span) => span.name === "caller's request" && span.spanContext().spanId === call.parentSpanContext?.spanId);
    expect(call.kind).toBe(SpanKind.CLIENT);
    expect(request, "the call under the caller's request").toBeDefined();
    const { traceId, spanId } = call.spanContext();
    expect(received.at(-1)).toMatchObject({ traceparent: `00-${traceId}-${spanId}-01`, "x-request-id": "r-1" });
  });
});
