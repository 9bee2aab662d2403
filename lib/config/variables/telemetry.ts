import { ConfigError, custom, optional } from "../variable.js";
import { SERVICES } from "./readers.js";

/** OpenTelemetry traces: the standard `OTEL_*` variables each service reads. */

export const OTEL_EXPORTER_OTLP_ENDPOINT = optional({
  name: "OTEL_EXPORTER_OTLP_ENDPOINT",
  description:
    "where every service sends its traces over OTLP/HTTP (`<endpoint>/v1/traces`, for example `http://jaeger:4318`); unset, no trace is recorded and a request pays nothing for tracing",
  readers: SERVICES,
  accepts: "`http:` or `https:` URL",
  check(value) {
    try {
      const { protocol } = new URL(value);
      return protocol === "http:" || protocol === "https:" ? undefined : `expected an http: or https: URL, got ${protocol}`;
    } catch {
      return `not a URL: ${JSON.stringify(value)}`;
    }
  },
});

export const OTEL_TRACES_SAMPLER_ARG = custom<number>({
  name: "OTEL_TRACES_SAMPLER_ARG",
  description:
    "the share of new traces recorded when tracing is on (parent-based: a request whose caller's `traceparent` says sampled is always recorded, one that says not sampled never)",
  readers: SERVICES,
  shownDefault: "`1`",
  accepts: "a number from 0 to 1",
  parse(raw) {
    if (raw === undefined || raw === "") return 1;
    const ratio = Number(raw);
    if (!/^\d*\.?\d+$/.test(raw) || ratio > 1) throw new ConfigError("OTEL_TRACES_SAMPLER_ARG", `expected a number from 0 to 1, got ${JSON.stringify(raw)}`);
    return ratio;
  },
});

export const OTEL_SERVICE_NAME = optional({
  name: "OTEL_SERVICE_NAME",
  description: "the `service.name` of the service's spans",
  readers: SERVICES,
  shownDefault: "the service's name (`gateway`, `auth`, …)",
});
