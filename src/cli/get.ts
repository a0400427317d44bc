import {
  entryLabeler,
  platformOf,
  sumUsage,
  usageAt,
  type BootstrapPolicy,
  type ClusterDeployment,
  type HostedCluster,
} from "../api/index.js";
import {
  bootstrapPolicyResource,
  clusterClaimResource,
  clusterDeploymentResource,
  clusterFailoverResource,
  clusterPoolResource,
  hostedClusterResource,
} from "../api/resources.js";
import type { NodePool } from "../api/node-pool.js";
import { nodePoolResource } from "../api/resources.js";
import { loadConfig } from "../runtime/config.js";
import { getCondition, type Condition } from "../runtime/conditions.js";
import type { KubeObject } from "../runtime/resource.js";
import { nodePoolRows } from "./get-nodepools.js";
import { age, hubClient, progressBar, table } from "./hub-client.js";

type Obj = KubeObject & { spec?: Record<string, any>; status?: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const condition = (o: Obj, type: string) =>
  getCondition(o.status?.conditions as Condition[] | undefined, type)?.status ?? "Unknown";

/**
 * Registered / Joined: the condition's status, "-" when registration is off (no condition), and the reason when
 * it is the telling part: a hibernating cluster OCM cannot reach is expected, not a fault.
 */
function registrationColumn(cd: ClusterDeployment | HostedCluster, type: "Registered" | "Joined"): string {
  const c = getCondition(cd.status?.conditions as Condition[] | undefined, type);
  if (!c) return "-";
  return c.status === "True" || !c.reason ? c.status : `${c.status} (${c.reason})`;
}

/** Seconds as hours with one decimal, the unit cloud bills use. */
export function hours(seconds: number): string {
  return (seconds / 3600).toFixed(1);
}

export function clusterRows(items: ClusterDeployment[], allNamespaces: boolean, now = new Date()): string {
  const rows = items.map((cd) => {
    const op = cd.status?.stack;
    const inFlight = op?.result === "InProgress";
    const progress = inFlight
      ? `${op.type} ${progressBar(op.progress?.percent ?? 0)}${op.progress?.currentStep ? ` ${op.progress.currentStep}` : ""}`
      : op
        ? `${op.type} ${op.result}`
        : "";
    const usage = usageAt(cd.status?.power?.usage, now);
    const power = cd.status?.power;
    // When the next trigger fires: "Hibernating in 5h".
    const next = power?.nextTransitionAt
      ? `${power.nextPowerState} in ${age(now, Date.parse(power.nextTransitionAt))}`
      : "";
    return [
      ...(allNamespaces ? [cd.metadata?.namespace ?? ""] : []),
      cd.metadata?.name ?? "",
      platformOf(cd.spec) ?? "",
      cd.status?.powerState ?? "",
      condition(cd as Obj, "Ready"),
      registrationColumn(cd, "Registered"),
      registrationColumn(cd, "Joined"),
      hours(usage.runningSeconds),
      hours(usage.hibernatedSeconds),
      next,
      condition(cd as Obj, "Bootstrapped"),
      age(cd.metadata?.creationTimestamp),
      progress,
    ];
  });
  return table(
    [
      ...(allNamespaces ? ["NAMESPACE"] : []),
      "NAME",
      "PLATFORM",
      "POWERSTATE",
      "READY",
      "REGISTERED",
      "JOINED",
      "RUNNING-H",
      "HIBERNATED-H",
      "NEXT",
      "BOOTSTRAPPED",
      "AGE",
      "OPERATION",
    ],
    rows,
  );
}

/** HostedClusters: HyperShift's Available and Progressing beside Ready, the version and where the API listens. */
export function hostedRows(items: HostedCluster[], allNamespaces: boolean, now = Date.now()): string {
  const rows = items.map((hc) => {
    const op = hc.status?.stack;
    const endpoint = hc.status?.controlPlaneEndpoint;
    return [
      ...(allNamespaces ? [hc.metadata?.namespace ?? ""] : []),
      hc.metadata?.name ?? "",
      platformOf(hc.spec) ?? "",
      hc.status?.version ?? hc.spec.release.version,
      hc.status?.powerState ?? "",
      condition(hc as Obj, "Ready"),
      condition(hc as Obj, "Available"),
      condition(hc as Obj, "Progressing"),
      registrationColumn(hc, "Registered"),
      registrationColumn(hc, "Joined"),
      endpoint ? `${endpoint.host}:${endpoint.port}` : "",
      age(hc.metadata?.creationTimestamp, now),
      op
        ? `${op.type} ${op.result === "InProgress" ? progressBar(op.progress?.percent ?? 0) : op.result}`
        : "",
    ];
  });
  return table(
    [
      ...(allNamespaces ? ["NAMESPACE"] : []),
      "NAME",
      "PLATFORM",
      "VERSION",
      "POWERSTATE",
      "READY",
      "AVAILABLE",
      "PROGRESSING",
      "REGISTERED",
      "JOINED",
      "ENDPOINT",
      "AGE",
      "OPERATION",
    ],
    rows,
  );
}

/** The policies, then one line per policy and cluster: its compliance, when it was evaluated and why. */
export function policyRows(items: BootstrapPolicy[], allNamespaces: boolean, now = Date.now()): string {
  const ns = (p: BootstrapPolicy) => (allNamespaces ? [p.metadata.namespace ?? ""] : []);
  const policies = table(
    [
      ...(allNamespaces ? ["NAMESPACE"] : []),
      "NAME",
      "REMEDIATION",
      "SEVERITY",
      "COMPLIANT",
      "CLUSTERS",
      "READY",
      "AGE",
    ],
    items.map((p) => {
      const clusters = p.status?.clusters ?? [];
      const compliant = clusters.filter((c) => c.compliant === "Compliant").length;
      return [
        ...ns(p),
        p.metadata.name ?? "",
        p.spec.remediationAction ?? "inform",
        p.spec.severity ?? "low",
        p.spec.disabled ? "Disabled" : (p.status?.compliant ?? "-"),
        `${compliant}/${clusters.length}`,
        condition(p as Obj, "Ready"),
        age(p.metadata.creationTimestamp, now),
      ];
    }),
  );
  // A ClusterDeployment and a HostedCluster may share a name: where both kinds are listed, each shows as Kind/name.
  const label = entryLabeler(items.flatMap((p) => p.status?.clusters ?? []));
  const rows = items.flatMap((p) =>
    (p.status?.clusters ?? []).map((c) => [
      ...ns(p),
      p.metadata.name ?? "",
      label(c),
      c.compliant,
      c.lastEvaluated ? `${age(c.lastEvaluated, now)} ago` : "never",
      (c.message ?? "").replace(/\s+/g, " ").slice(0, 160),
    ]),
  );
  if (rows.length === 0) return policies;
  const clusters = table(
    [...(allNamespaces ? ["NAMESPACE"] : []), "POLICY", "CLUSTER", "COMPLIANT", "EVALUATED", "MESSAGE"],
    rows,
  );
  return `${policies}\n\n${clusters}`;
}

/**
 * Per pool, its clusters' hours summed (claimed ones included: they stay the pool's), and what hibernation
 * schedules and hibernateAfter saved: hours the clusters slept because of them.
 */
export function poolUsage(
  pool: { metadata?: { name?: string; namespace?: string } },
  clusters: ClusterDeployment[],
  now = new Date(),
): { running: string; hibernated: string; saved: string } {
  const mine = clusters.filter(
    (cd) =>
      cd.metadata?.namespace === pool.metadata?.namespace &&
      cd.spec.clusterPoolRef?.poolName === pool.metadata?.name,
  );
  const total = sumUsage(
    mine.map((cd) => cd.status?.power?.usage),
    now,
  );
  return {
    running: hours(total.runningSeconds),
    hibernated: hours(total.hibernatedSeconds),
    saved: hours(total.savedSeconds),
  };
}

/** `slipway get clusters|hosted|pools|claims|policies|failovers [-n NAMESPACE | -A]` */
export async function getCommand(
  what: string,
  options: { namespace: string; allNamespaces?: boolean },
): Promise<number> {
  const kube = hubClient(loadConfig());
  const all = options.allNamespaces === true;
  const namespace = all ? undefined : options.namespace;
  if (what === "clusters" || what === "cd" || what === "clusterdeployments") {
    const list = await kube.list<ClusterDeployment>(clusterDeploymentResource, { namespace });
    console.log(clusterRows(list.items, all));
    return 0;
  }
  if (what === "hosted" || what === "hc" || what === "hostedclusters") {
    const list = await kube.list<HostedCluster>(hostedClusterResource, { namespace });
    console.log(hostedRows(list.items, all));
    return 0;
  }
  if (what === "nodepools" || what === "np") {
    const list = await kube.list<NodePool>(nodePoolResource, { namespace });
    console.log(nodePoolRows(list.items, all));
    return 0;
  }
  if (what === "pools" || what === "cp" || what === "clusterpools") {
    const list = await kube.list<Obj>(clusterPoolResource, { namespace });
    const clusters = (await kube.list<ClusterDeployment>(clusterDeploymentResource, { namespace })).items;
    const rows = list.items.map((p) => {
      const usage = poolUsage(p, clusters);
      return [
        ...(all ? [p.metadata?.namespace ?? ""] : []),
        p.metadata?.name ?? "",
        String(p.spec?.size ?? ""),
        String(p.status?.ready ?? 0),
        String(p.status?.standby ?? 0),
        String(p.status?.installing ?? 0),
        String(p.status?.claimed ?? 0),
        usage.running,
        usage.hibernated,
        usage.saved,
        age(p.metadata?.creationTimestamp),
      ];
    });
    console.log(
      table(
        [
          ...(all ? ["NAMESPACE"] : []),
          "NAME",
          "SIZE",
          "READY",
          "STANDBY",
          "INSTALLING",
          "CLAIMED",
          "RUNNING-H",
          "HIBERNATED-H",
          "SAVED-H",
          "AGE",
        ],
        rows,
      ),
    );
    return 0;
  }
  if (what === "claims" || what === "clusterclaims") {
    const list = await kube.list<Obj>(clusterClaimResource, { namespace });
    const rows = list.items.map((c) => [
      ...(all ? [c.metadata?.namespace ?? ""] : []),
      c.metadata?.name ?? "",
      String(c.spec?.clusterPoolName ?? ""),
      String(c.status?.clusterDeploymentRef?.name ?? c.status?.namespace ?? ""),
      condition(c, "Ready"),
      String(c.status?.expiresAt ?? ""),
      age(c.metadata?.creationTimestamp),
    ]);
    console.log(
      table([...(all ? ["NAMESPACE"] : []), "NAME", "POOL", "CLUSTER", "READY", "EXPIRES", "AGE"], rows),
    );
    return 0;
  }
  if (what === "policies" || what === "bp" || what === "bootstrappolicies") {
    const list = await kube.list<BootstrapPolicy>(bootstrapPolicyResource, { namespace });
    console.log(policyRows(list.items, all));
    return 0;
  }
  if (what === "failovers" || what === "cfo" || what === "clusterfailovers") {
    const list = await kube.list<Obj>(clusterFailoverResource, { namespace });
    const rows = list.items.map((f) => [
      ...(all ? [f.metadata?.namespace ?? ""] : []),
      f.metadata?.name ?? "",
      String(f.status?.phase ?? "Pending"),
      `${f.status?.ready ?? 0}/${f.status?.total ?? 0}`,
      String(f.status?.resuming ?? 0),
      String(f.status?.failed ?? 0),
      f.status?.rtoSeconds !== undefined ? `${Number(f.status.rtoSeconds).toFixed(1)} s` : "",
      age(f.metadata?.creationTimestamp),
    ]);
    console.log(
      table(
        [...(all ? ["NAMESPACE"] : []), "NAME", "PHASE", "READY", "RESUMING", "FAILED", "RTO", "AGE"],
        rows,
      ),
    );
    return 0;
  }
  console.error(`slipway get: cannot list "${what}"`);
  return 2;
}
