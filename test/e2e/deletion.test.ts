import { describe, expect, it } from "vitest";
import { ABANDON_DEPROVISION_ANNOTATION, type ClusterDeployment } from "../../src/api/index.js";
import { clusterDeploymentResource, coreResources } from "../../src/api/resources.js";
import type { KubeObject } from "../../src/api/object.js";
import { MAX_STACK_NAME, stackNameFor } from "../../src/queue/stack-job.js";
import { getCondition } from "../../src/runtime/conditions.js";
import { KubeClient } from "../../src/runtime/kube-client.js";
import { simulatedClusterManifest } from "../builders/cluster-deployment.js";
import { slipwayUnderTest, stacksIn } from "../harness/components.js";
import { eventually } from "../harness/eventually.js";
import { applyIn, hubKubeConfig, kubectl, kubectlOk } from "../harness/hub.js";

/*
 * Deletion always ends (issue "nothing gets stuck"): a resource that never got a stack is released at once, a
 * waiting up never runs for a resource being deleted, names of any length admission accepts get a stack, and a
 * destroy that can never succeed says how to release the resource deliberately. Real hub, Redis, worker, Pulumi.
 */

interface EventObject extends KubeObject {
  reason?: string;
  message?: string;
  type?: string;
  involvedObject?: { name?: string };
}

const condition = (cd: ClusterDeployment | undefined, type: string) =>
  getCondition(cd?.status?.conditions as never, type);

describe("deletion always ends", () => {
  it(
    "releases at once a resource that never got a stack: vCenter credentials Secret missing, provider plugin not installed, unbuilt version, missing credentials",
    { timeout: 150_000 },
    async () => {
      const sut = await slipwayUnderTest("delete-never", { SLIPWAY_LEADER_ELECTION: "false" });
      const ns = sut.namespace;
      const client = new KubeClient(hubKubeConfig());
      try {
        sut.controller();
        sut.worker();
        const aws = {
          apiVersion: "slipway.dev/v1alpha1",
          kind: "ClusterDeployment",
          metadata: { name: "on-aws" },
          spec: {
            clusterName: "on-aws",
            platform: { aws: { region: "eu-west-1", credentialsRef: { name: "aws-creds" } } },
          },
        };
        // The worker's Pulumi home has no AWS provider plugin (none can be downloaded here).
        const onVSphere = {
          apiVersion: "slipway.dev/v1alpha1",
          kind: "ClusterDeployment",
          metadata: { name: "on-vsphere" },
          spec: {
            clusterName: "on-vsphere",
            platform: {
              vsphere: {
                vCenter: "vcenter.example.internal",
                datacenter: "DC0",
                cluster: "DC0_C0",
                defaultDatastore: "LocalDS_0",
                network: "VM Network",
                template: "ubuntu-2404-kube-v1.36",
                credentialsRef: { name: "vsphere-creds" },
              },
            },
          },
        };
        const oldLocal = {
          apiVersion: "slipway.dev/v1alpha1",
          kind: "ClusterDeployment",
          metadata: { name: "old-local" },
          spec: { clusterName: "old-local", platform: { local: { version: "1.3" } } },
        };
        const noCreds = simulatedClusterManifest("no-creds", { provisionSeconds: 0 });
        (noCreds.spec.platform.simulated as Record<string, unknown>).credentialsRef = { name: "missing" };
        for (const m of [onVSphere, aws, oldLocal, noCreds]) await applyIn(ns, m);
        const stalls = await eventually(
          "all four stalled with their reason",
          async () => {
            const reasons = await Promise.all(
              ["on-vsphere", "on-aws", "old-local", "no-creds"].map(async (n) => {
                const cd = await client.getIfExists<ClusterDeployment>(clusterDeploymentResource, ns, n);
                const stalled = condition(cd, "Stalled");
                return stalled?.status === "True" && cd?.metadata.finalizers?.length
                  ? stalled.reason
                  : undefined;
              }),
            );
            return reasons.every(Boolean) ? reasons : undefined;
          },
          60_000,
        );
        // "1.3" is not a prefix match for the built 1.36.x: whole versions are compared.
        // Every ClusterDeployment platform has a program now (vsphere since issue 17): the vSphere cluster stops at
        // its missing vCenter credentials, before any stack.
        expect(stalls).toEqual([
          "CredentialsSecretMissing",
          "ProviderPluginMissing",
          "UnsupportedVersion",
          "CredentialsSecretMissing",
        ]);

        const started = Date.now();
        await kubectlOk([
          "delete",
          "-n",
          ns,
          "cd/on-vsphere",
          "cd/on-aws",
          "cd/old-local",
          "cd/no-creds",
          "--wait=false",
        ]);
        await eventually(
          "all four gone",
          async () => {
            const left = await client.list<ClusterDeployment>(clusterDeploymentResource, { namespace: ns });
            return left.items.length === 0;
          },
          30_000,
        );
        expect(Date.now() - started).toBeLessThan(30_000);
        expect(stacksIn(sut.stateDir)).toEqual([]);
      } finally {
        await sut.stopAll();
        client.close();
      }
    },
  );

  it(
    "an up still waiting when its resource is deleted never runs: no stack is created, the resource goes",
    { timeout: 120_000 },
    async () => {
      const sut = await slipwayUnderTest("delete-waiting", { SLIPWAY_LEADER_ELECTION: "false" });
      const ns = sut.namespace;
      const client = new KubeClient(hubKubeConfig());
      const get = () => client.getIfExists<ClusterDeployment>(clusterDeploymentResource, ns, "early");
      try {
        sut.controller(); // no worker yet: the up waits in the queue
        await applyIn(ns, simulatedClusterManifest("early", { provisionSeconds: 0 }));
        await eventually("up queued", async () => (await get())?.status?.stack?.result === "InProgress");
        await kubectlOk(["delete", "-n", ns, "cd/early", "--wait=false"]);
        sut.worker();
        await eventually("early gone", async () => !(await get()), 60_000);
        expect(stacksIn(sut.stateDir)).toEqual([]);
      } finally {
        await sut.stopAll();
        client.close();
      }
    },
  );

  it(
    "names of any length admission accepts get a stack that fits the file system, and are deleted",
    { timeout: 150_000 },
    async () => {
      const sut = await slipwayUnderTest("delete-long", { SLIPWAY_LEADER_ELECTION: "false" });
      const ns = sut.namespace;
      const client = new KubeClient(hubKubeConfig());
      const name = `long-${"n".repeat(240)}`; // 245 characters: a valid object name, far over a file name
      const get = () => client.getIfExists<ClusterDeployment>(clusterDeploymentResource, ns, name);
      try {
        sut.controller();
        sut.worker();
        const manifest = simulatedClusterManifest("long", { provisionSeconds: 0 });
        manifest.metadata.name = name;
        await applyIn(ns, manifest);
        const ready = await eventually(
          "the long-named cluster Ready",
          async () => {
            const cd = await get();
            return condition(cd, "Ready")?.status === "True" ? cd : undefined;
          },
          60_000,
        );
        const stack = stackNameFor({ namespace: ns, name, uid: ready!.metadata.uid! });
        expect(stack.length).toBeLessThanOrEqual(MAX_STACK_NAME);
        expect(stacksIn(sut.stateDir)).toEqual([stack]);
        await kubectlOk(["delete", "-n", ns, `cd/${name}`, "--wait=false"]);
        await eventually("the long-named cluster gone", async () => !(await get()), 60_000);
        expect(stacksIn(sut.stateDir)).toEqual([]);
      } finally {
        await sut.stopAll();
        client.close();
      }
    },
  );

  it(
    "a destroy that can never succeed says how to release the resource, and the annotation releases it",
    { timeout: 150_000 },
    async () => {
      const sut = await slipwayUnderTest("delete-abandon", {
        SLIPWAY_LEADER_ELECTION: "false",
        SLIPWAY_JOB_ATTEMPTS: "1",
        SLIPWAY_JOB_BACKOFF_MS: "500",
      });
      const ns = sut.namespace;
      const client = new KubeClient(hubKubeConfig());
      const get = () => client.getIfExists<ClusterDeployment>(clusterDeploymentResource, ns, "stuck");
      try {
        sut.controller();
        sut.worker();
        const manifest = simulatedClusterManifest("stuck", { provisionSeconds: 0 });
        (manifest.spec.platform.simulated as Record<string, unknown>).failures = [
          { phase: "Destroy", mode: "Terminal", attempts: 0, message: "the account was closed" },
        ];
        await applyIn(ns, manifest);
        await eventually(
          "stuck Ready",
          async () => condition(await get(), "Ready")?.status === "True",
          60_000,
        );
        await kubectlOk(["delete", "-n", ns, "cd/stuck", "--wait=false"]);
        const failing = await eventually(
          "DestroyFailed naming the cause and the way out",
          async () => {
            const c = condition(await get(), "Reconciling");
            return c?.reason === "DestroyFailed" ? c : undefined;
          },
          60_000,
        );
        expect(failing.message).toContain("the account was closed");
        expect(failing.message).toContain(`${ABANDON_DEPROVISION_ANNOTATION}=true`);

        await kubectlOk(["annotate", "-n", ns, "cd/stuck", `${ABANDON_DEPROVISION_ANNOTATION}=true`]);
        await eventually("stuck released", async () => !(await get()), 60_000);
        const events = await client.list<EventObject>(coreResources.events, { namespace: ns });
        const abandoned = events.items.find((e) => e.reason === "DeprovisionAbandoned");
        expect(abandoned?.type).toBe("Warning");
        expect(abandoned?.message).toContain("may be left behind");
      } finally {
        await kubectl(["delete", "namespace", ns, "--wait=false"]);
        await sut.stopAll();
        client.close();
      }
    },
  );
});
