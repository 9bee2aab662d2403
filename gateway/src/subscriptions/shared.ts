import { SpanKind, trace } from "@opentelemetry/api";
import type { ExecutionResult } from "graphql";
import { CloseCode } from "graphql-ws";
import { apiError } from "#lib/errors.js";
import type { Logger } from "#lib/logger.js";
import { subscriberStream, type Feed } from "#lib/pubsub/subscriberStream.js";
import { inTraceOf } from "#lib/telemetry/messageSpans.js";
import { TRACEPARENT_EXTENSION } from "#lib/telemetry/subscriptionSpans.js";
import { upstreamErrors, type UpstreamEvent } from "./enrich.js";

interface Group {
  subscribers: Set<Feed<ExecutionResult>>;
  upstream: AsyncIterableIterator<UpstreamEvent>;
}

/** What a group needs to start: the upstream subscription and the per-event enrichment, both under the group's service token. */
export interface GroupSource {
  /** The subgraph the upstream subscription goes to, named in the error when it ends it. */
  serviceName: string;
  open(): AsyncIterableIterator<UpstreamEvent>;
  enrich(event: UpstreamEvent): Promise<ExecutionResult>;
}

/** Events of one group being enriched at once, at most; the upstream is read no further ahead. */
const ENRICHMENTS_IN_FLIGHT = 4;

/** One subscriber of a group. */
export interface Member {
  /** Results it may leave unread (`SUBSCRIPTION_BUFFER`). */
  capacity: number;
  /** It left that many unread: its socket is closed (4008), and only it goes. */
  tooSlow(): void;
}

/**
 * Subscribers whose answers are the same share one upstream subscription and one enrichment per
 * event: fan-out costs a push per subscriber, not a subgraph call. The caller's key says what
 * the answer depends on: the operation, its variables and the subscriber's scopes (authorization
 * here is by scope, and no field a subscription reaches reads who the caller is). The upstream
 * and the enrichment fetches use a service token with the group's scopes, never a member's, so
 * members come and go (log out, expire, are revoked: the gateway closes their sockets) without
 * disturbing the others; the upstream opens when the first member pulls and closes when the last
 * leaves. Each member's results wait in a bounded buffer (`subscriberStream`): one that falls
 * behind beyond it is closed, the others go on.
 */
export class SharedSubscriptions {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly logger: Logger) {}

  /** How many upstream subscriptions are open (for tests and metrics). */
  get upstreamCount(): number {
    return this.groups.size;
  }

  /** A new subscriber of `key`, as an async iterator of results; it joins (starting the upstream if needed) when it first pulls. */
  join(key: string, source: GroupSource, member: Member): AsyncIterableIterator<ExecutionResult> {
    return subscriberStream<ExecutionResult>(
      (subscriber) => {
        let group = this.groups.get(key);
        if (!group) {
          group = { subscribers: new Set(), upstream: source.open() };
          this.groups.set(key, group);
          void this.pump(key, group, source);
        }
        const joined = group;
        joined.subscribers.add(subscriber);
        return () => this.leave(key, joined, subscriber);
      },
      {
        capacity: member.capacity,
        overflow: (n) => {
          member.tooSlow();
          return apiError("SERVICE_UNAVAILABLE", `More than ${n} results waited unread: subscribe again with \`after\``);
        },
      },
    );
  }

  private leave(key: string, group: Group, subscriber: Feed<ExecutionResult>) {
    group.subscribers.delete(subscriber);
    if (group.subscribers.size > 0 || this.groups.get(key) !== group) return;
    this.groups.delete(key);
    void group.upstream.return?.();
  }

  /**
   * Enriches each upstream event once and hands the result to every subscriber, in the order
   * of the events. Enrichments overlap (up to {@link ENRICHMENTS_IN_FLIGHT} events of a group):
   * a group's throughput is not bounded by one subgraph round trip per event.
   */
  private async pump(key: string, group: Group, source: GroupSource) {
    const inFlight: Array<Promise<void>> = [];
    let delivered = Promise.resolve();
    const enrich = (event: UpstreamEvent) =>
      source.enrich(event).catch((err: Error): ExecutionResult => {
        this.logger.error({ err }, "resolving a subscription event failed");
        return { errors: [apiError("INTERNAL_SERVER_ERROR", "Internal server error")] };
      });
    try {
      for await (const event of group.upstream) {
        const previous = delivered;
        // In the trace of the change that caused the event, when the subgraph passed it on: the
        // enrichment's fetches and the hand-over to the subscribers.
        delivered = inTraceOf(
          event.extensions?.[TRACEPARENT_EXTENSION],
          "deliver subscription event",
          SpanKind.CONSUMER,
          { "supergraph.subgraph": source.serviceName },
          async () => {
            const value = await enrich(event);
            // Delivered after the events before it, whichever enrichment finishes first.
            await previous;
            trace.getActiveSpan()?.setAttribute("graphql.subscription.subscribers", group.subscribers.size);
            for (const subscriber of group.subscribers) subscriber.push(value);
          },
        );
        inFlight.push(delivered);
        if (inFlight.length >= ENRICHMENTS_IN_FLIGHT) await inFlight.shift();
      }
      await delivered;
    } catch (err) {
      await delivered;
      const errors = this.ended(err, source);
      for (const subscriber of group.subscribers) subscriber.push({ errors });
    }
    if (this.groups.get(key) === group) this.groups.delete(key);
    for (const subscriber of [...group.subscribers]) subscriber.close();
  }

  /**
   * Why the upstream ended, for the subscribers. graphql-ws rejects with the subgraph's errors
   * (an array, already masked by the subgraph), a close event, or a connection error, whose
   * text (addresses, ports) stays in the log.
   */
  private ended(err: unknown, source: GroupSource) {
    if (Array.isArray(err)) return upstreamErrors(err);
    const { code, reason } = (err ?? {}) as { code?: unknown; reason?: unknown };
    // The group's service token refused: a deployment error (GATEWAY_SERVICE_SECRET, keys), not the members'.
    if (code === CloseCode.Unauthorized) this.logger.error({ serviceName: source.serviceName, reason }, "a subgraph refused the gateway's service token");
    else this.logger.warn({ err, serviceName: source.serviceName, code, reason }, "upstream subscription ended by the subgraph");
    return [apiError("SERVICE_UNAVAILABLE", `The ${source.serviceName} subgraph ended the subscription`, { serviceName: source.serviceName })];
  }
}
