/**
 * The production subgraph's tests need of the auth subgraph only its public keys and its (empty)
 * revocation list, which the one stand-in serves, so that they sign their own tokens.
 */
export { startFakeAuth as startJwksServer, type FakeAuth as JwksServer } from "../../../test/support/fakeAuth.js";
