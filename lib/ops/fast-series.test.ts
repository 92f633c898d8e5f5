import client from "prom-client";
import { describe, expect, it } from "vitest";
import { FastCounter, FastHistogram } from "./fast-series";

// The fast series must be indistinguishable, once scraped, from prom-client's own metrics fed the
// same observations: same lines, same order, same numbers.
describe("fast series", () => {
  it("scrape exactly like prom-client's Counter and Histogram", async () => {
    const theirs = new client.Registry();
    const ours = new client.Registry();
    const buckets = [0.001, 0.01, 0.1, 1];
    const counter = new client.Counter({
      name: "t_requests_total",
      help: 'Requests "quoted" \\ help.',
      labelNames: ["route", "status"] as const,
      registers: [theirs],
    });
    const histogram = new client.Histogram({
      name: "t_duration_seconds",
      help: "Durations.",
      labelNames: ["route"] as const,
      buckets,
      registers: [theirs],
    });
    const fastCounter = new FastCounter("t_requests_total", 'Requests "quoted" \\ help.', [
      "route",
      "status",
    ]);
    const fastHistogram = new FastHistogram("t_duration_seconds", "Durations.", ["route"], buckets);
    ours.registerMetric(fastCounter as unknown as client.Metric);
    ours.registerMetric(fastHistogram as unknown as client.Metric);

    const samples: [string, string, number][] = [
      ["/api/v1/viewer", "200", 0.0004],
      ["/api/v1/viewer", "200", 0.001],
      ["/api/v1/viewer", "401", 0.05],
      ['/a"b\\c', "500", 3],
      ["/api/v1/viewer", "200", 0.1000001],
    ];
    for (const [route, status, seconds] of samples) {
      counter.inc({ route, status });
      histogram.observe({ route }, seconds);
      fastCounter.child(route, status).inc();
      fastHistogram.child(route).observe(seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('t_duration_seconds_bucket{le="+Inf",route="/api/v1/viewer"} 4');
  });
});
