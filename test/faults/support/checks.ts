import { Redis } from "ioredis";
import { graphql } from "../../support/graphql.js";
import { until } from "../../support/until.js";

/**
 * Subgraph calls that wait longer than a production deployment would: a fault test judges
 * what happens when a service is away, not how fast a busy machine hashes passwords.
 */
export const PATIENT = { SUBGRAPH_TIMEOUT_MS: "30000" };

/** A query every signed-in caller may run on the gateway (the user subgraph answers). */
export const ME = /* GraphQL */ `{ me { email } }`;
/** A query the production subgraph answers on its own port. */
export const BATCHES = /* GraphQL */ `{ batches(first: 1) { edges { node { id } } } }`;
export const LOGOUT = /* GraphQL */ `mutation { logout }`;

/** The code a call with `token` is answered with: `OK`, or the first error's code. */
export async function outcome(baseUrl: string, query: string, token: string): Promise<string> {
  const result = await graphql(baseUrl, query, {}, token);
  return result.errors?.length ? String(result.errors[0]!.extensions?.code) : "OK";
}

/** Logs a token out through the gateway; fails unless `logout` answered true. */
export async function logout(gatewayUrl: string, token: string): Promise<void> {
  const result = await graphql(gatewayUrl, LOGOUT, {}, token);
  if (result.data?.logout !== true) throw new Error(`logout failed: ${JSON.stringify(result.errors)}`);
}

/** Waits until `count` Redis subscribers listen on a channel whose name ends with `suffix` (a subscription is live end to end). */
export async function subscribers(redisUrl: string, channel: string, count = 1): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  try {
    await until(`${count} subscriber(s) on ${channel}`, async () => {
      const [, listening] = (await redis.pubsub("NUMSUB", channel)) as [string, number];
      return Number(listening) >= count;
    });
  } finally {
    redis.disconnect();
  }
}

/** `/ready` of a service: status code and body. */
export async function readiness(baseUrl: string): Promise<{ status: number; body: { status: string; checks: Record<string, string>; degraded?: string[] } }> {
  const response = await fetch(`${baseUrl}/ready`);
  return { status: response.status, body: (await response.json()) as never };
}

/** One sample of `/metrics`: the first line of `name` carrying every label given. */
export async function metric(baseUrl: string, name: string, labels: string[] = []): Promise<number | undefined> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && labels.every((label) => l.includes(label)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}
