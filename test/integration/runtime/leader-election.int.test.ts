import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../harness/eventually.js";
import { hubKubeConfig, newNamespace } from "../../harness/hub.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { LeaderElector } from "../../../src/runtime/leader-election.js";
import { coreResources, type KubeObject } from "../../../src/runtime/resource.js";

interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

const timing = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 400 };

describe("Lease leader election against a real kube-apiserver", () => {
  let client: KubeClient;
  let electors: LeaderElector[] = [];

  beforeAll(() => {
    client = new KubeClient(hubKubeConfig());
  });

  afterEach(async () => {
    await Promise.all(electors.map((e) => e.stop()));
    electors = [];
  });

  function candidate(namespace: string, identity: string, log: string[]) {
    const elector = new LeaderElector({
      client,
      namespace,
      name: "slipway-controller",
      identity,
      ...timing,
      onStartedLeading: () => void log.push(`${identity} started`),
      onStoppedLeading: () => void log.push(`${identity} stopped`),
    });
    electors.push(elector);
    return elector;
  }

  const lease = (namespace: string) =>
    client.get<Lease>(coreResources.leases, namespace, "slipway-controller");

  it("one of two candidates leads and the other stands by", async () => {
    const ns = await newNamespace("le-one");
    const log: string[] = [];
    const a = candidate(ns, "replica-a", log);
    const b = candidate(ns, "replica-b", log);
    a.start();
    await eventually("a to lead", () => a.isLeader());
    b.start();
    // Several renew periods: b must never take a lease a keeps renewing.
    await new Promise((resolve) => setTimeout(resolve, timing.leaseDurationMs + 1000));
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(b.currentLeader()).toBe("replica-a");
    expect(a.isHealthy() && b.isHealthy()).toBe(true);
    expect(log).toEqual(["replica-a started"]);

    const current = await lease(ns);
    expect(current.spec).toMatchObject({
      holderIdentity: "replica-a",
      leaseDurationSeconds: 3,
      leaseTransitions: 0,
    });
    // MicroTime: six fractional digits, or the API server refuses the write.
    expect(current.spec?.renewTime).toMatch(/\.\d{6}Z$/);
    expect(Date.now() - Date.parse(current.spec!.renewTime!)).toBeLessThan(timing.retryPeriodMs * 3);
  });

  it("a standby takes over within the lease duration when the leader dies without releasing", async () => {
    const ns = await newNamespace("le-crash");
    const log: string[] = [];
    const a = candidate(ns, "replica-a", log);
    const b = candidate(ns, "replica-b", log);
    a.start();
    await eventually("a to lead", () => a.isLeader());
    b.start();
    // b times the lease from when it saw it change: the crash must come after b has seen a's renewals, not after
    // a fixed second in which a loaded machine may not have let b read the lease yet.
    await eventually("b to stand by behind a", () => b.currentLeader() === "replica-a");
    const before = await lease(ns);

    // A crash: renewals stop and the lease is left as it was.
    await a.stop({ release: false });
    const diedAt = Date.now();
    await eventually("b to take over", () => b.isLeader(), 10_000, 100);
    const takeoverMs = Date.now() - diedAt;

    // b measures the lease from when it last saw it change (its own clock), so the bound is the lease duration
    // plus one retry period of b's polling after it observed the last renewal, plus jitter.
    expect(takeoverMs).toBeLessThan(timing.leaseDurationMs + 2 * timing.retryPeriodMs + 500);
    expect(takeoverMs).toBeGreaterThan(timing.leaseDurationMs - 2 * timing.retryPeriodMs);
    const after = await lease(ns);
    expect(after.spec?.holderIdentity).toBe("replica-b");
    expect(after.spec?.leaseTransitions).toBe((before.spec?.leaseTransitions ?? 0) + 1);
    expect(after.spec?.acquireTime).not.toBe(before.spec?.acquireTime);
    expect(log).toEqual(["replica-a started", "replica-a stopped", "replica-b started"]);
  });

  it("a leader that shuts down cleanly releases the lease and the standby takes over at its next try", async () => {
    const ns = await newNamespace("le-release");
    const log: string[] = [];
    const a = candidate(ns, "replica-a", log);
    const b = candidate(ns, "replica-b", log);
    a.start();
    await eventually("a to lead", () => a.isLeader());
    b.start();
    await eventually("b to stand by behind a", () => b.currentLeader() === "replica-a");

    await a.stop();
    const releasedAt = Date.now();
    expect((await lease(ns)).spec?.holderIdentity).toBeUndefined();
    await eventually("b to take over", () => b.isLeader(), 10_000, 100);
    expect(Date.now() - releasedAt).toBeLessThan(2 * timing.retryPeriodMs + 500);
  });

  it("a leader that sees another holder steps down", async () => {
    const ns = await newNamespace("le-stolen");
    const log: string[] = [];
    const a = candidate(ns, "replica-a", log);
    a.start();
    await eventually("a to lead", () => a.isLeader());
    // Someone else (an operator with kubectl, a replica with a skewed view) rewrites the lease.
    const current = await lease(ns);
    await client.replace(coreResources.leases, {
      ...current,
      spec: { ...current.spec, holderIdentity: "intruder", renewTime: current.spec?.renewTime },
    });
    await eventually("a to step down", () => !a.isLeader());
    expect(log).toEqual(["replica-a started", "replica-a stopped"]);
  });
});
