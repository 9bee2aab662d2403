/** A backing service a request can find away. */
export type Dependency = "postgresql" | "redis" | "rabbitmq";

/** What clients are told when a dependency is away: the request may work again shortly. */
export const DEPENDENCY_NAMES: Record<Dependency, string> = { postgresql: "PostgreSQL", redis: "Redis", rabbitmq: "RabbitMQ" };

// Prisma's codes for a database it cannot reach, that timed out or closed the connection, and a full pool.
const PRISMA_UNREACHABLE = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
// The driver adapter's kinds of the same.
const ADAPTER_UNREACHABLE = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TransactionAlreadyClosed"]);
// An interactive transaction that found no free connection in the pool within its `maxWait` (lib/prisma.ts): a full pool.
const NO_CONNECTION_IN_TIME = /Unable to start a transaction in the given time/;
// SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, restart), and 53300 (too many connections).
const PG_UNAVAILABLE = /^(08|57P)|^53300$/;

type ErrorLike = {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  meta?: { driverAdapterError?: { cause?: ErrorLike & { kind?: unknown } } };
  cause?: unknown;
  kind?: unknown;
};

/**
 * The backing service an error says is unreachable, or `undefined` for any other error: Prisma
 * and its driver adapter (PostgreSQL), ioredis (Redis), amqplib (RabbitMQ). Follows `cause`.
 */
export function unavailableDependency(error: unknown): Dependency | undefined {
  for (let err = error as ErrorLike | undefined, depth = 0; err && typeof err === "object" && depth < 5; err = err.cause as ErrorLike, depth++) {
    const name = String(err.name ?? "");
    const code = String(err.code ?? "");
    if (name.startsWith("PrismaClient")) {
      if (PRISMA_UNREACHABLE.has(code) || name === "PrismaClientInitializationError") return "postgresql";
      if (code === "P2028" && NO_CONNECTION_IN_TIME.test(String(err.message))) return "postgresql";
      const cause = err.meta?.driverAdapterError?.cause;
      if (cause && (ADAPTER_UNREACHABLE.has(String(cause.kind)) || PG_UNAVAILABLE.test(String(cause.code ?? "")))) return "postgresql";
      return undefined;
    }
    if (name === "DriverAdapterError") {
      const cause = err.cause as ErrorLike | undefined;
      if (cause && (ADAPTER_UNREACHABLE.has(String(cause.kind)) || PG_UNAVAILABLE.test(String(cause.code ?? "")))) return "postgresql";
    }
    if (name === "MaxRetriesPerRequestError" || (name === "Error" && err.message === "Connection is closed.")) return "redis";
    if (name === "ReplyError" && /^(LOADING|MASTERDOWN|BUSY)/.test(String(err.message))) return "redis";
    if (name === "IllegalOperationError" || /^Channel (ended|closed)|^Connection closed/.test(String(err.message))) return "rabbitmq";
  }
  return undefined;
}
