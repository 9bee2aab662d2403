import type { Server } from "node:http";
import type { GraphQLDataSource, ServiceMap } from "@apollo/gateway";
import { print, type ExecutionArgs, type ParseOptions, type ValidationRule } from "graphql";
import { stringify } from "safe-stable-stringify";
import type { Redis } from "ioredis";
import type { Registry } from "prom-client";
import type { TokenVerifier } from "#lib/auth/verifier.js";
import type { GatewayConfig, WebSocketSettings } from "#lib/config.js";
import { apiError, maskingFormatError } from "#lib/errors.js";
import type { Logger } from "#lib/logger.js";
import type { WsConnection } from "#lib/server/wsAuth.js";
import { coerceVariables, parseOperation, subscriptionOperation, validateOperation } from "#lib/server/wsOperations.js";
import { serveGraphqlWs } from "#lib/server/wsServer.js";
import { subgraphUrl } from "../config.js";
import { formatGatewayError } from "../errors.js";
import type { ServiceTokens } from "../serviceTokens.js";
import { eventEnricher } from "./enrich.js";
import { upstreamMetrics } from "./metrics.js";
import { SubscriptionPlanner, type SubscriptionPlan } from "./planner.js";
import { SharedSubscriptions } from "./shared.js";
import { openUpstream } from "./upstream.js";

export interface GatewaySubscriptionsOptions {
  httpServer: Server;
  verifier: TokenVerifier;
  /** The gateway's Redis connection: revocations are announced on it. */
  redis: Redis;
  /** `REDIS_PREFIX` of the deployment. */
  redisPrefix: string;
  logger: Logger;
  /** Where `graphql_subscriptions_active` and the other subscription metrics go. */
  metrics: Registry;
  /** Where our subgraphs are called, as for queries (`AUTH_URL`, …). */
  subgraphUrls: GatewayConfig["subgraphUrls"];
  /** `WS_*`, `SUBSCRIPTION_AUTH_RECHECK_MS`. */
  settings: WebSocketSettings;
  /**
   * The data sources queries use (`subgraphServices(...).buildService`: timeouts, circuit
   * breaker, connection pool), for the fetches that complete each event.
   */
  buildService(definition: { name: string; url?: string }): GraphQLDataSource;
  /** The gateway's service tokens: each group's upstream and enrichment run under one with the group's scopes. */
  serviceTokens: ServiceTokens;
  /** `SUBSCRIPTION_BUFFER`: results a subscriber may leave unread before its socket is closed with 4008. */
  subscriptionBuffer: number;
  /** The operation limits of HTTP requests, applied to subscriptions alike. */
  limits?: {
    validationRules: readonly ValidationRule[];
    parseOptions: ParseOptions;
    /** Production: "Did you mean …" suggestions are removed from validation errors. */
    hideSuggestions: boolean;
  };
}

/**
 * The close code and reason of a client that left more than `SUBSCRIPTION_BUFFER` results
 * unread: it is not reading, and the gateway will not hold more for it. It reconnects and
 * subscribes again with `after` (the last `eventId` it saw) to miss nothing.
 */
export const SUBSCRIBER_TOO_SLOW = { code: 4008, reason: "subscriber too slow; resume with after" } as const;

/** The supergraph subscriptions are planned on, and the subgraphs it names. */
interface Graph {
  /** Changes with each supergraph, so subscribers share an upstream only within one. */
  version: number;
  planner: SubscriptionPlanner;
  urls: Map<string, string>;
  services: ServiceMap;
}

/** What `onSubscribe` hands to `subscribe`, in the execution context. */
interface Planned {
  graph: Graph;
  plan: SubscriptionPlan;
  query: string;
  variables: Record<string, unknown>;
  connection: WsConnection;
}

/**
 * graphql-ws on the gateway's `ws://host:port/graphql`. Each subscription is validated and
 * planned against the supergraph; its root field is subscribed on the subgraph that owns it,
 * and every event is completed through the supergraph (`eventEnricher`). Nothing here knows
 * any subgraph's types: a `Subscription` field of any subgraph is served the same way.
 * Authentication, revocation, frame and subscription limits and error masking are the ones
 * every service's graphql-ws server has (`serveGraphqlWs` in `lib/server/wsServer.ts`).
 */
export function attachGatewaySubscriptions(options: GatewaySubscriptionsOptions) {
  const { httpServer, verifier, logger, subgraphUrls, limits, serviceTokens } = options;
  const graphOf = (supergraphSdl: string, version: number): Graph => {
    const planner = new SubscriptionPlanner(supergraphSdl);
    const urls = new Map(planner.subgraphs().map(({ name, url }) => [name, subgraphUrl(name, url, subgraphUrls)]));
    const services: ServiceMap = Object.fromEntries(planner.subgraphs().map(({ name, url }) => [name, options.buildService({ name, url })]));
    return { version, planner, urls, services };
  };
  // Set by `updateSupergraph`, which the gateway calls with the supergraph it loads at start
  // (before it listens) and with each one it reloads.
  let sdl: string | undefined;
  let graph: Graph | undefined;
  const shared = new SharedSubscriptions(logger);
  const counters = upstreamMetrics(options.metrics, shared);
  const tooSlow = new WeakSet<WsConnection>();

  const ws = serveGraphqlWs({
    httpServer,
    settings: options.settings,
    verifier,
    logger,
    metrics: options.metrics,
    // Keeps the name of the subgraph an error came from, as over HTTP.
    formatError: (logger) => formatGatewayError(maskingFormatError(logger)),
    onSubscribe: async (payload, connection) => {
      // A new subscription is planned on the current supergraph; open ones keep theirs.
      const current = graph;
      if (!current) return [apiError("SERVICE_UNAVAILABLE", "The gateway is still starting")];
      const { planner } = current;
      const document = parseOperation(payload.query, limits?.parseOptions);
      if (Array.isArray(document)) return document;
      const invalid = await validateOperation(planner.schema, document, limits?.validationRules, limits?.hideSuggestions);
      if (invalid.length > 0) return invalid;
      const operation = subscriptionOperation(document, payload.operationName);
      if (Array.isArray(operation)) return operation;
      const variables = payload.variables ?? {};
      const wrongVariables = coerceVariables(planner.schema, operation, variables);
      if (wrongVariables) return wrongVariables;
      let plan: SubscriptionPlan;
      try {
        plan = planner.plan(document, payload.operationName ?? undefined);
      } catch (err) {
        connection.logger.error({ err }, "planning a subscription failed");
        return [apiError("INTERNAL_SERVER_ERROR", "The subscription could not be planned")];
      }
      const contextValue: Planned = { graph: current, plan, query: print(document), variables, connection };
      return { schema: planner.schema, document, operationName: payload.operationName, variableValues: variables, contextValue } satisfies ExecutionArgs;
    },
    subscribe: (args) => {
      const {
        graph: { version, planner, urls, services },
        plan,
        query,
        variables,
        connection,
      } = args.contextValue as Planned;
      const { principal, requestId, logger: requestLogger } = connection;
      // What the answer depends on: the supergraph, the operation, its variables and the scopes.
      const scopes = [...new Set(principal.scopes)].sort();
      const key = stringify([version, scopes, query, args.operationName ?? null, variables]);
      const token = (minValidMs?: number) => serviceTokens.get(scopes, minValidMs);
      const enrich = eventEnricher(planner, services, plan, variables);
      const logger = requestLogger.child({ subscriptionGroup: key.length > 200 ? `${key.slice(0, 200)}…` : key });
      return shared.join(
        key,
        {
          serviceName: plan.primary.serviceName,
          open: () =>
            openUpstream({
              url: urls.get(plan.primary.serviceName)!,
              query: plan.primary.operation,
              operationName: plan.primary.operationName,
              variables: Object.fromEntries((plan.primary.variableUsages ?? []).filter((name) => name in variables).map((name) => [name, variables[name]])),
              token,
              requestId,
            }),
          // Under the group's service token: the same answer for every member.
          enrich: async (event) => enrich(event, { requestId, auth: null, authorization: `Bearer ${(await token()).token}`, logger }),
        },
        {
          capacity: options.subscriptionBuffer,
          tooSlow: () => {
            // Each of its subscriptions overflows in turn: the connection is closed and counted once.
            if (tooSlow.has(connection)) return;
            tooSlow.add(connection);
            counters.tooSlow();
            requestLogger.warn({ userId: principal.userId, buffer: options.subscriptionBuffer }, "subscriber too slow: WebSocket closed with 4008");
            connection.close(SUBSCRIBER_TOO_SLOW.code, SUBSCRIBER_TOO_SLOW.reason);
          },
        },
      );
    },
  });

  return {
    shared,
    /**
     * Plans the next subscriptions on the supergraph the gateway loaded or reloaded;
     * subscriptions already open go on with the one they started with. A supergraph that cannot
     * be planned on is logged and ignored.
     */
    updateSupergraph(next: string) {
      if (next === sdl) return;
      try {
        graph = graphOf(next, (graph?.version ?? -1) + 1);
        sdl = next;
        if (graph.version > 0) logger.info("subscriptions planned on the reloaded supergraph");
      } catch (err) {
        logger.error({ err }, "reloaded supergraph refused for subscriptions, keeping the current one");
      }
    },
    /** Closes every client connection (their upstreams with them), then the WebSocket server. */
    close: () => ws.close(),
  };
}
