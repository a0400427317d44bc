import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, newNamespace } from "../../harness/hub.js";
import { getCondition, setCondition, summarize } from "../../../src/runtime/conditions.js";
import { TerminalError } from "../../../src/errors/index.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { Manager } from "../../../src/runtime/manager.js";
import { Metrics } from "../../../src/runtime/metrics.js";
import type { Reconciler, ReconcileContext, StatusInput } from "../../../src/runtime/reconciler.js";
import { coreResources, type KubeObject } from "../../../src/runtime/resource.js";
import { installWidgetCrd, widget, widgets, type Widget } from "./widget-crd.js";

const finalizer = "runtime-test.slipway.dev/cleanup";

interface WidgetScope {
  widget: Widget;
  context: ReconcileContext;
}

/** A small controller in the shape every Slipway controller has: phases decide, computeStatus reports. */
class WidgetReconciler implements Reconciler<Widget, WidgetScope> {
  readonly finalizer = finalizer;
  normalPasses = 0;
  deletePasses = 0;
  /** Delete passes that report "cleanup still running" before the finalizer may go. */
  cleanupPassesNeeded = 2;

  buildScope(widget: Widget, context: ReconcileContext): WidgetScope {
    return { widget, context };
  }

  async reconcileNormal({ widget, context }: WidgetScope) {
    this.normalPasses++;
    context.log.info({ generation: widget.metadata?.generation }, "Reconciling widget");
    if (widget.spec?.fail === "transient") throw new Error("backend unavailable (password=hunter2)");
    if (widget.spec?.fail === "terminal")
      throw new TerminalError("SizeUnsupported", "Size must be below 100; change spec.size");
  }

  async reconcileDelete() {
    this.deletePasses++;
    return this.deletePasses <= this.cleanupPassesNeeded ? { requeueAfter: 100 } : {};
  }

  computeStatus(input: StatusInput<Widget, WidgetScope>) {
    const { object } = input;
    return {
      size: object.spec?.size,
      conditions: summarize(
        setCondition(
          object.status?.conditions,
          { type: "Sized", status: "True", reason: "WidgetReady", message: "The widget has its size" },
          input.now,
        ),
        {
          conditions: ["Sized"],
          ready: { reason: "WidgetReady", message: "The widget has its size" },
          error: input.error,
          deleting: input.deleting ? { message: "Deleting the widget" } : undefined,
          observedGeneration: input.generation,
        },
        input.now,
      ),
    };
  }
}

describe("reconcile harness and Manager against a real kube-apiserver", () => {
  let client: KubeClient;
  let manager: Manager;
  let ns: string;
  const reconciler = new WidgetReconciler();
  const metrics = new Metrics({ collectDefaults: false });
  const get = () => client.get<Widget>(widgets, ns, "w");
  /**
   * The widget once no pass of it is left to come (none waiting, running or in a retry's backoff) and the cache
   * holds its latest write: whatever its last write brings back through the watch has run.
   */
  const settled = () =>
    eventually("no pass of w to come, with the cache at the latest write", async () => {
      const latest = await get();
      const cached = manager.informer<Widget>(widgets).get(ns, "w");
      return cached?.metadata?.resourceVersion === latest.metadata?.resourceVersion &&
        !manager.pending("widget", `${ns}/w`)
        ? latest
        : undefined;
    });

  beforeAll(async () => {
    await installWidgetCrd();
    client = new KubeClient(hubKubeConfig());
    ns = await newNamespace("reconcile");
    manager = new Manager({ client, namespaces: [ns], metrics, health: { host: "127.0.0.1", port: 0 } });
    manager.register({
      name: "widget",
      watches: { primary: widgets },
      reconciler,
      concurrency: 2,
      backoff: { baseMs: 100, maxMs: 1000 },
    });
    await manager.start({ cacheSyncTimeoutMs: 20_000 });
  });

  afterAll(async () => {
    await manager?.stop();
    client?.close();
  });

  it("adds the finalizer, reports Ready and moves observedGeneration after a successful pass", async () => {
    await client.create(widgets, widget(ns, "w", { size: 3 }));
    const ready = await eventually("w Ready", async () => {
      const w = await get();
      return getCondition(w.status?.conditions, "Ready")?.status === "True" && w;
    });
    expect(ready.metadata?.finalizers).toContain(finalizer);
    expect(ready.status).toMatchObject({ size: 3, observedGeneration: 1 });
    expect(getCondition(ready.status?.conditions, "Reconciling")).toMatchObject({
      status: "False",
      reason: "WidgetReady",
      observedGeneration: 1,
    });
    expect(getCondition(ready.status?.conditions, "Stalled")).toBeUndefined();

    await client.patch(widgets, ns, "w", { spec: { size: 5 } }, { type: "merge" });
    await eventually(
      "observedGeneration 2",
      async () => (await get()).status?.observedGeneration === 2,
      20_000,
    );
    expect((await get()).status?.size).toBe(5);
  });

  it("records an Event when the object becomes Ready", async () => {
    const events = await client.list<
      KubeObject & { reason?: string; type?: string; involvedObject?: { name?: string } }
    >(coreResources.events, { namespace: ns });
    expect(
      events.items.some(
        (e) => e.reason === "WidgetReady" && e.type === "Normal" && e.involvedObject?.name === "w",
      ),
    ).toBe(true);
  });

  it("does not rewrite an unchanged status and keeps status fields other writers own", async () => {
    // A worker reports its job through its own field manager; the controller's writes must not remove it.
    await client.patch(
      widgets,
      ns,
      "w",
      { status: { lastOperation: { type: "up", result: "Succeeded" } } },
      { type: "merge", subresource: "status", fieldManager: "slipway-worker" },
    );
    // The worker's write comes back through the watch as a pass; wait until it (and any other) is over.
    const before = await settled();
    const passes = reconciler.normalPasses;
    manager.enqueue("widget", `${ns}/w`);
    manager.enqueue("widget", `${ns}/w`);
    await eventually("another pass", () => reconciler.normalPasses > passes);
    const after = await settled();
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.status?.lastOperation).toEqual({ type: "up", result: "Succeeded" });
  });

  it("a transient error is retried with backoff, reported as Reconciling, and leaves observedGeneration alone", async () => {
    const passes = reconciler.normalPasses;
    await client.patch(widgets, ns, "w", { spec: { fail: "transient" } }, { type: "merge" });
    const failing = await eventually("w Reconciling with RetryingAfterError", async () => {
      const w = await get();
      return getCondition(w.status?.conditions, "Reconciling")?.reason === "RetryingAfterError" && w;
    });
    expect(failing.metadata?.generation).toBe(3);
    expect(failing.status?.observedGeneration).toBe(2);
    expect(getCondition(failing.status?.conditions, "Ready")?.status).toBe("False");
    expect(getCondition(failing.status?.conditions, "Reconciling")?.message).not.toContain("hunter2");
    await eventually("retries", () => reconciler.normalPasses >= passes + 3, 10_000);
    const text = await metrics.registry.getSingleMetricAsString("slipway_reconcile_total");
    expect(text).toMatch(/slipway_reconcile_total\{controller="widget",result="error"\} [1-9]/);
  });

  it("a TerminalError stalls with its reason and a Warning Event, without retrying", async () => {
    await client.patch(widgets, ns, "w", { spec: { fail: "terminal" } }, { type: "merge" });
    const stalled = await eventually("w Stalled", async () => {
      const w = await get();
      return getCondition(w.status?.conditions, "Stalled")?.status === "True" && w;
    });
    expect(getCondition(stalled.status?.conditions, "Stalled")).toMatchObject({
      reason: "SizeUnsupported",
      observedGeneration: 4,
    });
    expect(getCondition(stalled.status?.conditions, "Reconciling")).toBeUndefined();
    // The generation was handled, and the answer is Stalled: kstatus reads Failed, not InProgress.
    expect(stalled.status?.observedGeneration).toBe(4);
    // A retry the earlier transient errors scheduled may still run, and the Stalled write comes back through the
    // watch as one more pass; each meets the TerminalError again. Then nothing is left to come: no retry, no backoff
    // (with one, the key would stay pending and this wait time out).
    await settled();
    const events = await client.list<KubeObject & { reason?: string; type?: string }>(coreResources.events, {
      namespace: ns,
    });
    expect(events.items.some((e) => e.reason === "SizeUnsupported" && e.type === "Warning")).toBe(true);
  });

  it("recovers when the spec is fixed", async () => {
    await client.patch(widgets, ns, "w", { spec: { fail: null } }, { type: "merge" });
    const ready = await eventually("w Ready again", async () => {
      const w = await get();
      return getCondition(w.status?.conditions, "Ready")?.status === "True" && w;
    });
    expect(ready.status?.observedGeneration).toBe(5);
    expect(getCondition(ready.status?.conditions, "Stalled")).toBeUndefined();
  });

  it("runs delete passes until cleanup is done, then removes the finalizer and the object goes", async () => {
    await client.delete(widgets, ns, "w");
    await eventually(
      "the widget to be gone",
      async () => (await client.getIfExists(widgets, ns, "w")) === undefined,
      20_000,
    );
    expect(reconciler.deletePasses).toBe(reconciler.cleanupPassesNeeded + 1);
  });

  it("serves readiness and metrics", async () => {
    const url = manager.healthEndpoint!;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('slipway_reconcile_total{controller="widget",result="success"}');
    expect(text).toContain('slipway_workqueue_depth{name="widget"}');
  });
});
