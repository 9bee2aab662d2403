/**
 * What an environment variable is: its name, what it is for, who reads it, its default and the
 * values it takes, and how it is read. Every variable the project reads is one of these, listed
 * in `registry.ts`; the README's Configuration table is generated from them.
 */
import type { ServiceName } from "./subgraphNames.js";

/** The environment a configuration is read from: `process.env`, or a test's own. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Who reads a variable: a service, or `prepare` (`npm run db:prepare`, the seed and migrations). */
export type Reader = ServiceName | "prepare";

/** A malformed variable, named: thrown at start, before anything listens. */
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = "ConfigError";
  }
}

export interface Variable<T> {
  /** The variable's name, or a pattern of names such as `<NAME>_SUBGRAPH_TIMEOUT_MS`. */
  readonly name: string;
  /** What it changes, for the README (Markdown). */
  readonly description: string;
  readonly readers: readonly Reader[];
  /** The default, as the README shows it (Markdown). */
  readonly shownDefault: string;
  /** The values it takes, as the README shows them (Markdown). */
  readonly accepts: string;
  /** Its value in `env` (unset or empty: the default); a malformed one throws a {@link ConfigError}. */
  read(env: Env): T;
}

interface Definition {
  name: string;
  description: string;
  readers: readonly Reader[];
}

/** The value of `name`, `undefined` when unset or empty (an empty value means "the default"). */
export const given = (env: Env, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
};

const code = (value: unknown) => `\`${String(value)}\``;

/** Any text; the default when unset. */
export function text(def: Definition & { default: string; accepts?: string }): Variable<string> {
  return { ...def, shownDefault: code(def.default), accepts: def.accepts ?? "text", read: (env) => given(env, def.name) ?? def.default };
}

/** Text without a default: `undefined` when unset. `check` returns what is wrong with a value, if anything. */
export function optional(
  def: Definition & { shownDefault?: string; accepts?: string; check?: (value: string) => string | undefined },
): Variable<string | undefined> {
  return {
    ...def,
    shownDefault: def.shownDefault ?? "unset",
    accepts: def.accepts ?? "text",
    read(env) {
      const value = given(env, def.name);
      const problem = value === undefined ? undefined : def.check?.(value);
      if (problem) throw new ConfigError(def.name, problem);
      return value;
    },
  };
}

/** An integer from `min` to `max`; `default` may be computed (the number of CPUs). */
export function integer(def: Definition & { default: number | (() => number); min: number; max: number; shownDefault?: string }): Variable<number> {
  const fallback = () => (typeof def.default === "function" ? def.default() : def.default);
  return {
    ...def,
    shownDefault: def.shownDefault ?? code(fallback()),
    accepts: `${def.min} to ${def.max}`,
    read(env) {
      const raw = given(env, def.name);
      if (raw === undefined) return fallback();
      const value = Number(raw);
      if (!Number.isInteger(value) || value < def.min || value > def.max) {
        throw new ConfigError(def.name, `expected an integer from ${def.min} to ${def.max}, got ${JSON.stringify(raw)}`);
      }
      return value;
    },
  };
}

/** A URL of one of `protocols` (`["redis:", "rediss:"]`); trailing slashes removed when `trimSlash`. */
export function url(def: Definition & { default: string; protocols: readonly string[]; trimSlash?: boolean }): Variable<string> {
  return {
    ...def,
    shownDefault: code(def.default),
    accepts: `${def.protocols.map((p) => `\`${p}\``).join(" or ")} URL`,
    read(env) {
      const value = given(env, def.name) ?? def.default;
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        throw new ConfigError(def.name, `not a URL: ${JSON.stringify(value)}`);
      }
      if (!def.protocols.includes(parsed.protocol)) {
        throw new ConfigError(def.name, `expected ${def.protocols.join(" or ")} URL, got ${parsed.protocol}`);
      }
      return def.trimSlash ? value.replace(/\/+$/, "") : value;
    },
  };
}

/** One of `values`. */
export function oneOf<T extends string>(def: Definition & { default: T; values: readonly T[] }): Variable<T> {
  return {
    ...def,
    shownDefault: code(def.default),
    accepts: def.values.map(code).join(", "),
    read(env) {
      const value = given(env, def.name) ?? def.default;
      if (!def.values.includes(value as T)) throw new ConfigError(def.name, `expected one of ${def.values.join(", ")}, got ${JSON.stringify(value)}`);
      return value as T;
    },
  };
}

/** A variable read its own way: `parse` gets the value (`undefined` when unset) and throws a {@link ConfigError}. */
export function custom<T>(def: Definition & { shownDefault: string; accepts: string; parse(raw: string | undefined): T }): Variable<T> {
  return { ...def, read: (env) => def.parse(given(env, def.name)) };
}
