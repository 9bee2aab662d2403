import { describe, expect, it } from "vitest";
import { checkOptionalText, checkText } from "./text.js";

const refusal = (message: string, extensions: Record<string, unknown> = {}) =>
  expect.objectContaining({ message, extensions: { code: "BAD_USER_INPUT", field: "name", ...extensions } });

describe("checkText", () => {
  it("trims and accepts text up to the maximum, counting code points", () => {
    expect(checkText("name", "  Ada  ", { max: 3 })).toBe("Ada");
    expect(checkText("name", "💊💊💊", { max: 3 })).toBe("💊💊💊");
  });

  it("refuses blank, too long, control characters and unpaired surrogates with BAD_USER_INPUT naming the field", () => {
    expect(() => checkText("name", "   ", { max: 5 })).toThrow(refusal("name must not be blank"));
    expect(() => checkText("name", "abcdef", { max: 5 })).toThrow(refusal("name must be at most 5 characters long", { maxLength: 5 }));
    expect(() => checkText("name", " ".repeat(111), { max: 5, allowEmpty: true })).toThrow(refusal("name must be at most 5 characters long", { maxLength: 5 }));
    expect(() => checkText("name", "a\u0000b", { max: 5 })).toThrow(refusal("name must not contain control characters"));
    expect(() => checkText("name", "a\nb", { max: 5 })).toThrow(refusal("name must not contain control characters"));
    expect(() => checkText("name", "a\uD800b", { max: 5 })).toThrow(refusal("name is not valid Unicode text"));
    expect(() => checkText("name", "a\uDC00", { max: 5 })).toThrow(refusal("name is not valid Unicode text"));
  });

  it("accepts line breaks and tabs only in multiline text", () => {
    expect(checkText("name", "line 1\n\tline 2", { max: 20, multiline: true })).toBe("line 1\n\tline 2");
    expect(() => checkText("name", "a\u0007", { max: 5, multiline: true })).toThrow(refusal("name must not contain control characters"));
  });
});

describe("checkOptionalText", () => {
  it("passes null and undefined through and turns blank into null", () => {
    expect(checkOptionalText("name", null, { max: 5 })).toBeNull();
    expect(checkOptionalText("name", undefined, { max: 5 })).toBeUndefined();
    expect(checkOptionalText("name", "  ", { max: 5 })).toBeNull();
    expect(checkOptionalText("name", " x ", { max: 5 })).toBe("x");
  });
});
