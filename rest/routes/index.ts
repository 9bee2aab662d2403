import type { RestRoute } from "../engine/route.js";
import { authRoutes } from "./auth.js";
import { batchRoutes } from "./batches.js";
import { userRoutes } from "./users.js";

export { authRoutes, batchRoutes, userRoutes };

/**
 * Every legacy REST endpoint, as the gateway serves them (`:8000/api/...`): the union of the
 * services' tables. Each service also serves its own table on its own port (the legacy contract).
 */
export const legacyRoutes: readonly RestRoute[] = [...authRoutes, ...userRoutes, ...batchRoutes];
