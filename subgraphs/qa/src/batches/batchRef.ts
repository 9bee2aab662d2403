import type { BatchStatus } from "../../../../generated/prisma/enums.js";

/**
 * A production batch as the qa subgraph receives it: its key, and the fields `@requires` asks
 * the production subgraph for when a query needs them.
 */
export interface BatchRef {
  id: string;
  productCode?: string;
  status?: BatchStatus;
}
