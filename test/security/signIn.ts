import { randomUUID } from "node:crypto";
import type { GraphQLResult } from "../support/graphql.js";

/** Helpers of the sign-in attack tests (`login.int.test.ts`, `accounts.int.test.ts`). */

export const LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) { accessToken userId }
  }
`;

/** A login that presents a device token and asks for the next one. */
export const DEVICE_LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $password: String!, $deviceToken: String) {
    login(email: $email, password: $password, deviceToken: $deviceToken) { accessToken userId deviceToken }
  }
`;

/** The variables of one login. */
export interface LoginVariables {
  email: string;
  password: string;
  deviceToken?: string | null;
}

/**
 * One `login` over HTTP with `fetch`, as a client would send it, straight at `baseUrl` (a
 * subgraph port or the gateway): {@link LOGIN}, or {@link DEVICE_LOGIN} when the variables
 * name a device token. `signal` bounds how long the client is willing to wait.
 */
export async function sendLogin(baseUrl: string, variables: LoginVariables, signal?: AbortSignal): Promise<GraphQLResult> {
  const query = variables.deviceToken === undefined ? LOGIN : DEVICE_LOGIN;
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
}

/** A value of a metric at `baseUrl`'s Prometheus `/metrics`, the line with exactly these labels (besides `service`). */
export async function readMetric(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split("\n")) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const present = (match[2] ?? "").split(",").filter((pair) => pair && !pair.startsWith("service="));
    if (present.length === wanted.length && wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  throw new Error(`no metric ${name}${JSON.stringify(labels)} at ${baseUrl}`);
}

/** An address no account has, unique to the call. */
export const unknownEmail = () => `nobody-${randomUUID()}@example.com`;

/** The answer to a failed sign-in, for `toEqual`. */
export const INVALID_LOGIN = { message: "Invalid email or password", extensions: { code: "UNAUTHENTICATED" } };
