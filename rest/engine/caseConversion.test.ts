import { describe, expect, it } from "vitest";
import { camelCase, snakeCase, toCamelKeys, toSnakeKeys } from "./caseConversion.js";

describe("case conversion", () => {
  it("converts single keys both ways", () => {
    expect(camelCase("batch_number")).toBe("batchNumber");
    expect(camelCase("planned_quantity_2")).toBe("plannedQuantity2");
    expect(snakeCase("createdAt")).toBe("created_at");
    expect(snakeCase("id")).toBe("id");
  });

  it("converts keys deeply, never values", () => {
    expect(toSnakeKeys({ batchNumber: "B-1", status: "QA_HOLD", createdBy: { userId: "u" }, tags: [{ productCode: "P" }], yield: null })).toEqual({
      batch_number: "B-1",
      status: "QA_HOLD",
      created_by: { user_id: "u" },
      tags: [{ product_code: "P" }],
      yield: null,
    });
    expect(toCamelKeys({ product_code: "P_1", planned_quantity: 5, nested: { actual_quantity: 1 } })).toEqual({
      productCode: "P_1",
      plannedQuantity: 5,
      nested: { actualQuantity: 1 },
    });
  });

  it("converts the null-prototype objects GraphQL results are made of", () => {
    const data = Object.assign(Object.create(null), { accessToken: "t" });
    expect(toSnakeKeys(data)).toEqual({ access_token: "t" });
  });

  it("leaves scalars, dates and arrays of scalars alone", () => {
    const date = new Date(0);
    expect(toSnakeKeys(date)).toBe(date);
    expect(toCamelKeys(["a_b"])).toEqual(["a_b"]);
    expect(toCamelKeys("a_b")).toBe("a_b");
  });
});
