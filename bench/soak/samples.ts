import type { Stack } from "../../test/support/stack.js";
import { rssMiB } from "../support/stats.js";

/** Least-squares slope of `values` against `xs` (per unit of x); NaN under two points. */
export function slope(xs: number[], values: number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (values[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/** `nodejs_heap_size_used_bytes` of a service, in MiB, from its `/metrics`. */
async function heapMiB(url: string, metricsToken: string | undefined): Promise<number> {
  const response = await fetch(`${url}/metrics`, { headers: metricsToken ? { authorization: `Bearer ${metricsToken}` } : {} });
  const text = await response.text();
  const line = text.split("\n").find((l) => l.startsWith("nodejs_heap_size_used_bytes"));
  return line ? Math.round((Number(line.slice(line.lastIndexOf(" ") + 1)) / 1048576) * 10) / 10 : Number.NaN;
}

/** Each service's RSS (from /proc) and heap (from /metrics), one sample a minute, with the slope so far. */
export class ServiceSampler {
  private readonly minutes: number[] = [];
  private readonly rss = new Map<string, number[]>();
  private readonly heap = new Map<string, number[]>();

  constructor(private readonly stack: Stack) {}

  private services() {
    const { gateway, auth, user, production } = this.stack;
    return [gateway, auth, user, production];
  }

  async sample(minute: number): Promise<void> {
    this.minutes.push(minute);
    for (const service of this.services()) {
      const rss = await rssMiB(service.process.pid!).catch(() => Number.NaN);
      const heap = await heapMiB(service.url, this.stack.env.METRICS_TOKEN).catch(() => Number.NaN);
      this.rss.set(service.name, [...(this.rss.get(service.name) ?? []), rss]);
      this.heap.set(service.name, [...(this.heap.get(service.name) ?? []), heap]);
    }
  }

  lines(): string[] {
    const fmt = (v: number) => (Number.isNaN(v) ? "  n/a" : v.toFixed(1).padStart(6));
    const signed = (v: number) => (Number.isNaN(v) ? "   n/a" : `${v >= 0 ? "+" : ""}${v.toFixed(2)}`.padStart(6));
    return this.services().map((service) => {
      const rss = this.rss.get(service.name) ?? [];
      const heap = this.heap.get(service.name) ?? [];
      return `${service.name.padEnd(10)} RSS ${fmt(rss.at(-1) ?? Number.NaN)} MiB (slope ${signed(slope(this.minutes, rss))} MiB/min)  heap ${fmt(heap.at(-1) ?? Number.NaN)} MiB (slope ${signed(slope(this.minutes, heap))} MiB/min)`;
    });
  }
}
