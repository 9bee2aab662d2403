import type { ExecutionResult } from "graphql";
import { CloseCode } from "graphql-ws";
import { apiError } from "../../../lib/errors.js";
import type { Logger } from "../../../lib/logger.js";
import { subscriberStream, type Feed } from "../../../lib/pubsub/subscriberStream.js";
import { upstreamErrors, type UpstreamEvent } from "./enrich.js";

interface Group {
  subscribers: Set<Feed<ExecutionResult>>;
  upstream: AsyncIterableIterator<UpstreamEvent>;
}

/** What a group needs to start: the upstream subscription and the per-event enrichment. */
export interface GroupSource {
  /** The subgraph the upstream subscription goes to, named in the error when it ends it. */
  serviceName: string;
  open(): AsyncIterableIterator<UpstreamEvent>;
  enrich(event: UpstreamEvent): Promise<ExecutionResult>;
  /**
   * The subgraph refused the group's token (4401: expired or revoked). Resolves once the
   * gateway's own connections of that token were verified again (and closed if it is no longer
   * valid), before the subscribers still there get the error.
   */
  unauthorized(): Promise<void>;
}

/**
 * Subscribers of the same operation, variables and token share one upstream subscription and
 * one enrichment per event: fan-out costs a push per subscriber, not a subgraph call. The key
 * includes the token (its `jti`), so a result computed under one caller's rights never
 * reaches another; the upstream opens when the first subscriber pulls and closes when its last
 * subscriber leaves. Each subscriber's results wait in a bounded buffer (`subscriberStream`): one
 * that falls `SUBSCRIBER_BUFFER` results behind is ended with `SERVICE_UNAVAILABLE`, the others
 * go on.
 */
export class SharedSubscriptions {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly logger: Logger) {}

  /** How many upstream subscriptions are open (for tests and metrics). */
  get upstreamCount(): number {
    return this.groups.size;
  }

  /** A new subscriber of `key`, as an async iterator of results; it joins (starting the upstream if needed) when it first pulls. */
  join(key: string, source: GroupSource): AsyncIterableIterator<ExecutionResult> {
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
      { overflow: (n) => apiError("SERVICE_UNAVAILABLE", `More than ${n} results waited unread: subscribe again`) },
    );
  }

  private leave(key: string, group: Group, subscriber: Feed<ExecutionResult>) {
    group.subscribers.delete(subscriber);
    if (group.subscribers.size > 0 || this.groups.get(key) !== group) return;
    this.groups.delete(key);
    void group.upstream.return?.();
  }

  /** Enriches each upstream event once, in order, and hands the result to every subscriber. */
  private async pump(key: string, group: Group, source: GroupSource) {
    try {
      for await (const event of group.upstream) {
        const result = await source.enrich(event).catch((err: Error) => {
          this.logger.error({ err }, "resolving a subscription event failed");
          return { errors: [apiError("INTERNAL_SERVER_ERROR", "Internal server error")] };
        });
        for (const subscriber of group.subscribers) subscriber.push(result);
      }
    } catch (err) {
      const errors = await this.ended(err, source);
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
  private async ended(err: unknown, source: GroupSource) {
    if (Array.isArray(err)) return upstreamErrors(err);
    const { code, reason } = (err ?? {}) as { code?: unknown; reason?: unknown };
    if (code === CloseCode.Unauthorized) {
      await source.unauthorized().catch((cause: Error) => this.logger.error({ err: cause }, "verifying a refused token again failed"));
      return [apiError("UNAUTHENTICATED", typeof reason === "string" && reason !== "" ? reason : "Unauthorized")];
    }
    this.logger.warn({ err, serviceName: source.serviceName, code, reason }, "upstream subscription ended by the subgraph");
    return [apiError("SERVICE_UNAVAILABLE", `The ${source.serviceName} subgraph ended the subscription`, { serviceName: source.serviceName })];
  }
}
