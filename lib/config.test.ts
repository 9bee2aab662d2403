import { describe, expect, it } from "vitest";
import { ConfigError, readBackingServices } from "./config.js";

describe("readBackingServices", () => {
  it("uses the documented local defaults", () => {
    expect(readBackingServices({})).toEqual({
      databaseUrl: "postgresql://postgres@127.0.0.1:5432/batch_supergraph",
      redisUrl: "redis://127.0.0.1:6379",
      amqpUrl: "amqp://guest:guest@127.0.0.1:5672",
    });
  });

  it("names the variable that is malformed", () => {
    expect(() => readBackingServices({ REDIS_URL: "not a url" })).toThrow(
      new ConfigError("REDIS_URL", 'not a URL: "not a url"'),
    );
    expect(() => readBackingServices({ DATABASE_URL: "mysql://x/y" })).toThrow(/DATABASE_URL: expected postgresql:/);
  });
});
