/**
 * The Helm chart (charts/slipway) through the real Helm and the test hub's kube-apiserver: `helm lint --strict`
 * and `helm template` over each values file in chart-values/, every rendered object accepted by a server-side
 * dry-run with strict field validation, bad values refused by values.schema.json in words, and the properties a
 * platform team relies on (leader election, grace periods, least privilege, non-root, probes).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Metrics } from "../../../src/runtime/metrics.js";
import { rbacRules, ruleResources } from "../../../src/runtime/rbac.js";
import type { KubeObject } from "../../../src/runtime/resource.js";
import { chartDir, helm, renderChart } from "../../harness/chart.js";
import { kubectl, kubectlOk, newNamespace } from "../../harness/hub.js";

const valuesDir = join(import.meta.dirname, "chart-values");
const valuesFiles = readdirSync(valuesDir).filter((f) => f.endsWith(".yaml"));
const monitoringCrds = readFileSync(join(import.meta.dirname, "monitoring-crds.yaml"), "utf8");

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type Container = {
  name: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  securityContext?: Record<string, unknown>;
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
};
type PodSpecOf = KubeObject & {
  spec: {
    replicas: number;
    template: {
      spec: {
        serviceAccountName: string;
        terminationGracePeriodSeconds?: number;
        securityContext: Record<string, unknown>;
        containers: Container[];
      };
    };
  };
};

const byKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: KubeObject[], kind: string, suffix: string) =>
  objects.find((o) => o.kind === kind && o.metadata!.name!.endsWith(suffix)) as PodSpecOf;
const envOf = (c: Container) =>
  Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));

function templateError(values: Record<string, string>): string {
  const args = ["template", "bad", chartDir];
  for (const [k, v] of Object.entries(values)) args.push("--set-json", `${k}=${v}`);
  try {
    helm(args);
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
  throw new Error(`helm template accepted ${JSON.stringify(values)}`);
}

describe("the Helm chart", () => {
  let release: string;
  let watched: string;

  beforeAll(async () => {
    release = await newNamespace("chart");
    watched = await newNamespace("chart-watched");
    await kubectlOk(["apply", "-f", "-"], { input: monitoringCrds });
    await kubectlOk([
      "wait",
      "--for=condition=Established",
      "crd/prometheusrules.monitoring.coreos.com",
      "crd/servicemonitors.monitoring.coreos.com",
    ]);
  });

  afterAll(async () => {
    await kubectl(["delete", "namespace", release, watched, "--wait=false"]);
  });

  const render = (file: string) =>
    renderChart({
      release: "slipway",
      namespace: release,
      valuesFiles: [join(valuesDir, file)],
      values: file.includes("namespaced") ? { watchNamespaces: [watched] } : {},
    });

  it.each(valuesFiles)("%s: helm lint --strict passes", (file) => {
    expect(helm(["lint", "--strict", chartDir, "--values", join(valuesDir, file)])).toMatch(
      /1 chart\(s\) linted, 0 chart\(s\) failed/,
    );
  });

  it.each(valuesFiles)(
    "%s: every rendered object is accepted by the hub's server-side dry-run, strictly",
    async (file) => {
      const objects = render(file);
      expect(objects.length).toBeGreaterThan(10);
      const result = await kubectl(["apply", "--dry-run=server", "--validate=strict", "-f", "-"], {
        input: objects.map((o) => JSON.stringify(o)).join("\n"),
      });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout.trim().split("\n")).toHaveLength(objects.length);
    },
  );

  it("runs two leader-elected controllers and workers that hand their runs back within their grace period", () => {
    const objects = render("minimal.yaml");
    const controller = named(objects, "Deployment", "-controller");
    const worker = named(objects, "Deployment", "-worker");
    expect(controller.spec.replicas).toBe(2);
    expect(envOf(controller.spec.template.spec.containers[0]!)).toMatchObject({
      SLIPWAY_LEADER_ELECTION: "true",
      SLIPWAY_LEASE_NAME: "slipway-controller",
    });
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBe(60);
    expect(envOf(worker.spec.template.spec.containers[0]!)).toMatchObject({
      SLIPWAY_WORKER_CONCURRENCY: "4",
      SLIPWAY_PULUMI_BACKEND_URL: "s3://fleet-state?region=eu-west-1",
      SLIPWAY_PULUMI_SECRETS_PROVIDER: "passphrase",
      SLIPWAY_PULUMI_PASSPHRASE: { secretKeyRef: { name: "slipway-pulumi", key: "passphrase" } },
      REDIS_URL: "redis://redis.slipway-system:6379/0",
    });
    for (const deployment of [controller, worker]) {
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(pod.containers[0]!.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      });
      expect(pod.containers[0]!.livenessProbe?.httpGet?.path).toBe("/healthz");
      expect(pod.containers[0]!.readinessProbe?.httpGet?.path).toBe("/readyz");
      expect(pod.containers[0]!.resources?.requests).toBeDefined();
    }
    expect(byKind(objects, "PodDisruptionBudget").map((o) => o.metadata!.name)).toEqual([
      "slipway-controller",
      "slipway-worker",
    ]);
    // OCM's registration controller only where the hub has none.
    expect(objects.some((o) => o.metadata!.name!.includes("ocm-registration"))).toBe(false);
    expect(
      render("without-ocm-monitored.yaml").some(
        (o) => o.kind === "Deployment" && o.metadata!.name === "slipway-ocm-registration",
      ),
    ).toBe(true);
  });

  it("names Redis Sentinels, the KMS provider and credentials by reference, never a secret value", () => {
    const objects = render("sentinel-kms-namespaced.yaml");
    const worker = envOf(named(objects, "Deployment", "-worker").spec.template.spec.containers[0]!);
    expect(worker).toMatchObject({
      SLIPWAY_REDIS_SENTINELS:
        "redis-node-0.redis-headless:26379,redis-node-1.redis-headless:26379,redis-node-2.redis-headless",
      SLIPWAY_REDIS_SENTINEL_MASTER: "mymaster",
      SLIPWAY_REDIS_PASSWORD: { secretKeyRef: { name: "redis-auth", key: "redis-password" } },
      SLIPWAY_REDIS_SENTINEL_PASSWORD: { secretKeyRef: { name: "redis-auth", key: "sentinel-password" } },
      SLIPWAY_WATCH_NAMESPACES: watched,
    });
    expect(worker.REDIS_URL).toBeUndefined();
    expect(worker.SLIPWAY_PULUMI_PASSPHRASE).toBeUndefined();
    expect(byKind(objects, "Secret")).toEqual([]);
    const onCluster = envOf(
      named(render("redis-cluster.yaml"), "Deployment", "-controller").spec.template.spec.containers[0]!,
    );
    expect(onCluster).toMatchObject({
      SLIPWAY_REDIS_CLUSTER_NODES: expect.stringMatching(/^redis-cluster-0\.redis-cluster-headless:6379,/),
      SLIPWAY_QUEUE_PREFIX: "{fleet-a}",
      SLIPWAY_REDIS_USERNAME: "slipway",
      SLIPWAY_REDIS_PASSWORD: { secretKeyRef: { name: "redis-cluster-auth", key: "redis-password" } },
    });
  });

  it("grants each process exactly the rules of src/runtime/rbac.ts, in the watched namespaces only when asked, never a *", () => {
    for (const file of ["minimal.yaml", "sentinel-kms-namespaced.yaml"]) {
      const objects = render(file);
      for (const process of ["controller", "worker"] as const) {
        const roles = objects.filter(
          (o) =>
            (o.kind === "ClusterRole" || o.kind === "Role") &&
            o.metadata!.name!.startsWith(`slipway-${process}`),
        );
        const granted = roles.flatMap((r) => (r as unknown as { rules: Rule[] }).rules);
        expect(granted).toEqual(
          expect.arrayContaining(
            rbacRules[process].map((rule) => ({
              apiGroups: [rule.apiGroup],
              resources: ruleResources(rule),
              verbs: rule.verbs,
              ...(rule.resourceNames ? { resourceNames: rule.resourceNames } : {}),
            })),
          ),
        );
        expect(granted).toHaveLength(rbacRules[process].length);
      }
      const everything = JSON.stringify(objects.filter((o) => /Role$/.test(o.kind ?? "")));
      expect(everything).not.toContain('"*"');
      const watchedBindings = objects.filter(
        (o) => o.metadata!.name!.endsWith("-watched") && /Binding$/.test(o.kind!),
      );
      expect(watchedBindings.map((b) => `${b.kind} ${b.metadata!.namespace ?? ""}`)).toEqual(
        file === "minimal.yaml"
          ? ["ClusterRoleBinding ", "ClusterRoleBinding "]
          : [`RoleBinding ${watched}`, `RoleBinding ${watched}`],
      );
    }
  });

  it("alerts on jobs failing, queue backlog, Stalled clusters, waiting claims, non-compliance and a long failover, with metrics the code exports", () => {
    const rule = render("without-ocm-monitored.yaml").find(
      (o) => o.kind === "PrometheusRule",
    ) as KubeObject & {
      spec: { groups: { rules: { alert: string; expr: string }[] }[] };
    };
    const rules = rule.spec.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        "SlipwayJobsFailing",
        "SlipwayQueueBacklog",
        "SlipwayClustersStalled",
        "SlipwayClaimsWaiting",
        "SlipwayPoliciesNonCompliant",
        "SlipwayFailoverRunningLong",
      ]),
    );
    const exported = new Metrics({ collectDefaults: false }).registry.getMetricsAsArray().map((m) => m.name);
    const used = rules.flatMap((r) => r.expr.match(/slipway_[a-z_]+/g) ?? []);
    expect(
      used.map((name) => name.replace(/_(count|sum|bucket)$/, "")).filter((n) => !exported.includes(n)),
    ).toEqual([]);
  });

  it("refuses bad values with the field and what it wants", () => {
    expect(templateError({ "pulumi.backendUrl": '"http://bucket"' })).toMatch(
      /at '\/pulumi\/backendUrl': 'http:\/\/bucket' does not match pattern/,
    );
    expect(templateError({ "controller.replica": "2" })).toMatch(
      /at '\/controller': additional properties 'replica' not allowed/,
    );
    expect(
      templateError({ "pulumi.backendUrl": '"s3://b"', "pulumi.passphrase.existingSecret": '""' }),
    ).toMatch(/pulumi\.passphrase\.existingSecret is required with the passphrase secrets provider/);
    expect(templateError({ "pulumi.backendUrl": '""' })).toMatch(/pulumi\.backendUrl is required/);
    const cluster = {
      "pulumi.backendUrl": '"s3://b"',
      "pulumi.passphrase.existingSecret": '"p"',
      "redis.cluster.nodes": '["n:6379"]',
    };
    expect(templateError({ ...cluster, queuePrefix: '"fleet"' })).toMatch(
      /queuePrefix "fleet" has no hash tag, which a Redis Cluster needs: put its name in braces, e.g. "\{fleet\}"/,
    );
    expect(templateError({ ...cluster, "redis.sentinel.addresses": '["s:26379"]' })).toMatch(
      /redis: set sentinel.addresses \(Sentinels in front of one master\) or cluster.nodes \(a Redis Cluster\), not both/,
    );
  });
});
