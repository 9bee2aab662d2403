import { brokerCases } from "./cases/broker.js";
import { postgresCases } from "./cases/postgres.js";
import { processKillCases } from "./cases/processKill.js";
import { redisCases } from "./cases/redis.js";
import { useFaultWorld } from "./support/world.js";

/**
 * The fault suite: one stack on a private Redis, a private PostgreSQL and a cuttable path to
 * RabbitMQ, and each fault in turn, in this order (the process kills last: the stack runs on
 * restarted processes after them).
 */
const world = useFaultWorld();
redisCases(world);
brokerCases(world);
postgresCases(world);
processKillCases(world);
