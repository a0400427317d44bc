import { ClusterClaimReason } from "../api/reasons.js";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import type { ClusterClaim, ClusterDeployment } from "../api/index.js";
import { clusterClaimResource, clusterDeploymentResource } from "../api/resources.js";
import { loadConfig } from "../runtime/config.js";
import type { KubeClient } from "../runtime/kube-client.js";
import type { KubeObject } from "../runtime/resource.js";
import { hubClient, progressBar } from "./hub-client.js";
import { readKubeconfigSecret } from "./kubeconfig-secret.js";

export interface ClaimOptions {
  pool: string;
  namespace: string;
  name?: string;
  /** Wait until the claim is Ready (implied by kubeconfigOut). */
  wait: boolean;
  kubeconfigOut?: string;
  timeoutMs: number;
  pollMs?: number;
  /** Where progress lines go; console.log by default. */
  print?: (line: string) => void;
}

type Conditions = NonNullable<NonNullable<ClusterClaim["status"]>["conditions"]>;
const conditionOf = (conditions: Conditions | undefined, type: string) =>
  conditions?.find((c) => c.type === type);

/** One line that says where the claim is, with the cluster's operation progress when it has one. */
function describe(claim: ClusterClaim, cluster: ClusterDeployment | undefined): string {
  const conditions = claim.status?.conditions;
  const pending = conditionOf(conditions, "Pending");
  const running = conditionOf(conditions, "ClusterRunning");
  const ready = conditionOf(conditions, "Ready");
  if (!claim.status?.clusterDeploymentRef)
    return `pending (${pending?.reason ?? "Waiting"}): ${pending?.message ?? "waiting for the pool controller"}`;
  const name = claim.status.clusterDeploymentRef.name;
  const progress =
    cluster?.status?.stack?.result === "InProgress" ? cluster.status.stack.progress?.percent : undefined;
  const bar = progress !== undefined ? ` ${progressBar(progress)}` : "";
  if (running?.status !== "True")
    return `bound to ${name}, ${running?.reason === ClusterClaimReason.Resuming ? "resuming" : "waiting for it to run"}${bar}: ${running?.message ?? ""}`;
  return `bound to ${name}: ${ready?.message ?? "waiting for its kubeconfig"}`;
}

/** Creates the claim and, when asked, waits until it is Ready and writes its kubeconfig. Returns the exit code. */
export async function runClaim(kube: KubeClient, options: ClaimOptions): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const name = options.name ?? `${options.pool}-${randomBytes(3).toString("hex").slice(0, 5)}`;
  const { namespace } = options;
  await kube.create(clusterClaimResource, {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterClaim",
    metadata: { name, namespace },
    spec: { clusterPoolName: options.pool },
  } as KubeObject);
  print(`clusterclaim ${namespace}/${name} created (pool ${options.pool})`);
  if (!options.wait && !options.kubeconfigOut) return 0;
  return waitForClaim(kube, { ...options, name, print });
}

/** Waits until the claim is Ready, printing each change of where it is, and writes its kubeconfig when asked. */
export async function waitForClaim(
  kube: KubeClient,
  options: Omit<ClaimOptions, "pool" | "wait"> & { name: string },
): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const { namespace, name } = options;
  const deadline = Date.now() + options.timeoutMs;
  let last = "";
  for (;;) {
    const claim = await kube.get<ClusterClaim>(clusterClaimResource, namespace, name);
    const ref = claim.status?.clusterDeploymentRef;
    const cluster = ref
      ? await kube.getIfExists<ClusterDeployment>(clusterDeploymentResource, ref.namespace, ref.name)
      : undefined;
    const line = describe(claim, cluster);
    if (line !== last) print(line);
    last = line;
    const conditions = claim.status?.conditions;
    if (conditionOf(conditions, "Ready")?.status === "True" && claim.status?.kubeconfigSecretRef) break;
    const stalled = conditionOf(conditions, "Stalled");
    // A missing pool may still appear; a deleted cluster will not come back.
    if (stalled?.status === "True" && stalled.reason !== "PoolNotFound") {
      print(`claim ${namespace}/${name} cannot be satisfied: ${stalled.message}`);
      return 1;
    }
    if (Date.now() > deadline) {
      print(
        `timed out waiting for claim ${namespace}/${name} (still ${line}); it stays, delete it with kubectl delete clusterclaim ${name} -n ${namespace}`,
      );
      return 1;
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 2_000));
  }

  const claim = await kube.get<ClusterClaim>(clusterClaimResource, namespace, name);
  print(
    `claim ${namespace}/${name} is ready: cluster ${claim.status?.clusterDeploymentRef?.name}${claim.status?.apiURL ? ` at ${claim.status.apiURL}` : ""}`,
  );
  if (options.kubeconfigOut) {
    const secretName = claim.status!.kubeconfigSecretRef!.name;
    const kubeconfig = await readKubeconfigSecret(kube, namespace, secretName, print);
    if (!kubeconfig) return 1;
    await writeFile(options.kubeconfigOut, kubeconfig, { mode: 0o600 });
    print(`kubeconfig written to ${options.kubeconfigOut}`);
  }
  return 0;
}

/** `slipway claim POOL [--name NAME] [--wait] [--kubeconfig-out FILE] [--timeout 30m] [-n NAMESPACE]` */
export async function claimCommand(
  pool: string,
  options: { namespace: string; name?: string; wait?: boolean; kubeconfigOut?: string; timeout: number },
): Promise<number> {
  return runClaim(hubClient(loadConfig()), {
    pool,
    namespace: options.namespace,
    name: options.name,
    wait: options.wait === true,
    kubeconfigOut: options.kubeconfigOut,
    timeoutMs: options.timeout,
  });
}
