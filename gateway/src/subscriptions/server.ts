import type { Server } from "node:http";
import type { ServiceMap } from "@apollo/gateway";
import {
  getVariableValues,
  GraphQLError,
  parse,
  type DocumentNode,
  type ExecutionArgs,
  type ParseOptions,
  type ValidationRule,
} from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { TokenVerifier } from "../../../lib/auth/verifier.js";
import { readInt, type Env } from "../../../lib/config.js";
import type { Registry } from "prom-client";
import type { Logger } from "../../../lib/logger.js";
import { subgraphUrl } from "../config.js";
import { ForwardingDataSource } from "../dataSource.js";
import { connectionAuth, type ConnectionState } from "./connectionAuth.js";
import { eventEnricher } from "./enrich.js";
import { SubscriptionPlanner, type SubscriptionPlan } from "./planner.js";
import { subscriptionMetrics } from "./metrics.js";
import { SharedSubscriptions } from "./shared.js";
import { openUpstream } from "./upstream.js";

export interface GatewaySubscriptionsOptions {
  httpServer: Server;
  verifier: TokenVerifier;
  logger: Logger;
  /** Where `graphql_subscriptions_active` and the other subscription metrics go. */
  metrics: Registry;
  /** Where subgraph URLs are read, as for queries. */
  env?: Env;
  /** How often an open connection's token is checked for revocation, in ms. Default 30000 (`SUBSCRIPTION_AUTH_RECHECK_MS`). */
  recheckMs?: number;
  /** The operation limits of HTTP requests, applied to subscriptions alike. */
  limits?: {
    validationRules: readonly ValidationRule[];
    parseOptions: ParseOptions;
    /** Production: "Did you mean …" suggestions are removed from validation errors. */
    hideSuggestions: boolean;
  };
}

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
  connection: Required<Pick<ConnectionState, "principal" | "token" | "requestId">>;
}

/**
 * graphql-ws on the gateway's `ws://host:port/graphql`. Each subscription is validated and
 * planned against the supergraph; its root field is subscribed on the subgraph that owns it,
 * and every event is completed through the supergraph (`eventEnricher`). Nothing here knows
 * any subgraph's types: a `Subscription` field of any subgraph is served the same way.
 */
export function attachGatewaySubscriptions(options: GatewaySubscriptionsOptions) {
  const { httpServer, verifier, logger, env = process.env } = options;
  const recheckMs = options.recheckMs ?? readInt(env, "SUBSCRIPTION_AUTH_RECHECK_MS", 30_000, 100, 3_600_000);
  const graphOf = (supergraphSdl: string, version: number): Graph => {
    const planner = new SubscriptionPlanner(supergraphSdl);
    const urls = new Map(planner.subgraphs().map(({ name, url }) => [name, subgraphUrl(name, url, env)]));
    const services: ServiceMap = Object.fromEntries([...urls].map(([name, url]) => [name, new ForwardingDataSource({ url })]));
    return { version, planner, urls, services };
  };
  // Set by `updateSupergraph`, which the gateway calls with the supergraph it loads at start
  // (before it listens) and with each one it reloads.
  let sdl: string | undefined;
  let graph: Graph | undefined;
  const shared = new SharedSubscriptions(logger);
  const wss = new WebSocketServer({ server: httpServer, path: "/graphql" });
  const metrics = subscriptionMetrics(options.metrics, shared, () => wss.clients.size);
  const auth = connectionAuth(verifier, logger, recheckMs, metrics.refused);

  const server = useServer<Record<string, unknown>, ConnectionState>(
    {
      onConnect: auth.onConnect,
      onClose: auth.onClose,
      onOperation: () => metrics.started(),
      onComplete: () => metrics.ended(),
      onSubscribe: (ctx, _id, payload) => {
        // A new subscription is planned on the current supergraph; open ones keep theirs.
        const current = graph;
        if (!current) return [new GraphQLError("The gateway is still starting", { extensions: { code: "SERVICE_UNAVAILABLE" } })];
        const { planner } = current;
        let document: DocumentNode;
        try {
          document = parse(payload.query, options.limits?.parseOptions);
        } catch (err) {
          return [err as GraphQLError];
        }
        let plan: ReturnType<SubscriptionPlanner["plan"]>;
        try {
          plan = planner.plan(document, payload.operationName ?? undefined, options.limits?.validationRules);
        } catch (err) {
          logger.error({ err }, "planning a subscription failed");
          return [new GraphQLError("The subscription could not be planned", { extensions: { code: "INTERNAL_SERVER_ERROR" } })];
        }
        if (!("primary" in plan)) return options.limits?.hideSuggestions ? plan.map(withoutSuggestion) : plan;
        const planned = plan;
        const variables = payload.variables ?? {};
        const coerced = getVariableValues(planner.schema, planned.operationContext.operation.variableDefinitions ?? [], variables);
        if (coerced.errors) return coerced.errors;
        const { principal, token, requestId } = ctx.extra;
        const contextValue: Planned = { graph: current, plan: planned, query: payload.query, variables, connection: { principal: principal!, token: token!, requestId: requestId! } };
        return { schema: planner.schema, document, operationName: payload.operationName, variableValues: variables, contextValue } satisfies ExecutionArgs;
      },
      subscribe: (args) => {
        const { graph: { version, planner, urls, services }, plan, query, variables, connection } = args.contextValue as Planned;
        const authorization = `Bearer ${connection.token}`;
        const context = { requestId: connection.requestId, auth: connection.principal, authorization, logger: logger.child({ requestId: connection.requestId }) };
        const enrich = eventEnricher(planner, services, plan, variables);
        const key = JSON.stringify([version, connection.principal.jti, query, args.operationName ?? null, variables]);
        return shared.join(key, {
          open: () =>
            openUpstream({
              url: urls.get(plan.primary.serviceName)!,
              query: plan.primary.operation,
              operationName: plan.primary.operationName,
              variables: Object.fromEntries((plan.primary.variableUsages ?? []).filter((name) => name in variables).map((name) => [name, variables[name]])),
              authorization,
              requestId: connection.requestId,
            }),
          enrich: (event) => enrich(event, context),
        });
      },
    },
    wss,
  );

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
    async close() {
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** graphql-js's "Did you mean …?" would reveal the schema where introspection is off. */
const withoutSuggestion = (error: GraphQLError) =>
  new GraphQLError(error.message.replace(/ Did you mean .+\?$/, ""), { nodes: error.nodes, extensions: error.extensions });
