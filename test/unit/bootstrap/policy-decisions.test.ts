import { describe, expect, it } from "vitest";
import type { BootstrapPolicy, ClusterDeployment, PolicyClusterStatus } from "../../../src/api/index.js";
import { clusterLabels } from "../../../src/api/index.js";
import { bootstrapVerdict } from "../../../src/bootstrap/policies/cluster-bootstrap.js";
import { aggregateCompliance, evaluationRound } from "../../../src/bootstrap/policies/rounds.js";
import { selects } from "../../../src/bootstrap/policies/phases.js";
import { templateProblem } from "../../../src/bootstrap/policies/templates.js";
import { RateLimiter } from "../../../src/bootstrap/policies/rate-limiter.js";

const now = new Date("2026-06-01T12:00:00Z");
const minutes = (n: number) => new Date(now.getTime() + n * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
const entry = (over: Partial<PolicyClusterStatus> = {}): PolicyClusterStatus => ({
  kind: "ClusterDeployment",
  name: "c1",
  compliant: "Compliant",
  lastEvaluated: minutes(-5),
  generation: 2,
  ...over,
});

describe("evaluationRound", () => {
  const base = { policyGeneration: 2, intervalMs: 10 * 60_000, now };
  it.each([
    { case: "never evaluated: due (first)", input: { entry: undefined }, why: "first" },
    { case: "policy changed since: due", input: { entry: entry({ generation: 1 }) }, why: "policyChanged" },
    {
      case: "resumed after the last evaluation: due",
      input: { entry: entry(), lastResumedAt: minutes(-1) },
      why: "resumed",
    },
    {
      case: "interval passed: due",
      input: { entry: entry({ lastEvaluated: minutes(-11) }) },
      why: "interval",
    },
  ])("$case", ({ input, why }) => {
    const round = evaluationRound({ ...base, ...input });
    expect(round).toMatchObject({ due: true, why });
  });

  it("within the interval: not due, with the time of the next", () => {
    expect(evaluationRound({ ...base, entry: entry() })).toEqual({
      due: false,
      nextAt: new Date(minutes(5)),
    });
  });

  it("names a round by the entry it follows: the same until an evaluation lands, then another", () => {
    const a = evaluationRound({ ...base, entry: entry({ generation: 1 }) });
    const again = evaluationRound({
      ...base,
      now: new Date(now.getTime() + 3000),
      entry: entry({ generation: 1 }),
    });
    const next = evaluationRound({ ...base, entry: entry({ generation: 1, lastEvaluated: minutes(-1) }) });
    expect(a.due && again.due && a.key === again.key).toBe(true);
    expect(a.due && next.due && a.key !== next.key).toBe(true);
  });
});

describe("aggregateCompliance", () => {
  it.each([
    { entries: [], want: undefined },
    { entries: ["Compliant", "Compliant"], want: "Compliant" },
    { entries: ["Compliant", "Pending"], want: "Pending" },
    { entries: ["Pending", "NonCompliant"], want: "NonCompliant" },
  ] as const)("$entries -> $want", ({ entries, want }) => {
    expect(aggregateCompliance(entries.map((compliant) => ({ compliant })))).toBe(want);
  });
});

describe("templateProblem", () => {
  const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "a" } };
  it("accepts named objects", () => {
    expect(templateProblem([{ complianceType: "musthave", objectDefinition: ns }])).toBeUndefined();
  });
  it("names what an object lacks", () => {
    const p = templateProblem([
      { complianceType: "musthave", objectDefinition: { apiVersion: "v1", kind: "ConfigMap", metadata: {} } },
    ]);
    expect(p).toMatchObject({ reason: "InvalidObjectTemplate" });
    expect(p?.message).toContain("spec.objectTemplates[0].objectDefinition lacks metadata.name");
  });
  it("refuses a 900 KiB ConfigMap with its size and the limit", () => {
    const big = { ...ns, kind: "ConfigMap", data: { blob: "x".repeat(900 * 1024) } };
    const p = templateProblem([{ complianceType: "musthave", objectDefinition: big }]);
    expect(p?.reason).toBe("ObjectTooLarge");
    expect(p?.message).toMatch(/ConfigMap a\) is 901 KiB serialized; at most 256 KiB/);
  });
  it("refuses templates too large together", () => {
    const part = { ...ns, kind: "ConfigMap", data: { blob: "x".repeat(200 * 1024) } };
    const p = templateProblem(
      [1, 2, 3].map(() => ({ complianceType: "musthave" as const, objectDefinition: part })),
    );
    expect(p?.message).toMatch(/in all; at most 512 KiB per policy/);
  });
});

const cd = (name: string, labels: Record<string, string> = {}, status: object = {}): ClusterDeployment =>
  ({
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    metadata: { name, namespace: "team", uid: `uid-${name}`, generation: 1 },
    spec: {
      clusterName: name,
      platform: { simulated: { region: "eu-1" } },
      registration: { clusterSet: "prod", labels },
    },
    status: { powerState: "Running", provisionedAt: minutes(-60), ...status },
  }) as unknown as ClusterDeployment;

const bp = (
  name: string,
  selector: object,
  clusters: PolicyClusterStatus[] = [],
  generation = 1,
): BootstrapPolicy =>
  ({
    apiVersion: "slipway.dev/v1alpha1",
    kind: "BootstrapPolicy",
    metadata: { name, namespace: "team", generation },
    spec: { clusterSelector: selector, objectTemplates: [] },
    status: { clusters },
  }) as unknown as BootstrapPolicy;

describe("selection (like an OCM Placement over the cluster's labels)", () => {
  it("derives the cluster set, platform, region and name labels, and keeps the registration labels", () => {
    expect(clusterLabels(cd("c1", { env: "dev" }))).toMatchObject({
      env: "dev",
      "cluster.open-cluster-management.io/clusterset": "prod",
      "slipway.dev/platform": "simulated",
      "slipway.dev/region": "eu-1",
      name: "c1",
    });
  });
  it("selects by matchLabels and matchExpressions, in its own namespace only", () => {
    const c = cd("c1", { env: "dev" });
    expect(selects(bp("p", { matchLabels: { env: "dev" } }), c)).toBe(true);
    expect(selects(bp("p", { matchLabels: { env: "prod" } }), c)).toBe(false);
    expect(
      selects(
        bp("p", {
          matchExpressions: [{ key: "slipway.dev/platform", operator: "In", values: ["simulated"] }],
        }),
        c,
      ),
    ).toBe(true);
    expect(selects(bp("p", {}), c)).toBe(true);
    const elsewhere = { ...c, metadata: { ...c.metadata, namespace: "other" } } as ClusterDeployment;
    expect(selects(bp("p", {}), elsewhere)).toBe(false);
  });
  it("a spec cannot claim another cluster set through its labels", () => {
    const c = cd("c1", { "cluster.open-cluster-management.io/clusterset": "admin" });
    expect(clusterLabels(c)["cluster.open-cluster-management.io/clusterset"]).toBe("prod");
  });
});

describe("bootstrapVerdict (condition Bootstrapped)", () => {
  const c = cd("c1");
  it("True when no policy selects the cluster, and says so", () => {
    const v = bootstrapVerdict(c, []);
    expect(v).toMatchObject({ status: "True", reason: "NoPoliciesSelect" });
    expect(v.message).toContain("No BootstrapPolicy");
  });
  it("True when every policy reports it Compliant for its current generation", () => {
    const v = bootstrapVerdict(c, [
      bp("a", {}, [entry({ generation: 1 })]),
      bp("b", {}, [entry({ generation: 3 })], 3),
    ]);
    expect(v).toMatchObject({ status: "True", reason: "PoliciesCompliant" });
    expect(v.bootstrap).toMatchObject({ policies: 2, compliantPolicies: 2 });
  });
  it("False with the policy and its message when one is NonCompliant", () => {
    const v = bootstrapVerdict(c, [
      bp("a", {}, [entry({ generation: 1 })]),
      bp("b", {}, [entry({ generation: 1, compliant: "NonCompliant", message: "Namespace x is missing" })]),
    ]);
    expect(v).toMatchObject({ status: "False", reason: "PoliciesNonCompliant" });
    expect(v.message).toContain("b: Namespace x is missing");
    expect(v.bootstrap.waitingFor).toEqual(["b"]);
  });
  it("Unknown while a policy has no verdict for the cluster yet", () => {
    const v = bootstrapVerdict(c, [bp("a", {}, [entry({ compliant: "Pending", lastEvaluated: undefined })])]);
    expect(v).toMatchObject({ status: "Unknown", reason: "AwaitingEvaluation" });
  });
  it("keeps the latest verdict while a new generation of the policy is evaluated", () => {
    const v = bootstrapVerdict(c, [bp("a", {}, [entry({ generation: 1 })], 2)]);
    expect(v).toMatchObject({ status: "True", reason: "PoliciesCompliant" });
  });
  it("counts only verdicts from after the cluster's last resume: resumed, it waits to be compliant again", () => {
    const resumed = (at: string) => cd("c1", {}, { powerState: "Running", lastResumedAt: at });
    const compliantAt = (at: string) => [bp("a", {}, [entry({ generation: 1, lastEvaluated: at })])];
    expect(
      bootstrapVerdict(resumed("2026-06-01T12:00:05.400Z"), compliantAt("2026-06-01T11:00:00Z")),
    ).toMatchObject({
      status: "Unknown",
      reason: "AwaitingEvaluation",
    });
    // Evaluation times have whole seconds: one in the resume's second counts.
    expect(
      bootstrapVerdict(resumed("2026-06-01T12:00:05.400Z"), compliantAt("2026-06-01T12:00:05Z")),
    ).toMatchObject({
      status: "True",
      reason: "PoliciesCompliant",
    });
  });
  it("False while the cluster does not run yet", () => {
    const v = bootstrapVerdict(cd("c1", {}, { powerState: "Provisioning", provisionedAt: undefined }), [
      bp("a", {}),
    ]);
    expect(v).toMatchObject({ status: "False", reason: "ClusterNotRunning" });
  });
});

describe("RateLimiter (evaluations queued per policy per second)", () => {
  it("grants up to the budget in a second, per key, and refills the next second", () => {
    const limiter = new RateLimiter(50);
    const t0 = new Date("2026-06-01T12:00:00.000Z");
    expect(limiter.take("ns/a", 1000, t0)).toBe(50);
    expect(limiter.take("ns/a", 10, new Date(t0.getTime() + 500))).toBe(0);
    expect(limiter.take("ns/b", 10, t0)).toBe(10);
    expect(limiter.take("ns/a", 1000, new Date(t0.getTime() + 1000))).toBe(50);
  });
});
