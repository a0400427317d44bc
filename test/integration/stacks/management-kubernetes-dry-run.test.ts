import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { controlPlaneManifests } from "../../../stacks/hosted-kubernetes/manifests.js";
import { validateHostedKubernetesInputs } from "../../../stacks/hosted-kubernetes/inputs.js";
import { kubectl } from "../../harness/hub.js";

// Management mode's objects as the test hub's API server sees them: every manifest the program renders (Running
// and Hibernating, one replica and three) is accepted by a server-side dry-run, so a field the API would refuse
// (a probe, the security context, the NetworkPolicy, the StatefulSet's claim template) fails here in seconds,
// before a real management cluster sees it. test/e2e/stacks/management-kubernetes.test.ts applies them for real.
describe("management mode's manifests", () => {
  it.each([
    ["SingleReplica", "Running"],
    ["HighlyAvailable", "Hibernating"],
  ] as const)("%s, %s: accepted by a server-side dry-run on the hub", async (policy, powerState) => {
    const inputs = validateHostedKubernetesInputs({
      // Its own namespace per case (hcp-<name>): namespaces are cluster-scoped and the last one may still be going.
      clusterName: `dry-run-${randomBytes(3).toString("hex")}`,
      clusterUID: randomUUID(),
      powerState,
      version: "1.36.3",
      controllerAvailabilityPolicy: policy,
      platform: {
        credentialsRef: { name: "management" },
        imageRepository: "mirror.invalid/k8s",
        serviceType: "LoadBalancer",
        endpointHost: "api.team-a.example.com",
      },
    });
    const m = controlPlaneManifests(inputs);
    const objects = [
      { apiVersion: "v1", kind: "Namespace", ...m.namespace },
      { apiVersion: "v1", kind: "Service", ...m.etcdService },
      { apiVersion: "apps/v1", kind: "StatefulSet", ...m.etcd },
      { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", ...m.etcdPolicy },
      { apiVersion: "v1", kind: "Service", ...m.apiServerService },
      ...[m.apiServer, m.controllerManager, m.scheduler].map((d) => ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        ...d,
      })),
    ];
    // The namespace does not exist: the dry-run of a namespaced object checks it, so the namespace goes first for
    // real (server-side dry-run cannot create what later objects need) and is deleted after.
    const namespace = (m.namespace.metadata as { name: string }).name;
    const created = await kubectl(["apply", "--server-side", "-f", "-"], {
      input: JSON.stringify(objects[0]),
    });
    expect(created.code, created.stderr).toBe(0);
    try {
      const list = { apiVersion: "v1", kind: "List", items: objects.slice(1) };
      const r = await kubectl(["apply", "--server-side", "--dry-run=server", "-o", "name", "-f", "-"], {
        input: JSON.stringify(list),
      });
      expect(r.stderr).toBe("");
      expect(r.stdout.trim().split("\n").sort()).toEqual(
        [
          "deployment.apps/kube-apiserver",
          "deployment.apps/kube-controller-manager",
          "deployment.apps/kube-scheduler",
          "networkpolicy.networking.k8s.io/etcd",
          "service/etcd",
          "service/kube-apiserver",
          "statefulset.apps/etcd",
        ].sort(),
      );
    } finally {
      await kubectl(["delete", "namespace", namespace, "--wait=false"]);
    }
  });
});
