import { describe, expect, it } from "vitest";
import { subgraphNames } from "./names.js";

describe("npm run new:subgraph's arguments", () => {
  it("give the spellings a subgraph's files need", () => {
    expect(subgraphNames(["scm", "8005"])).toEqual({ name: "scm", pascal: "Scm", upper: "SCM", port: 8005 });
  });

  it.each([
    [[], /^usage: npm run new:subgraph -- <name> <port>/],
    [["scm"], /^usage: /],
    [["scm", "8005", "extra"], /^usage: /],
    [["Bad-Name", "8005"], /^name: expected 2 to 20 lower-case letters and digits starting with a letter/],
    [["1st", "8005"], /^name: expected 2 to 20/],
    [["user", "8005"], /^name: "user" is reserved/],
    [["production", "8005"], /^name: subgraph "production" exists already \(subgraphs\/production\)$/],
    [["scm", "80"], /^port: expected an integer from 1024 to 65535, got "80"$/],
    [["scm", "8005x"], /^port: expected an integer from 1024 to 65535/],
    [["scm", "8003"], /^port: 8003 is the default port of production; choose another$/],
    [["scm", "8000"], /^port: 8000 is the default port of gateway; choose another$/],
  ])("refuse %j", (args, message) => {
    expect(() => subgraphNames(args)).toThrow(message);
  });
});
