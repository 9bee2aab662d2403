import { afterAll, beforeAll } from "vitest";
import type { User } from "../../../generated/prisma/client.js";
import { insertUser, newRedisPrefix, startUserServer, uniqueTag, type AuthEndpoint, type TestUserServer } from "./userServer.js";

/** What the tests of one file share: filled in before the first test runs. */
export interface Fixture<TAuth> {
  auth: TAuth;
  server: TestUserServer;
  /** An ADMIN of the file's own, and a token of theirs. */
  admin: User;
  adminToken: string;
}

/**
 * Registers the hooks that start auth (the real subgraph or a stand-in, on a Redis prefix
 * shared with the user subgraph so auth's revocations count there) and the user subgraph
 * before the file's tests, and stop both after them.
 */
export function useUserSubgraph<TAuth extends AuthEndpoint & { stop(): Promise<void> }>(startAuth: (redisPrefix: string) => Promise<TAuth>): Fixture<TAuth> {
  const fixture = {} as Fixture<TAuth>;
  beforeAll(async () => {
    const redisPrefix = newRedisPrefix();
    fixture.auth = await startAuth(redisPrefix);
    fixture.server = await startUserServer(fixture.auth, redisPrefix);
    fixture.admin = await insertUser(fixture.server.runtime, { email: `admin.${uniqueTag()}@example.com`, roles: ["ADMIN"] });
    fixture.adminToken = fixture.server.tokenFor(fixture.admin);
  });
  afterAll(async () => {
    await fixture.server?.stop();
    await fixture.auth?.stop();
  });
  return fixture;
}
