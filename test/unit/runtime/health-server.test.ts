import { afterEach, describe, expect, it } from "vitest";
import { HealthServer } from "../../../src/runtime/health-server.js";
import { Metrics } from "../../../src/runtime/metrics.js";

describe("HealthServer", () => {
  let server: HealthServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it("serves metrics, liveness and readiness that follows its checks", async () => {
    const metrics = new Metrics({ collectDefaults: false });
    metrics.reconcileTotal.inc({ controller: "cluster-deployment", result: "success" });
    metrics.observeJob("up", "succeeded", Date.now() - 2500);
    let synced = false;
    server = new HealthServer({
      host: "127.0.0.1",
      port: 0,
      metrics,
      liveness: { ping: () => true },
      readiness: { informers: () => synced || "caches not synced" },
    });
    const { url } = await server.start();

    const metricsText = await (await fetch(`${url}/metrics`)).text();
    expect(metricsText).toContain(
      'slipway_reconcile_total{controller="cluster-deployment",result="success"} 1',
    );
    expect(metricsText).toMatch(/slipway_job_duration_seconds_count\{type="up",result="succeeded"\} 1/);

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toContain("[-]informers failed: caches not synced");
    synced = true;
    const ready = await fetch(`${url}/readyz?verbose`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toContain("[+]informers ok");
  });
});
