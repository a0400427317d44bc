import type { ClusterDeployment } from "../../src/api/index.js";
import { isAlreadyExists } from "../../src/errors/index.js";
import type { KubeClient } from "../../src/runtime/kube-client.js";
import type { KubeObject } from "../../src/runtime/resource.js";
import { clusterDeploymentResource, secretResource } from "../../src/api/resources.js";

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * TEST ONLY: plays the ClusterDeployment controller's part for a cluster the pool created, without a worker:
 * writes the `<cd>-admin-kubeconfig` Secret and a status that says the install finished and the cluster is in
 * its desired power state (Running or Hibernating). `holdDeletion` adds a finalizer so a deletion stays in
 * flight until the test releases it, as a real deprovision does.
 */
export async function markClusterProvisionedForTest(
  client: KubeClient,
  cd: ClusterDeployment,
  options: { powerState?: "Running" | "Hibernating" | "Starting"; holdDeletion?: boolean } = {},
): Promise<void> {
  const namespace = cd.metadata.namespace!;
  const name = cd.metadata.name!;
  const powerState = options.powerState ?? cd.spec.powerState ?? "Running";
  const secretName = `${name}-admin-kubeconfig`;
  const kubeconfig = `apiVersion: v1\nkind: Config\nclusters:\n- name: ${name}\n  cluster:\n    server: https://${name}.test:6443\n`;
  try {
    await client.create(secretResource, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secretName, namespace },
      data: { kubeconfig: Buffer.from(kubeconfig).toString("base64") },
    } as KubeObject);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  if (options.holdDeletion) {
    await client.patch(
      clusterDeploymentResource,
      namespace,
      name,
      { metadata: { finalizers: [testHoldFinalizer] } },
      { type: "merge" },
    );
  }
  const ready = powerState === "Running";
  const condition = (type: string, status: string, reason: string) => ({
    type,
    status,
    reason,
    message: `set by the test (${reason})`,
    lastTransitionTime: now(),
  });
  await client.patch(
    clusterDeploymentResource,
    namespace,
    name,
    {
      status: {
        provisionedAt: now(),
        powerState,
        apiURL: `https://${name}.test:6443`,
        adminKubeconfigSecretRef: { name: secretName },
        stack: {
          type: "up",
          jobId: `${name}-test`,
          generation: 1,
          result: "Succeeded",
          startedAt: now(),
        },
        conditions: [
          condition("Ready", ready ? "True" : "False", ready ? "Running" : powerState),
          condition("Provisioned", "True", "Provisioned"),
          condition("Hibernating", powerState === "Hibernating" ? "True" : "False", powerState),
          // What the bootstrap controller writes when no BootstrapPolicy selects the cluster.
          condition("Bootstrapped", "True", "NoPoliciesSelect"),
        ],
      },
    },
    { type: "merge", subresource: "status" },
  );
}

export const testHoldFinalizer = "test.slipway.dev/hold";

/** TEST ONLY: lets a deletion held by `markClusterProvisionedForTest({ holdDeletion: true })` finish. */
export async function releaseClusterDeletionForTest(
  client: KubeClient,
  cd: ClusterDeployment,
): Promise<void> {
  await client.patch(
    clusterDeploymentResource,
    cd.metadata.namespace,
    cd.metadata.name!,
    { metadata: { finalizers: null } },
    { type: "merge" },
  );
}

/**
 * What a test says about hub registration. Off unless the test is about registration or bootstrap: with it on,
 * every local cluster also starts OCM's real agent and Ready waits for the hub to report it joined.
 */
export interface RegistrationChoice {
  registration?: boolean;
}

const registrationSpec = (choice: RegistrationChoice) =>
  choice.registration ? {} : { registration: { enabled: false } };

/** A ClusterDeployment manifest on the local platform (a real control plane on this machine). */
export function localClusterManifest(name: string, choice: RegistrationChoice = {}) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    metadata: { name },
    spec: { clusterName: name, platform: { local: {} }, ...registrationSpec(choice) },
  };
}

/** A ClusterDeployment manifest on the simulated platform: only provisioning takes time, without jitter. */
export function simulatedClusterManifest(
  name: string,
  sim: { provisionSeconds: number },
  choice: RegistrationChoice = {},
) {
  return {
    apiVersion: "slipway.dev/v1alpha1",
    kind: "ClusterDeployment",
    metadata: { name },
    spec: {
      clusterName: name,
      platform: {
        simulated: {
          provisionSeconds: sim.provisionSeconds,
          hibernateSeconds: 0,
          resumeSeconds: 0,
          destroySeconds: 0,
          jitterPercent: 0,
        },
      },
      ...registrationSpec(choice),
    },
  };
}
