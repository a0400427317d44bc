import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterDeployment } from "../api/index.js";
import { clusterDeploymentResource, namespaceResource } from "../api/resources.js";
import { getCondition, type Condition } from "../runtime/conditions.js";
import type { KubeClient } from "../runtime/kube-client.js";
import { seconds, withBenchEnvironment, zeroDelaySimulated } from "./bench-environment.js";

const NAMESPACE = "bench-registration";

const isTrue = (cd: ClusterDeployment, type: string) =>
  getCondition(cd.status?.conditions as Condition[] | undefined, type)?.status === "True";

/**
 * Applies `count` clusters at once and watches them with one LIST every 100 ms, noting when each is first seen
 * Provisioned and first seen Joined (OCM's verdict). Returns Provisioned -> Joined per cluster in ms.
 */
async function provisionedToJoined(
  kube: KubeClient,
  prefix: string,
  platform: Record<string, unknown>,
  count: number,
  timeoutMs: number,
): Promise<number[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await Promise.all(
    names.map((name) =>
      kube.create(clusterDeploymentResource, {
        apiVersion: "slipway.dev/v1alpha1",
        kind: "ClusterDeployment",
        metadata: { name, namespace: NAMESPACE },
        spec: { clusterName: name, platform },
      } as ClusterDeployment),
    ),
  );
  const provisionedAt = new Map<string, number>();
  const joinedAt = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  while (joinedAt.size < count) {
    if (Date.now() > deadline)
      throw new Error(
        `${count - joinedAt.size} of ${count} ${prefix} clusters did not join in ${timeoutMs / 1000}s`,
      );
    const now = Date.now();
    for (const cd of (await kube.list<ClusterDeployment>(clusterDeploymentResource, { namespace: NAMESPACE }))
      .items) {
      const name = cd.metadata!.name!;
      if (!names.includes(name)) continue;
      if (isTrue(cd, "Provisioned") && !provisionedAt.has(name)) provisionedAt.set(name, now);
      if (isTrue(cd, "Joined") && !joinedAt.has(name)) joinedAt.set(name, now);
    }
    await sleep(100);
  }
  return names.map((n) => joinedAt.get(n)! - (provisionedAt.get(n) ?? joinedAt.get(n)!));
}

function summary(label: string, ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `${label}: Provisioned -> Joined over ${ms.length} cluster(s): min ${seconds(sorted[0]!)}, p50 ${seconds(at(0.5))}, max ${seconds(sorted[sorted.length - 1]!)}`;
}

/**
 * `slipway bench registration`: in a private dev environment (hub with OCM's registration controller, Redis,
 * controller, worker), how long clusters take from Provisioned to Joined: local clusters with OCM's real agent,
 * and simulated ones with the simulated agent (registrationSeconds 0, so what is left is Slipway's own cost).
 */
export async function benchRegistration(options: { local: number; simulated: number }): Promise<number> {
  await withBenchEnvironment(
    async ({ kube }) => {
      await kube.create(namespaceResource, { metadata: { name: NAMESPACE } });
      if (options.local > 0)
        console.log(
          summary(
            "local",
            await provisionedToJoined(kube, "reg-local", { local: {} }, options.local, 600_000),
          ),
        );
      if (options.simulated > 0)
        console.log(
          summary(
            "simulated",
            await provisionedToJoined(kube, "reg-sim", zeroDelaySimulated, options.simulated, 600_000),
          ),
        );
    },
    {
      // Local clusters are real processes: delete them (deregistering each) before the hub goes.
      cleanup: async ({ kube }) => {
        const list = await kube.list<ClusterDeployment>(clusterDeploymentResource, { namespace: NAMESPACE });
        await Promise.all(
          list.items.map((cd) => kube.delete(clusterDeploymentResource, NAMESPACE, cd.metadata!.name!)),
        );
        const deadline = Date.now() + 180_000;
        while (Date.now() < deadline) {
          if ((await kube.list(clusterDeploymentResource, { namespace: NAMESPACE })).items.length === 0)
            return;
          await sleep(500);
        }
      },
    },
  );
  return 0;
}
