import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, newNamespace } from "../../harness/hub.js";
import { Informer } from "../../../src/runtime/informer.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { coreResources, type KubeObject } from "../../../src/runtime/resource.js";
import { Manager } from "../../../src/runtime/manager.js";
import { installWidgetCrd, widget, type Widget } from "./widget-crd.js";

describe("Informer against a real kube-apiserver", () => {
  let client: KubeClient;
  const informers: Informer[] = [];

  beforeAll(async () => {
    client = new KubeClient(hubKubeConfig());
    await installWidgetCrd();
  });

  afterAll(async () => {
    await Promise.all(informers.map((i) => i.stop()));
    client.close();
  });

  function track<T extends KubeObject>(informer: Informer<T>): Informer<T> {
    informers.push(informer as unknown as Informer);
    return informer;
  }

  it("lists custom resources across all namespaces, then sees add, update and delete", async () => {
    const widgets = await installWidgetCrd();
    const nsA = await newNamespace("inf-a");
    const nsB = await newNamespace("inf-b");
    await client.create(widgets, widget(nsA, "before-start", { size: 1 }));

    const informer = track(new Informer<Widget>({ client, resource: widgets }));
    const events: string[] = [];
    informer.addEventHandler({
      onAdd: (w) => events.push(`add ${w.metadata?.namespace}/${w.metadata?.name}`),
      onUpdate: (old, w) => events.push(`update ${w.metadata?.name} ${old.spec?.size}->${w.spec?.size}`),
      onDelete: (w) => events.push(`delete ${w.metadata?.namespace}/${w.metadata?.name}`),
    });
    informer.start();
    await informer.waitForSync({ timeoutMs: 20_000 });
    expect(informer.hasSynced()).toBe(true);
    expect(informer.get(nsA, "before-start")?.spec?.size).toBe(1);
    expect(events).toContain(`add ${nsA}/before-start`);

    await client.create(widgets, {
      ...widget(nsB, "w2", { size: 2 }),
      metadata: { namespace: nsB, name: "w2", labels: { tier: "gold" } },
    });
    await eventually("w2 in the cache", () => informer.get(nsB, "w2"));
    expect(informer.list({ labelSelector: "tier=gold" }).map((w) => w.metadata?.name)).toEqual(["w2"]);
    expect(informer.list({ namespace: nsA }).map((w) => w.metadata?.name)).toEqual(["before-start"]);

    await client.patch(widgets, nsB, "w2", { spec: { size: 3 } }, { type: "merge" });
    await eventually("update of w2", () => informer.get(nsB, "w2")?.spec?.size === 3);
    expect(events).toContain("update w2 2->3");

    await client.delete(widgets, nsB, "w2");
    await eventually("delete of w2", () => informer.get(nsB, "w2") === undefined);
    expect(events).toContain(`delete ${nsB}/w2`);
    expect(events.indexOf(`add ${nsB}/w2`)).toBeLessThan(events.indexOf("update w2 2->3"));
  });

  it("a manager told to watch two namespaces caches and reports those two and nothing of a third", async () => {
    const widgets = await installWidgetCrd();
    const nsA = await newNamespace("watch-a");
    const nsB = await newNamespace("watch-b");
    const elsewhere = await newNamespace("watch-no");
    await client.create(widgets, widget(nsA, "a1", { size: 1 }));
    await client.create(widgets, widget(elsewhere, "x1", { size: 1 }));
    const manager = new Manager({ client, namespaces: [nsA, nsB] });
    const informer = manager.informer<Widget>(widgets);
    const added: string[] = [];
    informer.addEventHandler({ onAdd: (w) => added.push(`${w.metadata?.namespace}/${w.metadata?.name}`) });
    await manager.start({ cacheSyncTimeoutMs: 20_000 });
    try {
      await client.create(widgets, widget(nsB, "b1", { size: 2 }));
      await client.create(widgets, widget(elsewhere, "x2", { size: 2 }));
      await eventually("b1 in the cache", () => informer.get(nsB, "b1"));
      expect(informer.getByKey(`${nsA}/a1`)?.spec?.size).toBe(1);
      expect(informer.get(elsewhere, "x1")).toBeUndefined();
      expect(
        informer
          .list()
          .map((w) => w.metadata?.name)
          .sort(),
      ).toEqual(["a1", "b1"]);
      expect(informer.list({ namespace: nsB }).map((w) => w.metadata?.name)).toEqual(["b1"]);
      expect(informer.keys().sort()).toEqual([`${nsA}/a1`, `${nsB}/b1`].sort());
      expect(added.sort()).toEqual([`${nsA}/a1`, `${nsB}/b1`].sort());
    } finally {
      await manager.stop();
    }
  });

  it("relists after a watch from a too-old resourceVersion gets 410 Gone, and keeps watching", async () => {
    const widgets = await installWidgetCrd();
    const ns = await newNamespace("inf-gone");
    const informer = track(new Informer<Widget>({ client, resource: widgets, namespace: ns }));
    informer.start();
    await informer.waitForSync({ timeoutMs: 20_000 });
    expect(informer.relistCount).toBe(1);
    await client.create(widgets, widget(ns, "one"));
    await eventually("widget one", () => informer.get(ns, "one"));

    // The watch cache of a custom resource starts at the resourceVersion the CRD was established at, so
    // version 1 is older than anything it holds: the server answers 410 Gone ("too old resource version").
    informer.restartWatchFrom("1");
    await eventually("a relist after 410 Gone", () => informer.relistCount >= 2, 20_000);

    await client.create(widgets, widget(ns, "two"));
    await eventually("widget two after the relist", () => informer.get(ns, "two"));
    expect(informer.get(ns, "one")).toMatchObject({
      apiVersion: "runtime-test.slipway.dev/v1",
      kind: "Widget",
    });
  });

  it("relist reconciles the cache with what changed while it was not watching", async () => {
    const widgets = await installWidgetCrd();
    const ns = await newNamespace("inf-relist");
    await client.create(widgets, widget(ns, "stays", { size: 1 }));
    await client.create(widgets, widget(ns, "goes"));
    const informer = track(new Informer<Widget>({ client, resource: widgets, namespace: ns }));
    const deleted: string[] = [];
    const updated: string[] = [];
    informer.addEventHandler({
      onDelete: (o) => deleted.push(o.metadata!.name!),
      onUpdate: (_old, o) => updated.push(o.metadata!.name!),
    });
    informer.start();
    await informer.waitForSync({ timeoutMs: 20_000 });
    await informer.stop();

    // Changes the informer cannot see: it is stopped.
    await client.delete(widgets, ns, "goes");
    await client.create(widgets, widget(ns, "new"));
    await client.patch(widgets, ns, "stays", { spec: { size: 2 } }, { type: "merge" });

    informer.restartWatchFrom("1");
    informer.start();
    await eventually(
      "the cache to catch up",
      () =>
        informer.get(ns, "new") && informer.get(ns, "stays")?.spec?.size === 2 && !informer.get(ns, "goes"),
      20_000,
    );
    expect(informer.relistCount).toBe(2);
    expect(deleted).toEqual(["goes"]);
    expect(updated).toEqual(["stays"]);
  });

  it("caches core kinds and fills in the kind and apiVersion their list items lack", async () => {
    const ns = await newNamespace("inf-core");
    await client.create(coreResources.configMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { namespace: ns, name: "listed" },
    });
    const informer = track(new Informer({ client, resource: coreResources.configMaps, namespace: ns }));
    informer.start();
    await informer.waitForSync({ timeoutMs: 20_000 });
    expect(informer.get(ns, "listed")).toMatchObject({ apiVersion: "v1", kind: "ConfigMap" });
  });

  it("waitForSync gives up with a TimeoutError when the resource cannot be listed", async () => {
    const missing = {
      group: "nothing.slipway.dev",
      version: "v1",
      plural: "ghosts",
      kind: "Ghost",
      namespaced: true,
    };
    const informer = track(new Informer({ client, resource: missing, backoff: { baseMs: 50, maxMs: 200 } }));
    informer.start();
    await expect(informer.waitForSync({ timeoutMs: 1000 })).rejects.toThrow(/did not sync/);
    expect(informer.hasSynced()).toBe(false);
  });
});
