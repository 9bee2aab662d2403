import { describe, expect, it } from "vitest";
import { ConfigError, readBackingServices, readServiceConfig } from "./config.js";

describe("readBackingServices", () => {
  it("uses the documented local defaults", () => {
    expect(readBackingServices({})).toEqual({
      databaseUrl: "postgresql://postgres@127.0.0.1:5432/batch_supergraph",
      redisUrl: "redis://127.0.0.1:6379",
      amqpUrl: "amqp://guest:guest@127.0.0.1:5672",
    });
  });

  it("names the variable that is malformed", () => {
    expect(() => readBackingServices({ REDIS_URL: "not a url" })).toThrow(new ConfigError("REDIS_URL", 'not a URL: "not a url"'));
    expect(() => readBackingServices({ DATABASE_URL: "mysql://x/y" })).toThrow(/DATABASE_URL: expected postgresql:/);
  });
});

describe("readServiceConfig", () => {
  it("gives each service its default port and lets the variable override it", () => {
    expect(readServiceConfig("user", {}).port).toBe(8002);
    expect(readServiceConfig("user", { USER_PORT: "0" }).port).toBe(0);
    expect(readServiceConfig("gateway", {}).authUrl).toBe("http://127.0.0.1:8001");
  });

  it("refuses a port that is not one", () => {
    expect(() => readServiceConfig("auth", { AUTH_PORT: "80a" })).toThrow(new ConfigError("AUTH_PORT", 'expected an integer from 0 to 65535, got "80a"'));
  });
});
