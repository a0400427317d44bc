import { afterAll, describe, expect, it } from "vitest";
import {
  applyKlusterlet,
  klusterletManifests,
  OCM_IMAGE_TAG,
} from "../../../src/bootstrap/registration/klusterlet.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import type { KubeObject } from "../../../src/runtime/resource.js";
import { hubKubeConfig, kubectl, kubectlOk } from "../../harness/hub.js";

/*
 * What a cloud cluster gets to join the hub: OCM's klusterlet operator and a Klusterlet for the cluster, applied
 * by server-side apply. The shared test hub plays the spoke (a real kube-apiserver; it has no kubelet, so the
 * operator's pod never runs: what is checked is that the API server takes every object as written).
 */
const client = new KubeClient(hubKubeConfig());

afterAll(async () => {
  await kubectl(["delete", "klusterlet", "klusterlet", "--ignore-not-found", "--wait=false"]);
  await kubectl([
    "delete",
    "-n",
    "open-cluster-management",
    "deployment/klusterlet",
    "serviceaccount/klusterlet",
    "--ignore-not-found",
  ]);
  await kubectl(["delete", "clusterrolebinding/klusterlet", "clusterrole/klusterlet", "--ignore-not-found"]);
  await kubectl(["delete", "crd", "klusterlets.operator.open-cluster-management.io", "--ignore-not-found"]);
  client.close();
});

describe("the klusterlet for clusters on cloud platforms", () => {
  it("names the cluster and pins the images to the OCM release Slipway runs", () => {
    const objects = klusterletManifests("payments-eu");
    expect(objects.map((o) => o.kind)).toEqual([
      "CustomResourceDefinition",
      "ClusterRole",
      "ClusterRoleBinding",
      "Namespace",
      "ServiceAccount",
      "Deployment",
      "Klusterlet",
    ]);
    const klusterlet = objects.at(-1) as KubeObject & { spec: Record<string, unknown> };
    expect(klusterlet.spec).toMatchObject({
      clusterName: "payments-eu",
      namespace: "open-cluster-management-agent",
      deployOption: { mode: "Default" },
    });
    const deployment = objects.find((o) => o.kind === "Deployment") as unknown as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    const images = [
      ...deployment.spec.template.spec.containers.map((c) => c.image),
      ...["registrationImagePullSpec", "workImagePullSpec", "imagePullSpec"].map((k) => klusterlet.spec[k]),
    ];
    expect(images).toHaveLength(4);
    for (const image of images)
      expect(image).toMatch(new RegExp(`^quay\\.io/open-cluster-management/[a-z-]+:${OCM_IMAGE_TAG}$`));
  });

  it("is taken by a real API server as written, the Klusterlet once its CRD is served", async () => {
    await applyKlusterlet(client, "payments-eu");
    const cluster = await kubectlOk([
      "get",
      "klusterlet",
      "klusterlet",
      "-o",
      "jsonpath={.spec.clusterName}",
    ]);
    expect(cluster).toBe("payments-eu");
    const image = await kubectlOk([
      "get",
      "-n",
      "open-cluster-management",
      "deployment/klusterlet",
      "-o",
      "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    expect(image).toBe(`quay.io/open-cluster-management/registration-operator:${OCM_IMAGE_TAG}`);
    // A second apply (the job retried, or a resume) changes nothing and fails nothing.
    await applyKlusterlet(client, "payments-eu");
  });
});
