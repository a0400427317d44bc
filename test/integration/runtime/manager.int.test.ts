import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, newNamespace } from "../../harness/hub.js";
import { markReady } from "../../../src/runtime/conditions.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { Manager } from "../../../src/runtime/manager.js";
import { Metrics } from "../../../src/runtime/metrics.js";
import type { Reconciler, StatusInput } from "../../../src/runtime/reconciler.js";
import { coreResources, type KubeObject } from "../../../src/runtime/resource.js";
import { installWidgetCrd, widget, widgets, type Widget } from "./widget-crd.js";

/** Records which replica reconciled what; reports the replica in status. */
class TaggingReconciler implements Reconciler<Widget, Widget> {
  readonly seen: string[] = [];
  constructor(private readonly replica: string) {}
  buildScope(widget: Widget) {
    return widget;
  }
  async reconcileNormal(widget: Widget) {
    this.seen.push(widget.metadata!.name!);
  }
  async reconcileDelete() {}
  computeStatus({ object, now, generation }: StatusInput<Widget, Widget>) {
    return {
      lastOperation: { by: this.replica },
      conditions: markReady(
        object.status?.conditions,
        { message: `reconciled by ${this.replica}`, observedGeneration: generation },
        now,
      ),
    };
  }
}

describe("Manager with leader election", () => {
  let client: KubeClient;
  let ns: string;
  const replicas: Array<{ manager: Manager; reconciler: TaggingReconciler }> = [];

  beforeAll(async () => {
    await installWidgetCrd();
    client = new KubeClient(hubKubeConfig());
    ns = await newNamespace("manager-le");
    for (const name of ["replica-a", "replica-b"]) {
      const reconciler = new TaggingReconciler(name);
      const manager = new Manager({
        client,
        namespaces: [ns],
        metrics: new Metrics({ collectDefaults: false }),
        health: { host: "127.0.0.1", port: 0 },
        leaderElection: {
          namespace: ns,
          name: "widget-controller",
          identity: name,
          leaseDurationMs: 3000,
          renewDeadlineMs: 2000,
          retryPeriodMs: 400,
        },
      });
      // Secondary watch: a ConfigMap labelled with a widget's name reconciles that widget.
      manager.register({
        name: "widget",
        watches: {
          primary: widgets,
          secondary: [
            {
              resource: coreResources.configMaps,
              labelSelector: "runtime-test/widget",
              mapToPrimary: (o: KubeObject) => [
                `${o.metadata!.namespace}/${o.metadata!.labels!["runtime-test/widget"]}`,
              ],
            },
          ],
        },
        reconciler,
      });
      replicas.push({ manager, reconciler });
    }
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.manager.stop()));
    client?.close();
  });

  it("only the leader reconciles, and every replica is ready", async () => {
    // replica-a leads before b starts. Started here, not in beforeAll: eventually (expect.poll) runs only in a test.
    await replicas[0]!.manager.start({ cacheSyncTimeoutMs: 20_000 });
    await eventually("replica-a to lead", () => replicas[0]!.manager.isLeader(), 10_000);
    await replicas[1]!.manager.start({ cacheSyncTimeoutMs: 20_000 });
    await client.create(widgets, widget(ns, "first"));
    await eventually(
      "first reconciled by a",
      async () => (await client.get<Widget>(widgets, ns, "first")).status?.lastOperation?.by === "replica-a",
      20_000,
    );
    expect(replicas[1]!.reconciler.seen).toEqual([]);
    expect(replicas[1]!.manager.isLeader()).toBe(false);
    for (const { manager } of replicas)
      expect((await fetch(`${manager.healthEndpoint}/readyz`)).status).toBe(200);
    const leaderGauge = await replicas[0]!.manager.metrics.registry.getSingleMetricAsString(
      "slipway_leader_election_master_status",
    );
    expect(leaderGauge).toContain('slipway_leader_election_master_status{name="widget-controller"} 1');
  });

  it("a change to a watched secondary object reconciles the primary it maps to", async () => {
    const passes = replicas[0]!.reconciler.seen.filter((n) => n === "first").length;
    await client.create(coreResources.configMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { namespace: ns, name: "input", labels: { "runtime-test/widget": "first" } },
    });
    await eventually(
      "a pass of first",
      () => replicas[0]!.reconciler.seen.filter((n) => n === "first").length > passes,
      10_000,
    );
  });

  it("when the leader stops, the standby takes over and reconciles everything", async () => {
    await replicas[0]!.manager.stop();
    await eventually("replica-b to lead", () => replicas[1]!.manager.isLeader(), 10_000);
    // Level-triggered takeover: objects the old leader already handled are reconciled again by the new one.
    await eventually("b to reconcile first", () => replicas[1]!.reconciler.seen.includes("first"), 10_000);
    await client.create(widgets, widget(ns, "second"));
    await eventually(
      "second reconciled by b",
      async () => (await client.get<Widget>(widgets, ns, "second")).status?.lastOperation?.by === "replica-b",
      20_000,
    );
    expect(replicas[0]!.reconciler.seen).not.toContain("second");
  });
});
