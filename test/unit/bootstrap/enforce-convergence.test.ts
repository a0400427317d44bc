import { describe, expect, it } from "vitest";
import type { ObjectTemplate, PolicyClusterStatus } from "../../../src/api/index.js";
import { NOT_CONVERGED_RETRY_MS } from "../../../src/bootstrap/policies/enforce-backoff.js";
import { evaluateOnSpoke } from "../../../src/bootstrap/policies/evaluation-job.js";
import { evaluationRound } from "../../../src/bootstrap/policies/rounds.js";
import { SpokeDiscovery } from "../../../src/bootstrap/policies/spoke.js";
import type { KubeClient, KubeRequestOptions } from "../../../src/runtime/kube-client.js";
import type { KubeObject } from "../../../src/runtime/resource.js";

const template: ObjectTemplate = {
  complianceType: "musthave",
  objectDefinition: {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "settings", namespace: "team" },
    data: { level: "high" },
  } as ObjectTemplate["objectDefinition"],
};

/**
 * A cluster whose API answers a dry run with the template applied, but where something acting on real writes
 * only (a webhook that skips dry runs, say) stores data.level "low" whatever is written: enforce never converges.
 */
function fightingSpoke() {
  let object: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "settings", namespace: "team", uid: "u", resourceVersion: "1" },
    data: { level: "low" },
  } as KubeObject;
  const counts = { writes: 0, dryRuns: 0 };
  const spoke = {
    counts,
    getIfExists: async () => structuredClone(object),
    delete: async () => undefined,
    request: async (method: string, path: string, options: KubeRequestOptions = {}) => {
      if (method === "GET")
        return { resources: [{ name: "configmaps", kind: "ConfigMap", namespaced: true }] };
      const applied = { ...object, data: { ...(object as { data?: object }).data, level: "high" } };
      if (options.query?.dryRun === "All") {
        counts.dryRuns += 1;
        return applied;
      }
      counts.writes += 1;
      object = { ...applied, data: { level: "low" } } as KubeObject;
      return structuredClone(object);
    },
  };
  return spoke;
}

const seconds = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * One minute of the policy controller's passes (one a second) over one cluster with a 10 s evaluationInterval,
 * each due round running the evaluation on the fighting cluster and recording its verdict as the status entry.
 */
async function aMinuteOfEnforce(entryOf: (verdict: PolicyClusterStatus) => PolicyClusterStatus) {
  const spoke = fightingSpoke();
  const start = Date.parse("2026-06-01T12:00:00Z");
  let entry: PolicyClusterStatus | undefined;
  const messages: string[] = [];
  for (let second = 0; second < 60; second += 1) {
    const now = new Date(start + second * 1000);
    const round = evaluationRound({ entry, policyGeneration: 1, intervalMs: 10_000, now });
    if (!round.due) continue;
    const discovery = new SpokeDiscovery(spoke as unknown as KubeClient);
    const verdict = await evaluateOnSpoke(spoke as unknown as KubeClient, discovery, template, true);
    messages.push(verdict.message);
    entry = entryOf({
      kind: "ClusterDeployment",
      name: "c1",
      compliant: verdict.compliant ? "Compliant" : "NonCompliant",
      message: verdict.message,
      lastEvaluated: seconds(now),
      generation: 1,
    });
  }
  return { writes: spoke.counts.writes, messages, entry: entry! };
}

describe("an enforce that does not converge", () => {
  it("says so with its own reason, naming the field path and what to change", async () => {
    const { messages } = await aMinuteOfEnforce((e) => e);
    expect(messages[0]).toBe(
      'EnforceDidNotConverge: ConfigMap team/settings: data.level is "low", wants "high" (still so right after ' +
        "enforce updated it: the cluster's API server or a controller keeps the object otherwise; write the " +
        "template as the server stores it, or stop what changes it back; enforce tries again in 5 minutes or " +
        "after a policy change)",
    );
  });

  it("is written again at most every 5 minutes, not every evaluationInterval (writes in one minute: 1, not 6)", async () => {
    const backedOff = await aMinuteOfEnforce((e) => e);
    // The same minute with the reason left out of the entry: what a plain NonCompliant verdict gets.
    const everyInterval = await aMinuteOfEnforce((e) => ({ ...e, message: "NonCompliant" }));
    console.log(
      `enforce writes in one minute at a 10 s interval: ${backedOff.writes} when it did not converge, ${everyInterval.writes} before`,
    );
    expect(everyInterval.writes).toBe(6);
    expect(backedOff.writes).toBe(1);
    const next = evaluationRound({
      entry: backedOff.entry,
      policyGeneration: 1,
      intervalMs: 10_000,
      now: new Date("2026-06-01T12:01:00Z"),
    });
    expect(next).toEqual({
      due: false,
      nextAt: new Date(Date.parse("2026-06-01T12:00:00Z") + NOT_CONVERGED_RETRY_MS),
    });
  });

  it("is evaluated again at once after a policy change, and at the longer of the two when the interval is longer", () => {
    const entry: PolicyClusterStatus = {
      kind: "ClusterDeployment",
      name: "c1",
      compliant: "NonCompliant",
      message: "EnforceDidNotConverge: ConfigMap team/settings: data.level ...",
      lastEvaluated: "2026-06-01T12:00:00Z",
      generation: 1,
    };
    const now = new Date("2026-06-01T12:00:30Z");
    expect(evaluationRound({ entry, policyGeneration: 2, intervalMs: 10_000, now })).toMatchObject({
      due: true,
      why: "policyChanged",
    });
    expect(evaluationRound({ entry, policyGeneration: 1, intervalMs: 3_600_000, now })).toEqual({
      due: false,
      nextAt: new Date("2026-06-01T13:00:00Z"),
    });
  });
});
