import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SUBGRAPH_NAMES, type ServiceName } from "#lib/config.js";
import { SERVICE_PORTS } from "#lib/config/variables/services.js";
import { startInProcessStack, type InProcessStack } from "../test/support/inProcessStack.js";

/**
 * The observability profile's files parse, have the shape Prometheus, Grafana and compose
 * expect, and name only metrics the services really expose: renaming a metric fails here.
 */
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const yamlOf = (path: string) => parse(read(path));

const SERVICES: ServiceName[] = ["gateway", ...SUBGRAPH_NAMES];
const compose = yamlOf("docker-compose.yml");
const prometheus = yamlOf("observability/prometheus/prometheus.yml");
const alerts = yamlOf("observability/prometheus/alerts.yml");
const datasources = yamlOf("observability/grafana/provisioning/datasources/prometheus.yml");
const providers = yamlOf("observability/grafana/provisioning/dashboards/dashboards.yml");
const dashboard = JSON.parse(read("observability/grafana/dashboards/supergraph.json"));

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}
interface Panel {
  title: string;
  datasource: { uid: string };
  targets: Array<{ expr: string; datasource: { uid: string } }>;
}
const rules: Rule[] = alerts.groups.flatMap((group: { rules: Rule[] }) => group.rules);
const panels: Panel[] = dashboard.panels;

/** PromQL's functions are followed by `(`; these words are not metrics either. */
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan", "up"]);

/**
 * The metric names a PromQL expression reads: strings, label matchers, ranges and grouping
 * clauses removed, then every identifier but functions (followed by `(`) and keywords.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = [...bare.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g)].filter(([, , call]) => !call).map(([, name]) => name!);
  return [...new Set(names.filter((name) => !KEYWORDS.has(name.toLowerCase())))];
}

describe("metricNames", () => {
  it("finds the metrics of an expression, not its functions, labels, ranges or keywords", () => {
    expect(
      metricNames('histogram_quantile(0.99, sum by (le, type) (rate(a_seconds_bucket{code=~"x|y"}[5m]))) / on (type) b_total > 0 and up{job="s"} == 0 or c'),
    ).toEqual(["a_seconds_bucket", "b_total", "c"]);
  });
});

describe("the observability files", () => {
  it("scrape /metrics of the gateway and every subgraph by compose service name, with the token file the entrypoint writes", () => {
    const [job] = prometheus.scrape_configs;
    const targets = job.static_configs.flatMap((config: { targets: string[] }) => config.targets);
    expect(targets.sort()).toEqual(SERVICES.map((name) => `${name}:${SERVICE_PORTS[name].read({})}`).sort());
    for (const name of SERVICES) expect(compose.services[name]).toBeDefined();
    expect(job.metrics_path).toBe("/metrics");
    expect(compose.services.prometheus.command.join(" ")).toContain(`> ${job.authorization.credentials_file}`);
  });

  it("load the alert rules Prometheus is given, each with an expression, a delay, a severity and its explanation", () => {
    const mounts: string[] = compose.services.prometheus.volumes;
    for (const file of prometheus.rule_files) expect(mounts).toContain(`./observability/prometheus/${file.split("/").pop()}:${file}:ro`);
    expect(mounts).toContain("./observability/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule, rule.alert).toMatchObject({
        alert: expect.stringMatching(/^[A-Z][A-Za-z]+$/),
        expr: expect.any(String),
        for: expect.stringMatching(/^\d+[smh]$/),
        labels: { severity: expect.stringMatching(/^(critical|warning)$/) },
        annotations: { summary: expect.any(String), description: expect.any(String) },
      });
    }
  });

  it("give Grafana the Prometheus data source and the dashboard, every panel titled and querying it", () => {
    const [source] = datasources.datasources;
    expect(source).toMatchObject({ type: "prometheus", url: "http://prometheus:9090" });
    const grafanaMounts: string[] = compose.services.grafana.volumes;
    const [provider] = providers.providers;
    expect(grafanaMounts).toContain(`./observability/grafana/dashboards:${provider.options.path}:ro`);
    expect(grafanaMounts).toContain("./observability/grafana/provisioning:/etc/grafana/provisioning:ro");
    expect(panels.length).toBeGreaterThanOrEqual(9);
    for (const panel of panels) {
      expect(panel.title).toEqual(expect.any(String));
      expect(panel.datasource.uid).toBe(source.uid);
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) expect(target).toMatchObject({ expr: expect.any(String), datasource: { uid: source.uid } });
    }
  });

  it("run Jaeger, Prometheus and Grafana in the observability profile only, on the stack's network and loopback", () => {
    const profiled = Object.entries(compose.services).filter(([, service]) => (service as { profiles?: string[] }).profiles);
    expect(profiled.map(([name]) => name).sort()).toEqual(["grafana", "jaeger", "prometheus"]);
    for (const [name, service] of profiled) {
      const { profiles, networks, ports } = service as { profiles: string[]; networks: string[]; ports: string[] };
      expect(profiles, name).toEqual(["observability"]);
      expect(networks, name).toEqual(["backend"]);
      for (const port of ports) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
    expect(compose.services.jaeger.environment.COLLECTOR_OTLP_ENABLED).toBe("true");
    for (const volume of [...compose.services.prometheus.volumes, ...compose.services.grafana.volumes] as string[]) {
      if (volume.startsWith("./")) expect(existsSync(join(root, volume.split(":")[0]!)), volume).toBe(true);
    }
  });
});

describe("the metrics the alerts and the dashboard use", () => {
  let stack: InProcessStack;
  /** Every metric a running service declares (`# TYPE` is printed even before a first sample), with its type. */
  const exposed = new Map<string, string>();

  beforeAll(async () => {
    stack = await startInProcessStack();
    for (const name of SERVICES) {
      const response = await fetch(`${stack[name].url}/metrics`);
      expect(response.status).toBe(200);
      for (const [, metric, type] of (await response.text()).matchAll(/^# TYPE (\S+) (\S+)$/gm)) exposed.set(metric!, type!);
    }
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** The metric a series name belongs to: a histogram's `_bucket`, `_sum` and `_count` are its own. */
  const metricOf = (series: string) => {
    if (exposed.has(series)) return series;
    const base = series.replace(/_(bucket|sum|count)$/, "");
    return ["histogram", "summary"].includes(exposed.get(base) ?? "") ? base : undefined;
  };

  it("are all exposed on a running service's /metrics", () => {
    const used = new Map<string, string>();
    for (const rule of rules) for (const name of metricNames(rule.expr)) used.set(name, `alert ${rule.alert}`);
    for (const panel of panels) for (const target of panel.targets) for (const name of metricNames(target.expr)) used.set(name, `panel ${panel.title}`);
    const missing = [...used].filter(([name]) => !metricOf(name)).map(([name, where]) => `${name} (${where})`);
    expect(missing).toEqual([]);
    // The extraction found what it must: not an empty list that checks nothing.
    expect([...used.keys()]).toEqual(
      expect.arrayContaining([
        "event_delivery_latency_seconds_bucket",
        "graphql_request_duration_seconds_bucket",
        "subgraph_circuit_open",
        "outbox_backlog",
        "dependency_up",
      ]),
    );
  });
});
