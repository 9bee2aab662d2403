import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { graphql } from "./graphql.js";
import type { Stack } from "./stack.js";

const run = promisify(execFile);

/** Seeds a stack's database exactly as `npm start` does: the admin and the demo users. */
export async function seedStack(stack: Stack): Promise<void> {
  await run(process.execPath, ["--import", "tsx", "scripts/prepare.ts"], { env: { ...process.env, ...stack.env } });
}

/** Logs in through a gateway and returns the access token; throws with the errors otherwise. */
export async function accessToken(gatewayUrl: string, email: string, password = "demo-password"): Promise<string> {
  const result = await graphql(gatewayUrl, `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`, { email, password });
  if (!result.data?.login) throw new Error(`login of ${email} failed: ${JSON.stringify(result.errors)}`);
  return result.data.login.accessToken;
}
