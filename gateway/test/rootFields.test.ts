import { getOperationAST, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { countRootFields } from "#lib/graphql/rootFields.js";

const count = (source: string, matches?: Parameters<typeof countRootFields>[2]) => {
  const document = parse(source);
  return countRootFields(document, getOperationAST(document)!, matches);
};

describe("countRootFields", () => {
  it("counts direct fields, aliases included", () => {
    expect(count("{ a b c: a }")).toBe(3);
  });

  it("looks into inline fragments and named fragments, nested ones too", () => {
    expect(count("{ ... on Query { a ... { b } } ...F } fragment F on Query { c ...G } fragment G on Query { d e }")).toBe(5);
  });

  it("counts a fragment spread twice twice", () => {
    expect(count("{ ...F ...F } fragment F on Query { a b }")).toBe(4);
  });

  it("counts only the fields it is asked to", () => {
    const source = `mutation { a: login { t } ... on Mutation { b: login { t } logout } ...L } fragment L on Mutation { login { t } }`;
    expect(count(source, (field) => field.name.value === "login")).toBe(3);
  });

  it("ignores unknown fragments and cycles instead of looping", () => {
    expect(count("{ a ...Missing ...A } fragment A on Query { b ...B } fragment B on Query { c ...A }")).toBe(3);
  });
});
