import { TokenVerifier } from "#lib/auth/verifier.js";
import { createLogger } from "#lib/logger.js";
import { listen } from "#lib/server/http.js";
import { createBaseRuntime, failStartup, stopOnSignals } from "#lib/server/runtime.js";
import { createGatewayServer } from "./server.js";

try {
  const runtime = await createBaseRuntime("gateway");
  const { config, logger, metrics, redis, revocations } = runtime;
  const verifier = TokenVerifier.fromJwks(config, revocations, {
    onError: (err) => logger.warn({ err }, "JWKS fetch failed, keeping the signing keys already known"),
  });
  const server = createGatewayServer({ config, verifier, logger, metrics, redis });
  await server.start();
  await listen(server.httpServer, config.port, config.host, logger);
  stopOnSignals(logger, async () => {
    await server.stop();
    await runtime.close();
  });
} catch (err) {
  failStartup(createLogger("gateway"), err);
}
