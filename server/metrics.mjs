// Prometheus metrics (prom-client), one registry for the process: the server counts requests and their latency, the
// portal counts what it does (lib/metrics.ts reaches the same objects through the server bridge) and adds gauges that
// are read when scraped (breaker state, database pool).
import client from "prom-client";

/** Label values stay few: locales and ids are folded, unknown paths are one value. */
export function routeLabel(pathname, status) {
  if (status === 404) return "unmatched";
  if (pathname.startsWith("/_next/static/")) return "/_next/static";
  return (
    pathname
      .replace(/^\/(nl|en)(?=\/|$)/, "/:locale")
      .split("/")
      .map((segment) =>
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment) ? ":id" : /^\d+$/.test(segment) ? ":n" : segment,
      )
      .join("/")
      .slice(0, 120) || "/"
  );
}

export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "toegang_process_" });
  const m = {
    registry,
    requests: new client.Counter({
      name: "toegang_http_requests_total",
      help: "HTTP requests answered, by route, method and status",
      labelNames: ["route", "method", "status"],
      registers: [registry],
    }),
    duration: new client.Histogram({
      name: "toegang_http_request_duration_seconds",
      help: "Time from the request's arrival to the end of its response",
      labelNames: ["route", "method"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    inFlight: new client.Gauge({ name: "toegang_http_requests_in_flight", help: "Requests being served", registers: [registry] }),
    recoveries: new client.Counter({
      name: "toegang_recoveries_completed_total",
      help: "Password resets and account unlocks completed",
      labelNames: ["kind"],
      registers: [registry],
    }),
    codes: new client.Counter({
      name: "toegang_codes_total",
      help: "Messages (codes and notifications, SMS or call) by outcome: sent (handed to the transport), failed, refused",
      labelNames: ["outcome", "channel", "purpose"],
      registers: [registry],
    }),
    limitsHit: new client.Counter({
      name: "toegang_limits_hit_total",
      help: "Requests refused by a rate limit, by limit",
      labelNames: ["limit"],
      registers: [registry],
    }),
    unavailable: new client.Counter({
      name: "toegang_unavailable_total",
      help: "Requests answered 503 because the database or directory could not be reached",
      labelNames: ["dependency"],
      registers: [registry],
    }),
  };
  return m;
}

/** A gauge read at scrape time; `read` returns the value, or a list of [labels, value] pairs. */
export function addCollectedGauge(metrics, { name, help, labelNames = [], read }) {
  if (metrics.registry.getSingleMetric(name)) metrics.registry.removeSingleMetric(name);
  return new client.Gauge({
    name,
    help,
    labelNames,
    registers: [metrics.registry],
    async collect() {
      const value = await read();
      this.reset();
      if (Array.isArray(value)) for (const [labels, v] of value) this.set(labels, v);
      else if (typeof value === "number") this.set(value);
    },
  });
}
