import type { ExecutionResult } from "graphql";
import { GraphQLError } from "graphql";
import type { Logger } from "../../../lib/logger.js";
import { PushQueue } from "../../../lib/pubsub/queue.js";
import { upstreamErrors, type UpstreamEvent } from "./enrich.js";

interface Group {
  subscribers: Set<PushQueue<ExecutionResult>>;
  upstream: AsyncIterableIterator<UpstreamEvent>;
}

/** What a group needs to start: the upstream subscription and the per-event enrichment. */
export interface GroupSource {
  open(): AsyncIterableIterator<UpstreamEvent>;
  enrich(event: UpstreamEvent): Promise<ExecutionResult>;
}

/**
 * Subscribers of the same operation, variables and token share one upstream subscription and
 * one enrichment per event: fan-out costs a push per subscriber, not a subgraph call. The key
 * includes the token (its `jti`), so a result computed under one caller's rights never
 * reaches another; the upstream closes when its last subscriber leaves.
 */
export class SharedSubscriptions {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly logger: Logger) {}

  /** How many upstream subscriptions are open (for tests and metrics). */
  get upstreamCount(): number {
    return this.groups.size;
  }

  /** A new subscriber of `key`, as an async iterator of results; starting the upstream if needed. */
  join(key: string, source: GroupSource): AsyncIterableIterator<ExecutionResult> {
    let group = this.groups.get(key);
    if (!group) {
      group = { subscribers: new Set(), upstream: source.open() };
      this.groups.set(key, group);
      void this.pump(key, group, source);
    }
    const current = group;
    const subscriber: PushQueue<ExecutionResult> = new PushQueue(() => this.leave(key, current, subscriber));
    group.subscribers.add(subscriber);
    return subscriber;
  }

  private leave(key: string, group: Group, subscriber: PushQueue<ExecutionResult>) {
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
          return { errors: [new GraphQLError("Internal server error", { extensions: { code: "INTERNAL_SERVER_ERROR" } })] };
        });
        for (const subscriber of group.subscribers) subscriber.push(result);
      }
    } catch (err) {
      // graphql-ws rejects with the subgraph's errors (an array) or a close event.
      const errors = Array.isArray(err) ? upstreamErrors(err) : [upstreamLost(err)];
      for (const subscriber of group.subscribers) subscriber.push({ errors });
    }
    if (this.groups.get(key) === group) this.groups.delete(key);
    for (const subscriber of [...group.subscribers]) subscriber.close();
  }
}

function upstreamLost(err: unknown): GraphQLError {
  const reason = (err as { reason?: string; message?: string })?.reason || (err as Error)?.message || "connection closed";
  return new GraphQLError(`The subgraph ended the subscription: ${reason}`, { extensions: { code: "SUBGRAPH_UNAVAILABLE" } });
}
