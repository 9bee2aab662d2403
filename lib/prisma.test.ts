import { describe, expect, it } from "vitest";
import { poolOptions } from "./prisma.js";

describe("poolOptions", () => {
  it("passes a URL without connection_limit on as it is, the pool at its default size", () => {
    expect(poolOptions("postgresql://app@db:5432/erp?sslmode=require")).toEqual({ connectionString: "postgresql://app@db:5432/erp?sslmode=require" });
  });

  it("takes connection_limit out of the URL as the pool's size", () => {
    expect(poolOptions("postgresql://app@db:5432/erp?connection_limit=3&sslmode=require")).toEqual({
      connectionString: "postgresql://app@db:5432/erp?sslmode=require",
      max: 3,
    });
  });

  it.each(["0", "2.5", "ten", ""])("refuses connection_limit=%j, naming the variable", (limit) => {
    expect(() => poolOptions(`postgresql://app@db/erp?connection_limit=${limit}`)).toThrow(
      `DATABASE_URL: connection_limit must be an integer from 1, got ${JSON.stringify(limit)}`,
    );
  });
});
