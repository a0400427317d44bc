/**
 * The generated CRDs against the real kube-apiserver of the shared test hub: they are established, accept
 * every example, refuse bad input at admission with a message that says what to fix, and print their columns.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  applyDefaults,
  crds,
  kindDefinition,
  kinds,
  plurals,
  type ClusterDeploymentStatus,
  type LabelSelector,
  type Kind,
} from "../../../src/api/index.js";
import { repoRoot } from "../../../src/runtime/paths.js";
import { kubectl, newNamespace } from "../../harness/hub.js";
import {
  awsSpec,
  bootstrapPolicy,
  clusterClaim,
  clusterDeployment,
  clusterFailover,
  clusterPool,
  hostedCluster,
  nodePool,
  withFields,
  type Manifest,
} from "../../builders/manifests.js";

const examplesDir = join(repoRoot, "examples");
const exampleFiles = readdirSync(examplesDir).filter((f) => /\.ya?ml$/.test(f));

let ns: string;

beforeAll(async () => {
  ns = await newNamespace("api");
});

afterAll(async () => {
  // Controllers on the hub clean up what the tests created (the scaled pool's clusters, finalizers).
  if (ns) await kubectl(["delete", "namespace", ns, "--wait=false"]);
});

function createDryRun(m: Manifest) {
  return kubectl(["create", "--dry-run=server", "-n", ns, "-o", "name", "-f", "-"], {
    input: JSON.stringify(m),
  });
}

async function create(m: Manifest): Promise<void> {
  const r = await kubectl(["create", "-n", ns, "-o", "name", "-f", "-"], { input: JSON.stringify(m) });
  expect(r.stderr, `creating ${m.kind} ${m.metadata.name}`).toBe("");
  expect(r.code).toBe(0);
}

function patch(kind: Kind, name: string, body: object) {
  return kubectl(["patch", "-n", ns, plurals[kind], name, "--type", "merge", "-p", JSON.stringify(body)]);
}

function refusal(r: { code: number; stdout: string; stderr: string }): string {
  expect(r.code, `expected a refusal, got: ${r.stdout}`).not.toBe(0);
  return r.stderr;
}

describe("CRDs", () => {
  it.each(crds().map((c) => c.metadata.name))("%s is Established with its names accepted", async (name) => {
    const r = await kubectl([
      "get",
      "crd",
      name,
      "-o",
      "jsonpath={.status.conditions[*].type}={.status.conditions[*].status}",
    ]);
    expect(r.stderr).toBe("");
    const [types, statuses] = r.stdout.split("=").map((s) => s.split(" "));
    const status = (type: string) => statuses?.[types?.indexOf(type) ?? -1];
    expect(status("Established")).toBe("True");
    expect(status("NamesAccepted")).toBe("True");
  });

  it("the hub serves the committed schemas", async () => {
    for (const crd of crds()) {
      const r = await kubectl(["get", "crd", crd.metadata.name, "-o", "json"]);
      const served = JSON.parse(r.stdout) as { spec: { versions: { schema: unknown }[] } };
      expect(served.spec.versions[0]?.schema, `${crd.metadata.name}: reinstall charts/slipway/crds`).toEqual(
        crd.spec.versions[0]?.schema,
      );
    }
  });
});

describe("examples", () => {
  it("cover every kind, without namespaces", () => {
    const seen = new Set<string>();
    for (const file of exampleFiles) {
      for (const doc of parseAllDocuments(readFileSync(join(examplesDir, file), "utf8"))) {
        const obj = doc.toJS() as { kind: string; metadata: { namespace?: string } };
        seen.add(obj.kind);
        expect(obj.metadata.namespace, `${file}: no namespace, tests apply it with -n`).toBeUndefined();
      }
    }
    expect([...seen].sort()).toEqual(kinds.map((k) => k.kind).sort());
  });

  it.each(exampleFiles)("%s is accepted by the API server", async (file) => {
    const r = await kubectl(["apply", "--dry-run=server", "-n", ns, "-f", join(examplesDir, file)]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it.each(exampleFiles)("%s is defaulted by the server as applyDefaults() does", async (file) => {
    for (const doc of parseAllDocuments(readFileSync(join(examplesDir, file), "utf8"))) {
      const obj = doc.toJS() as Manifest;
      const r = await kubectl(["create", "--dry-run=server", "-n", ns, "-o", "json", "-f", "-"], {
        input: JSON.stringify(obj),
      });
      expect(r.stderr).toBe("");
      const served = JSON.parse(r.stdout) as Manifest;
      expect(served.spec).toEqual(applyDefaults(kindDefinition(obj.kind).spec.json, obj.spec));
    }
  });
});

interface BadCase {
  name: string;
  manifest: Manifest;
  expected: string;
  /** A second part the message must contain. */
  also?: string;
}

const cd = clusterDeployment();
const pool = clusterPool();
const claim = clusterClaim();
const hc = hostedCluster();
const np = nodePool();
const bp = bootstrapPolicy();
const sa = { kind: "ServiceAccount", name: "ci" };

/**
 * A bad create as a row: its name, the valid manifest it is made from, the fields that make it bad (withFields), the
 * words the refusal must contain, and optionally a second part.
 */
type BadCreateRow = [
  name: string,
  base: Manifest,
  fields: Record<string, unknown>,
  expected: string,
  also?: string,
];

const badCreateCases = (rows: (BadCreateRow | BadCase)[]): BadCase[] =>
  rows.map((row) =>
    Array.isArray(row)
      ? {
          name: row[0],
          manifest: withFields(row[1], row[2]),
          expected: row[3],
          ...(row[4] ? { also: row[4] } : {}),
        }
      : row,
  );

const badCreates: BadCase[] = badCreateCases([
  // ClusterDeployment
  ["CD without platform", cd, { "spec.platform": undefined }, "spec.platform: Required value"],
  [
    "CD with an empty platform",
    cd,
    { "spec.platform": {} },
    "platform must set exactly one of: local, simulated, aws, azure, gcp, vsphere",
  ],
  [
    "CD with two platforms",
    cd,
    { "spec.platform.local": {} },
    "platform must set exactly one of: local, simulated, aws, azure, gcp, vsphere",
  ],
  ["CD without clusterName", cd, { "spec.clusterName": undefined }, "spec.clusterName: Required value"],
  [
    "CD with a clusterName that is no DNS label",
    cd,
    { "spec.clusterName": "Payments_Prod" },
    "spec.clusterName: Invalid value: \"Payments_Prod\": must be lower-case letters, digits and '-', starting and ending with a letter or digit (for example dev-a)",
  ],
  [
    "CD with a 64-character clusterName",
    cd,
    { "spec.clusterName": "a".repeat(64) },
    "spec.clusterName: Too long",
  ],
  [
    "gcp CD with a 41-character clusterName",
    cd,
    {
      "spec.clusterName": "a".repeat(41),
      "spec.platform": { gcp: { region: "europe-west1", credentialsRef: { name: "gcp" } } },
    },
    "clusterName must be at most 40 characters on gcp",
  ],
  [
    "CD with an unknown powerState",
    cd,
    { "spec.powerState": "Sleeping" },
    'spec.powerState: Unsupported value: "Sleeping"',
  ],
  [
    "CD with hibernateAfter in words",
    cd,
    { "spec.hibernateAfter": "8 hours" },
    "must be a duration such as 30m, 8h or 1h30m",
  ],
  [
    "CD with hibernateAfter under a minute",
    cd,
    { "spec.hibernateAfter": "30s" },
    "hibernateAfter must be at least 1m",
  ],
  [
    "CD with a hibernateAfter too large for a duration",
    cd,
    { "spec.hibernateAfter": "99999999999h" },
    "numbers of at most 5 digits",
  ],
  [
    "CD with hibernateAfter forever",
    cd,
    { "spec.hibernateAfter": "forever" },
    "there are no days, write 720h for 30 days",
  ],
  [
    "CD with a schedule of five words",
    cd,
    { "spec.hibernation": { schedules: [{ start: "a b c d e" }] } },
    "for example '0 19 * * MON-FRI' for 19:00 on weekdays",
  ],
  [
    "CD with a schedule in an unknown time zone format",
    cd,
    {
      "spec.hibernation": { schedules: [{ start: "0 19 * * *", location: "Berlin time" }] },
    },
    "must be an IANA time zone name (for example UTC, Europe/Berlin or America/New_York)",
  ],
  [
    "CD with a registration label key that is no label key",
    cd,
    { "spec.registration": { labels: { "bad key!": "x" } } },
    "label keys must be a name of at most 63 letters, digits",
  ],
  [
    "CD with a hibernation schedule without start or end",
    cd,
    { "spec.hibernation": { schedules: [{ location: "Europe/Berlin" }] } },
    "a hibernation schedule needs start, end or both",
  ],
  [
    "CD with a schedule whose minute is out of range",
    cd,
    { "spec.hibernation": { schedules: [{ start: "61 19 * * *" }] } },
    "minute (0-59) hour (0-23) day-of-month (1-31)",
  ],
  [
    "CD with a schedule of five made-up words",
    cd,
    { "spec.hibernation": { schedules: [{ end: "xyz xyz xyz xyz xyz" }] } },
    "for example '0 19 * * MON-FRI' for 19:00 on weekdays",
  ],
  [
    "CD with a six-field schedule (seconds)",
    cd,
    { "spec.hibernation": { schedules: [{ start: "0 0 19 * * *" }] } },
    "must be a five-field cron expression",
  ],
  [
    "CD with a schedule that is no cron expression",
    cd,
    { "spec.hibernation": { schedules: [{ start: "every night" }] } },
    "must be a five-field cron expression: minute (0-59) hour (0-23) day-of-month (1-31)",
  ],
  // Schedules that would strand a cluster (issue 15): what CEL sees in the text.
  [
    "CD with a hibernation window whose start and end are the same",
    cd,
    {
      "spec.hibernation": {
        schedules: [{ start: "0 8 * * *", end: "0 8 * * *", location: "Europe/Berlin" }],
      },
    },
    "start and end are the same time, and a start and an end at the same moment hibernate",
  ],
  [
    "CD with the same hibernation schedule twice",
    cd,
    {
      "spec.hibernation": {
        schedules: [
          { start: "0 19 * * *", end: "0 7 * * *" },
          { start: "0 19 * * *", end: "0 7 * * *", location: "UTC" },
        ],
      },
    },
    "two hibernation schedules are the same (same start, end and location): remove the duplicate",
  ],
  [
    "pool whose template has a hibernation window whose start and end are the same",
    pool,
    {
      "spec.template.hibernation": { schedules: [{ start: "0 8 * * *", end: "0 8 * * *" }] },
    },
    "the cluster would sleep and never wake",
  ],
  // Version numbers out of range (issue 15): the rule's words, never a CEL conversion error.
  ...[
    ["CD", withFields(cd, { "spec.platform.aws.version": "1.99999999999999999999" })],
    ["CD (major)", withFields(cd, { "spec.platform.aws.version": "99999999999999999999.1" })],
    ["hosted cluster", withFields(hc, { "spec.release.version": "1.99999999999999999999.1" })],
    ["node pool", withFields(np, { "spec.release": { version: "1.99999999999999999999" } })],
  ].map(([what, manifest]) => ({
    name: `${what as string} with a version number out of range`,
    manifest: manifest as Manifest,
    expected: "major and minor of at most 4 digits",
  })),
  [
    "azure CD with no node pools",
    cd,
    {
      "spec.platform": { azure: { region: "westeurope", credentialsRef: { name: "az" }, nodePools: [] } },
    },
    "spec.platform.azure.nodePools in body should have at least 1 items",
  ],
  [
    "aws CD without credentialsRef",
    cd,
    { "spec.platform.aws.credentialsRef": undefined },
    "spec.platform.aws.credentialsRef: Required value",
  ],
  [
    "aws CD with a region that is no AWS region",
    cd,
    { "spec.platform.aws.region": "Europe" },
    "must be an AWS region: two letters, a direction and a number (for example eu-west-1 or us-gov-west-1)",
  ],
  [
    "CD with a v-prefixed version",
    cd,
    { "spec.platform.aws.version": "v1.33" },
    "must be a Kubernetes version major.minor or major.minor.patch without a leading v (for example 1.36 or 1.36.3)",
  ],
  [
    "aws CD with two node pools of the same name",
    cd,
    { "spec.platform.aws.nodePools": [{ name: "workers" }, { name: "workers" }] },
    "Duplicate value",
  ],
  [
    "azure CD with a node pool name AKS refuses",
    cd,
    {
      "spec.platform": {
        azure: { region: "westeurope", credentialsRef: { name: "az" }, nodePools: [{ name: "Workers-1" }] },
      },
    },
    "must be an AKS node pool name: a lower-case letter, then up to 11 lower-case letters or digits",
  ],
  [
    "simulated CD with jitter over 100%",
    cd,
    { "spec.platform": { simulated: { jitterPercent: 150 } } },
    "spec.platform.simulated.jitterPercent: Invalid value: 150: spec.platform.simulated.jitterPercent in body should be less than or equal to 100",
  ],
  [
    "vsphere CD with 2 control plane VMs",
    cd,
    {
      "spec.platform": {
        vsphere: {
          vCenter: "vc",
          datacenter: "DC0",
          cluster: "C0",
          defaultDatastore: "DS0",
          network: "VM Network",
          template: "tpl",
          credentialsRef: { name: "vs" },
          controlPlane: { replicas: 2 },
        },
      },
    },
    "controlPlane.replicas must be 1 or 3",
  ],
  [
    "CD with an invalid registration label value",
    cd,
    { "spec.registration": { labels: { env: "not a label!" } } },
    "must be a label value: empty, or letters, digits",
  ],
  // ClusterPool
  ["pool without size", pool, { "spec.size": undefined }, "spec.size: Required value"],
  [
    "pool with maxSize below size",
    pool,
    { "spec.size": 5, "spec.maxSize": 3 },
    "maxSize must be greater than or equal to size",
  ],
  [
    "pool with runningCount above size",
    pool,
    { "spec.size": 2, "spec.runningCount": 3 },
    "runningCount must not exceed size",
  ],
  [
    "pool with a negative size",
    pool,
    { "spec.size": -1 },
    "spec.size in body should be greater than or equal to 0",
  ],
  [
    "pool whose default claim lifetime exceeds the maximum",
    pool,
    { "spec.claimLifetime": { default: "48h", maximum: "24h" } },
    "claimLifetime.default must not be longer than claimLifetime.maximum",
  ],
  [
    "pool with a claim lifetime maximum over 30 days",
    pool,
    { "spec.claimLifetime": { maximum: "1000h" } },
    "claimLifetime.maximum must be at most 720h (30 days)",
  ],
  [
    "pool whose template names two platforms",
    pool,
    { "spec.template.platform.simulated": {} },
    "platform must set exactly one of",
  ],
  [
    "pool with a name too long for its clusters' names",
    pool,
    { "metadata.name": "p".repeat(58) },
    "ClusterPool names are at most 57 characters",
  ],
  [
    "gcp pool with a name too long for GKE",
    pool,
    {
      "metadata.name": "p".repeat(35),
      "spec.template.platform": { gcp: { region: "europe-west1", credentialsRef: { name: "gcp" } } },
    },
    "a gcp ClusterPool name is at most 34 characters",
  ],
  // ClusterClaim
  [
    "claim without clusterPoolName",
    claim,
    { "spec.clusterPoolName": undefined },
    "spec.clusterPoolName: Required value",
  ],
  [
    "claim with a lifetime in words",
    claim,
    { "spec.lifetime": "4 hours" },
    'spec.lifetime: Invalid value: "4 hours": must be a duration such as 30m, 8h or 1h30m',
  ],
  [
    "claim with a lifetime of 99999999999h",
    claim,
    { "spec.lifetime": "99999999999h" },
    "numbers of at most 5 digits",
  ],
  [
    "pool with a claim lifetime default of forever",
    pool,
    { "spec.claimLifetime": { default: "forever", maximum: "24h" } },
    'spec.claimLifetime.default: Invalid value: "forever": must be a duration such as 30m',
  ],
  ["claim with a 10s lifetime", claim, { "spec.lifetime": "10s" }, "lifetime must be at least 1m"],
  [
    "claim with a lifetime over 30 days",
    claim,
    { "spec.lifetime": "721h" },
    "lifetime must be at most 720h (30 days)",
  ],
  [
    "claim with a ServiceAccount subject without namespace",
    claim,
    { "spec.subjects": [sa] },
    "a ServiceAccount subject needs a namespace",
  ],
  [
    "claim with an unknown subject kind",
    claim,
    { "spec.subjects": [{ kind: "Robot", name: "r2" }] },
    'spec.subjects[0].kind: Unsupported value: "Robot"',
  ],
  // HostedCluster
  [
    "hosted cluster without a release version",
    hc,
    { "spec.release": {} },
    "spec.release.version: Required value",
  ],
  [
    "hosted cluster with two platforms",
    hc,
    { "spec.platform.local": {} },
    "platform must set exactly one of",
  ],
  [
    "hosted cluster with an unknown availability policy",
    hc,
    { "spec.controllerAvailabilityPolicy": "Triple" },
    'Unsupported value: "Triple"',
  ],
  // NodePool
  [
    "node pool with replicas and autoScaling",
    np,
    { "spec.autoScaling": { min: 1, max: 3 } },
    "replicas and autoScaling are mutually exclusive",
  ],
  [
    "node pool with neither replicas nor autoScaling",
    np,
    { "spec.replicas": undefined },
    "set replicas (a fixed size) or autoScaling (min and max)",
  ],
  [
    "node pool with autoScaling min above max",
    np,
    { "spec.replicas": undefined, "spec.autoScaling": { min: 5, max: 2 } },
    "autoScaling.min must be less than or equal to autoScaling.max",
  ],
  [
    "node pool with an unknown upgradeType",
    np,
    { "spec.management": { upgradeType: "Rolling" } },
    'spec.management.upgradeType: Unsupported value: "Rolling"',
  ],
  [
    "node pool whose upgrades could never progress",
    np,
    { "spec.management": { maxUnavailable: 0, maxSurge: 0 } },
    "maxUnavailable and maxSurge cannot both be 0",
  ],
  ["node pool without platform machines", np, { "spec.platform": {} }, "platform must set exactly one of"],
  // BootstrapPolicy
  [
    "policy with an unknown remediationAction",
    bp,
    { "spec.remediationAction": "fix" },
    'spec.remediationAction: Unsupported value: "fix"',
  ],
  [
    "policy with an unknown severity",
    bp,
    { "spec.severity": "urgent" },
    'spec.severity: Unsupported value: "urgent"',
  ],
  [
    "policy with an unknown complianceType",
    bp,
    { "spec.objectTemplates.0.complianceType": "shouldhave" },
    'spec.objectTemplates[0].complianceType: Unsupported value: "shouldhave"',
  ],
  [
    "policy whose object has no kind",
    bp,
    { "spec.objectTemplates.0.objectDefinition.kind": undefined },
    "spec.objectTemplates[0].objectDefinition.kind: Required value",
  ],
  [
    "policy whose object has no metadata.name",
    bp,
    { "spec.objectTemplates.0.objectDefinition.metadata": { labels: { a: "b" } } },
    "objectDefinition must have metadata.name, the name of the object on each cluster",
  ],
  [
    "policy whose object has no metadata at all",
    bp,
    { "spec.objectTemplates.0.objectDefinition.metadata": undefined },
    "objectDefinition must have metadata.name",
  ],
  [
    "policy without object templates",
    bp,
    { "spec.objectTemplates": [] },
    "spec.objectTemplates: Invalid value: 0: spec.objectTemplates in body should have at least 1 items",
  ],
  [
    "policy with an In selector without values",
    bp,
    {
      "spec.clusterSelector": { matchExpressions: [{ key: "env", operator: "In" }] },
    },
    "operators In and NotIn need values",
  ],
  // ClusterFailover whose standby and primary name the same clusters (issue 15)
  {
    name: "failover whose standby and primary are the same pool",
    manifest: clusterFailover("same-pool", { standby: { poolName: "dr" }, primary: { poolName: "dr" } }),
    expected: "standby and primary name the same pool: the failover would hibernate the clusters it resumes",
  },
  ...(
    [
      ["the same selector", { matchLabels: { site: "b" } }, undefined],
      [
        "a primary selector every standby cluster matches",
        { matchLabels: { app: "shop" } },
        { app: "shop", site: "b" },
      ],
      ["an empty primary selector", {}, { site: "b" }],
    ] as [string, LabelSelector, Record<string, string> | undefined][]
  ).map(([what, primary, standby]) => ({
    name: `failover with ${what}`,
    manifest: clusterFailover("same-selector", {
      standby: { selector: standby ? { matchLabels: standby } : primary },
      primary: { selector: primary },
    }),
    expected: "every cluster one of standby.selector and primary.selector matches, the other matches too",
  })),
  // BootstrapPolicy: enforce may not delete or rewrite what the cluster or its hub registration needs
  ...(
    [
      ["mustnothave", "v1", "Namespace", "kube-system", undefined, "Namespace kube-system, kube-public"],
      ["mustonlyhave", "v1", "Namespace", "default", undefined, "Namespace kube-system, kube-public"],
      [
        "mustnothave",
        "v1",
        "Namespace",
        "open-cluster-management-agent",
        undefined,
        "without it the cluster leaves the hub",
      ],
      ["mustnothave", "v1", "ConfigMap", "coredns", "kube-system", "any object in namespace kube-system"],
      [
        "mustonlyhave",
        "v1",
        "Secret",
        "bootstrap-hub-kubeconfig",
        "open-cluster-management-agent",
        "any object in namespace",
      ],
      [
        "mustnothave",
        "v1",
        "Service",
        "kubernetes",
        undefined,
        "Service, Endpoints or EndpointSlice kubernetes in namespace default",
      ],
      [
        "mustnothave",
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "clusterclaims.cluster.open-cluster-management.io",
        undefined,
        "CustomResourceDefinition *.open-cluster-management.io",
      ],
      [
        "mustnothave",
        "operator.open-cluster-management.io/v1",
        "Klusterlet",
        "klusterlet",
        undefined,
        "any Klusterlet",
      ],
      [
        "mustnothave",
        "work.open-cluster-management.io/v1",
        "AppliedManifestWork",
        "x",
        undefined,
        "any AppliedManifestWork",
      ],
      [
        "mustnothave",
        "cluster.open-cluster-management.io/v1alpha1",
        "ClusterClaim",
        "id.k8s.io",
        undefined,
        "ClusterClaim id.k8s.io",
      ],
      [
        "mustnothave",
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
        "system:kube-scheduler",
        undefined,
        "ClusterRole or ClusterRoleBinding system:*",
      ],
      [
        "mustonlyhave",
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        "cluster-admin",
        undefined,
        "cluster-admin, admin, edit or view",
      ],
      [
        "mustnothave",
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        "open-cluster-management:klusterlet-work:agent",
        undefined,
        "OCM's agents and the klusterlet operator",
      ],
      [
        "mustnothave",
        "scheduling.k8s.io/v1",
        "PriorityClass",
        "system-node-critical",
        undefined,
        "PriorityClass system-*",
      ],
    ] as const
  ).map(([complianceType, apiVersion, kind, name, namespace, says]) => ({
    name: `enforce ${complianceType} of protected ${kind} ${namespace ? `${namespace}/` : ""}${name}`,
    manifest: withFields(bp, {
      "spec.remediationAction": "enforce",
      "spec.objectTemplates.1": {
        complianceType,
        objectDefinition: { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } },
      },
    }),
    expected: `spec.objectTemplates: Invalid value: enforce may not delete (mustnothave) or rewrite (mustonlyhave) `,
    also: says,
  })),
  [
    "policy with a rollout of 0 clusters at once",
    bp,
    { "spec.rollout": { maxConcurrent: 0 } },
    "spec.rollout.maxConcurrent: Invalid value: 0: must be a number of clusters from 1 to 100000 or a percentage",
  ],
  [
    "policy with a rollout of 150%",
    bp,
    { "spec.rollout": { maxConcurrent: "150%" } },
    "from 1% to 100% (for example 1 or 10%)",
  ],
]);

describe("admission refuses bad manifests", () => {
  it("accepts the valid bases the bad cases are made from", async () => {
    for (const m of [cd, pool, claim, hc, np, bp]) {
      const r = await createDryRun(m);
      expect(r.stderr, `${m.kind} base`).toBe("");
    }
  });

  it("lets a policy add to a protected object, report on it, and delete or rewrite objects of its own", async () => {
    const kubeSystem = { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } };
    for (const [remediationAction, complianceType, objectDefinition] of [
      ["inform", "mustnothave", kubeSystem],
      [
        "enforce",
        "musthave",
        { ...kubeSystem, metadata: { name: "kube-system", labels: { owner: "platform" } } },
      ],
      [
        "enforce",
        "musthave",
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "kube-system" } },
      ],
      ["enforce", "mustnothave", { apiVersion: "v1", kind: "Namespace", metadata: { name: "legacy-tools" } }],
      [
        "enforce",
        "mustonlyhave",
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "team-a" } },
      ],
      [
        "enforce",
        "mustnothave",
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRole",
          metadata: { name: "legacy:reader" },
        },
      ],
    ] as const) {
      const m = withFields(bp, {
        "spec.remediationAction": remediationAction,
        "spec.objectTemplates.0": { complianceType, objectDefinition },
        "spec.rollout": { maxConcurrent: "10%" },
      });
      const r = await createDryRun(m);
      expect(r.stderr, `${remediationAction} ${complianceType} ${JSON.stringify(objectDefinition)}`).toBe("");
    }
  });

  it.each(badCreates)("$name", async ({ manifest, expected, also }) => {
    const message = refusal(await createDryRun(manifest));
    expect(message).toContain(expected);
    if (also) expect(message).toContain(also);
    // A person never sees how a rule failed to evaluate: only what to change.
    expect(message).not.toMatch(
      /evaluation error|evaluating rule|no such overload|type conversion|overflow|out of bounds/i,
    );
    // ... and what is allowed in words, never only a regular expression.
    expect(message).not.toMatch(/should match '/);
  });
});

interface BadUpdate {
  name: string;
  base: Manifest;
  patch: object;
  expected: string;
}

const gcpCD = withFields(cd, {
  "spec.clusterName": "ml",
  "spec.platform": { gcp: { region: "europe-west1", version: "1.33", credentialsRef: { name: "gcp" } } },
});
const pooledCD = withFields(cd, {
  "spec.clusterPoolRef": { namespace: "pools", poolName: "dev", claimName: "alice" },
});
const vsphereCD = withFields(cd, {
  "spec.platform": {
    vsphere: {
      vCenter: "vc1",
      datacenter: "DC0",
      cluster: "C0",
      defaultDatastore: "DS0",
      network: "VM Network",
      template: "tpl",
      credentialsRef: { name: "vs" },
    },
  },
});
const simulatedCD = withFields(cd, { "spec.platform": { simulated: { region: "eu-dr-a" } } });
const azureCD = withFields(cd, {
  "spec.platform": { azure: { region: "westeurope", credentialsRef: { name: "az" } } },
});
/** Management mode (Kamaji): the control plane on a management cluster, reached at endpointHost. */
const managedHC = withFields(hc, {
  "spec.platform": {
    kubernetes: {
      credentialsRef: { name: "management" },
      imageRepository: "mirror.example.com/k8s",
      endpointHost: "api.tenant-a.example.com",
    },
  },
  "spec.dns": { baseDomain: "clusters.example.com" },
});

/** A bad update as a row: its name, the valid object it patches, the merge patch, the words of the refusal. */
type BadUpdateRow = [name: string, base: Manifest, patch: object, expected: string];

const badUpdates: BadUpdate[] = (
  [
    [
      "CD moved from gcp to aws",
      gcpCD,
      { spec: { platform: { gcp: null, aws: awsSpec().platform.aws } } },
      "platform kind is immutable",
    ],
    [
      "CD moved to another aws region",
      cd,
      { spec: { platform: { aws: { region: "us-east-1" } } } },
      "region is immutable",
    ],
    [
      "simulated CD moved to another region",
      simulatedCD,
      { spec: { platform: { simulated: { region: "us-dr-b" } } } },
      "region is immutable",
    ],
    [
      "vsphere CD moved to another vCenter",
      vsphereCD,
      { spec: { platform: { vsphere: { vCenter: "vc2" } } } },
      "vCenter is immutable",
    ],
    ["CD renamed", cd, { spec: { clusterName: "payments-2" } }, "clusterName is immutable"],
    [
      "CD downgraded",
      cd,
      { spec: { platform: { aws: { version: "1.32" } } } },
      "version cannot be downgraded",
    ],
    [
      "CD upgraded two minor versions at once",
      cd,
      { spec: { platform: { aws: { version: "1.35" } } } },
      "upgrade one minor version at a time",
    ],
    [
      "CD upgraded to a version number out of range",
      cd,
      { spec: { platform: { aws: { version: "1.99999999999999999999" } } } },
      "major and minor of at most 4 digits",
    ],
    [
      "CD adopted into a pool after creation",
      cd,
      { spec: { clusterPoolRef: { namespace: "pools", poolName: "dev" } } },
      "clusterPoolRef is set by a ClusterPool when it creates the cluster",
    ],
    [
      "pool CD given to another claim",
      pooledCD,
      { spec: { clusterPoolRef: { claimName: "bob" } } },
      "clusterPoolRef.claimName cannot change once set",
    ],
    [
      "pool CD moved to another pool",
      pooledCD,
      { spec: { clusterPoolRef: { poolName: "other" } } },
      "clusterPoolRef.poolName is immutable",
    ],
    [
      "claim moved to another pool",
      claim,
      { spec: { clusterPoolName: "other" } },
      "clusterPoolName is immutable",
    ],
    [
      "hosted cluster downgraded",
      hc,
      { spec: { release: { version: "1.34" } } },
      "version cannot be downgraded",
    ],
    [
      "hosted cluster moved to another platform",
      hc,
      { spec: { platform: { simulated: null, local: {} } } },
      "platform kind is immutable",
    ],
    [
      "hosted cluster service network changed",
      hc,
      { spec: { networking: { serviceNetwork: [{ cidr: "172.30.0.0/16" }] } } },
      "networking.serviceNetwork is immutable",
    ],
    // What names where a cluster lives or how its network is built cannot change in place (issue 19's class).
    [
      "aws CD given another VPC CIDR",
      cd,
      { spec: { platform: { aws: { vpcCIDR: "10.1.0.0/16" } } } },
      "vpcCIDR is immutable: a new value means a new cluster",
    ],
    [
      "azure CD moved into an existing resource group",
      azureCD,
      { spec: { platform: { azure: { resourceGroupName: "rg-payments" } } } },
      "resourceGroupName cannot be added or removed once the cluster exists",
    ],
    [
      "azure CD given another subnet",
      azureCD,
      { spec: { platform: { azure: { subnetCIDR: "10.225.0.0/16" } } } },
      "subnetCIDR is immutable",
    ],
    [
      "gcp CD given another pod range",
      gcpCD,
      { spec: { platform: { gcp: { podsCIDR: "10.16.0.0/14" } } } },
      "podsCIDR is immutable",
    ],
    [
      "gcp CD moved into an existing VPC network",
      gcpCD,
      { spec: { platform: { gcp: { network: "shared-vpc" } } } },
      "projectID and network cannot be added or removed once the cluster exists",
    ],
    [
      "hosted cluster in management mode given another endpoint host",
      managedHC,
      { spec: { platform: { kubernetes: { endpointHost: "api.other.example.com" } } } },
      "endpointHost is immutable: the API server's certificate and every kubeconfig handed out name it",
    ],
    [
      "hosted cluster in management mode losing its endpoint host",
      managedHC,
      { spec: { platform: { kubernetes: { endpointHost: null } } } },
      "endpointHost cannot be added or removed once the cluster exists",
    ],
    [
      "hosted cluster given another base domain",
      managedHC,
      { spec: { dns: { baseDomain: "other.example.com" } } },
      "dns.baseDomain is immutable: the cluster's DNS names are made from it",
    ],
    [
      "hosted cluster given a base domain after creation",
      hc,
      { spec: { dns: { baseDomain: "clusters.example.com" } } },
      "dns.baseDomain cannot be added or removed once the HostedCluster exists",
    ],
    [
      "node pool moved to another cluster",
      np,
      { spec: { clusterName: "other" } },
      "clusterName is immutable",
    ],
    [
      "node pool upgrade type changed",
      np,
      { spec: { management: { upgradeType: "InPlace" } } },
      "management.upgradeType is immutable",
    ],
    [
      "node pool given autoScaling while it has replicas",
      np,
      { spec: { autoScaling: { min: 1, max: 4 } } },
      "replicas and autoScaling are mutually exclusive",
    ],
  ] satisfies BadUpdateRow[]
).map(([name, base, patch, expected]) => ({ name, base, patch, expected }));

describe("admission refuses bad updates", () => {
  it.each(badUpdates.map((c, i) => ({ ...c, objectName: `update-${i}` })))(
    "$name",
    async ({ base, patch: body, expected, objectName }) => {
      await create(withFields(base, { "metadata.name": objectName }));
      const message = refusal(await patch(base.kind, objectName, body));
      expect(message).toContain(expected);
      expect(message).not.toMatch(
        /evaluation error|evaluating rule|no such overload|type conversion|overflow|out of bounds/i,
      );
    },
  );
});

describe("admission accepts good updates", () => {
  it("upgrades a ClusterDeployment one minor version and hibernates it", async () => {
    await create(withFields(cd, { "metadata.name": "good-cd" }));
    const r = await patch("ClusterDeployment", "good-cd", {
      spec: { powerState: "Hibernating", platform: { aws: { version: "1.34.2" } } },
    });
    expect(r.stderr).toBe("");
  });

  it("changes a pool template's network: only clusters made from now on get it", async () => {
    await create(
      withFields(pool, {
        "metadata.name": "cidr-pool",
        "spec.template.platform": { aws: awsSpec().platform.aws },
      }),
    );
    const r = await patch("ClusterPool", "cidr-pool", {
      spec: { template: { platform: { aws: { vpcCIDR: "10.1.0.0/16" } } } },
    });
    expect(r.stderr).toBe("");
  });

  it("scales a ClusterPool through the scale subresource, not below its runningCount", async () => {
    await create(
      withFields(pool, {
        "metadata.name": "scaled-pool",
        "spec.size": 1,
        "spec.template.platform": { simulated: {} },
      }),
    );
    const up = await kubectl(["scale", "-n", ns, "clusterpool/scaled-pool", "--replicas=3"]);
    expect(up.stderr).toBe("");
    const size = await kubectl(["get", "-n", ns, "clusterpool/scaled-pool", "-o", "jsonpath={.spec.size}"]);
    expect(size.stdout).toBe("3");
    const down = await kubectl(["scale", "-n", ns, "clusterpool/scaled-pool", "--replicas=0"]);
    expect(refusal(down)).toContain("runningCount must not exceed size");
  });

  it("scales a NodePool with fixed replicas, and refuses to scale an autoscaled one", async () => {
    await create(withFields(np, { "metadata.name": "scaled-np" }));
    const r = await kubectl(["scale", "-n", ns, "nodepool/scaled-np", "--replicas=5"]);
    expect(r.stderr).toBe("");
    await create(
      withFields(np, {
        "metadata.name": "auto-np",
        "spec.replicas": undefined,
        "spec.autoScaling": { min: 1, max: 3 },
      }),
    );
    const auto = await kubectl(["scale", "-n", ns, "nodepool/auto-np", "--replicas=5"]);
    expect(refusal(auto)).toContain("replicas and autoScaling are mutually exclusive");
  });

  it("fills in defaults", async () => {
    await create(withFields(cd, { "metadata.name": "defaults-cd" }));
    const r = await kubectl(["get", "-n", ns, "clusterdeployment/defaults-cd", "-o", "json"]);
    const spec = (JSON.parse(r.stdout) as Manifest).spec;
    expect(spec).toMatchObject({
      powerState: "Running",
      preserveOnDelete: false,
      registration: { clusterSet: "default" },
      platform: {
        aws: {
          vpcCIDR: "10.0.0.0/16",
          nodePools: [{ name: "workers", replicas: 2, instanceType: "m6i.large" }],
        },
      },
    });
  });
});

describe("kubectl get", () => {
  const samples: Manifest[] = [
    withFields(cd, { "metadata.name": "printed" }),
    withFields(pool, { "metadata.name": "printed", "spec.size": 0, "spec.runningCount": 0 }),
    withFields(claim, { "metadata.name": "printed" }),
    withFields(hc, { "metadata.name": "printed" }),
    withFields(np, { "metadata.name": "printed" }),
    withFields(bp, { "metadata.name": "printed" }),
    {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterFailover",
      metadata: { name: "printed" },
      spec: { standby: { poolName: "standby" }, maxConcurrent: 5 },
    } as Manifest,
  ];

  it.each(kinds.map((k) => ({ kind: k.kind as Kind, def: k })))(
    "$kind shows its printer columns",
    async ({ kind, def }) => {
      const sample = samples.find((m) => m.kind === kind)!;
      await create(sample);
      for (const wide of [false, true]) {
        const r = await kubectl(["get", "-n", ns, plurals[kind], ...(wide ? ["-o", "wide"] : [])]);
        expect(r.stderr).toBe("");
        const header = r.stdout.split("\n")[0]!;
        const columns = def.printerColumns
          .filter((c) => wide || !c.priority)
          .map((c) => c.name.toUpperCase());
        expect(header.split(/\s{2,}/)).toEqual(["NAME", ...columns]);
      }
      const short = await kubectl(["get", "-n", ns, def.shortNames[0]!]);
      expect(short.stdout).toContain("printed");
    },
  );

  it("prints the status a controller writes", async () => {
    await create(withFields(cd, { "metadata.name": "with-status" }));
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const status = {
      platform: "aws",
      region: "eu-west-1",
      version: "1.33.4",
      powerState: "Running",
      apiURL: "https://payments.example:443",
      infraID: "payments-x7k2q",
      adminKubeconfigSecretRef: { name: "payments-admin-kubeconfig" },
      observedGeneration: 1,
      provisionedAt: now,
      stack: {
        type: "up",
        jobId: "cd-ns-payments-up-1",
        generation: 1,
        startedAt: now,
        finishedAt: now,
        result: "Succeeded",
        progress: { resourcesDone: 12, resourcesTotal: 12, percent: 100, currentStep: "done" },
      },
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Ready",
          message: "Cluster is ready",
          lastTransitionTime: now,
          observedGeneration: 1,
        },
        {
          type: "Reconciling",
          status: "False",
          reason: "Done",
          message: "Nothing to do",
          lastTransitionTime: now,
        },
      ],
    } satisfies ClusterDeploymentStatus;
    const r = await kubectl([
      "patch",
      "-n",
      ns,
      "clusterdeployment/with-status",
      "--subresource=status",
      "--type",
      "merge",
      "-p",
      JSON.stringify({ status }),
    ]);
    expect(r.stderr).toBe("");
    const row = await kubectl([
      "get",
      "-n",
      ns,
      "clusterdeployment/with-status",
      "-o",
      "wide",
      "--no-headers",
    ]);
    expect(row.stdout.split(/\s+/).slice(0, 10)).toEqual([
      "with-status",
      "aws",
      "eu-west-1",
      "1.33.4",
      "Running",
      "True",
      "up",
      "100",
      "https://payments.example:443",
      "payments-x7k2q",
    ]);
  });

  it("refuses a status with an unknown power state", async () => {
    await create(withFields(cd, { "metadata.name": "bad-status" }));
    const r = await kubectl([
      "patch",
      "-n",
      ns,
      "clusterdeployment/bad-status",
      "--subresource=status",
      "--type",
      "merge",
      "-p",
      JSON.stringify({ status: { powerState: "Asleep" } }),
    ]);
    expect(refusal(r)).toContain('status.powerState: Unsupported value: "Asleep"');
  });

  it("lists every kind in the slipway category", async () => {
    const r = await kubectl(["get", "slipway", "-n", ns, "-o", "name"]);
    for (const k of kinds) expect(r.stdout).toContain(`${k.kind.toLowerCase()}.slipway.dev/printed`);
  });
});
