import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../../src/api/index.js";
import { CLUSTER_DEPLOYMENT_CONTROLLER } from "../../../src/provisioners/cluster-deployment/controller.js";
import { clusterDeploymentResource } from "../../../src/api/resources.js";
import { getCondition, type Condition } from "../../../src/runtime/conditions.js";
import type { KubeClient } from "../../../src/runtime/kube-client.js";
import { simulatedClusterManifest } from "../../builders/cluster-deployment.js";
import {
  startClusterDeploymentController,
  type InProcessController,
} from "../../harness/cluster-deployment-controller.js";
import { testStateDir } from "../../harness/hub.js";
import { eventually } from "../../harness/eventually.js";

/*
 * The ClusterDeployment controller in-process against the real hub and Redis, without a worker: its status is
 * what these tests read. Jobs stay queued, which is all the status needs.
 */

let controller: InProcessController;
let client: KubeClient;
let ns: string;

beforeAll(async () => {
  controller = await startClusterDeploymentController({ name: "cd-status", stateDir: testStateDir() });
  ({ client, namespace: ns } = controller);
});

afterAll(() => controller?.stop());

const get = (name: string) => client.get<ClusterDeployment>(clusterDeploymentResource, ns, name);
const conditionOf = (cd: ClusterDeployment, type: string) =>
  getCondition(cd.status?.conditions as Condition[] | undefined, type);

async function create(name: string, spec: Record<string, unknown> = {}): Promise<void> {
  const manifest = simulatedClusterManifest(name, { provisionSeconds: 0 });
  await client.create(clusterDeploymentResource, {
    ...manifest,
    metadata: { name, namespace: ns },
    spec: { ...manifest.spec, ...spec },
  } as never);
}

/** Waits until the controller has written the status of the object's current generation. */
async function reconciled(name: string): Promise<ClusterDeployment> {
  return eventually(`${name} reconciled`, async () => {
    const cd = await get(name);
    return cd.status?.observedGeneration === cd.metadata.generation && conditionOf(cd, "Ready")
      ? cd
      : undefined;
  });
}

describe("ClusterDeployment status on the real hub", () => {
  it("sets no FieldsNotActedOn for registration, schedules and hibernateAfter: their controllers act on them", async () => {
    await create("ignored", {
      hibernateAfter: "8h",
      hibernation: { schedules: [{ start: "0 20 * * 1-5", end: "0 7 * * 1-5", location: "Europe/Berlin" }] },
      registration: { clusterSet: "edge", labels: { env: "dev" } },
    });
    const cd = await reconciled("ignored");
    expect(conditionOf(cd, "FieldsNotActedOn")).toBeUndefined();
    // The other conditions are what they would be anyway: the cluster is being created.
    expect(conditionOf(cd, "Reconciling")).toMatchObject({ status: "True", reason: "Provisioning" });
  });

  it("does not trust a hand-written clusterPoolRef: ClusterPoolRefIgnored says so and what to do", async () => {
    await create("copied", { clusterPoolRef: { namespace: ns, poolName: "dev", claimName: "alice" } });
    const cd = await eventually("ClusterPoolRefIgnored on copied", async () => {
      const c = await get("copied");
      return conditionOf(c, "ClusterPoolRefIgnored") ? c : undefined;
    });
    const ignored = conditionOf(cd, "ClusterPoolRefIgnored")!;
    expect(ignored).toMatchObject({ status: "True", reason: "NotCreatedByPool" });
    expect(ignored.message).toContain(`pool ${ns}/dev`);
    expect(ignored.message).toContain("create the ClusterDeployment again without it");
  });

  it("sets no FieldsNotActedOn on a spec that uses only what is acted on", async () => {
    await create("plain");
    const cd = await reconciled("plain");
    expect(conditionOf(cd, "FieldsNotActedOn")).toBeUndefined();
    expect(cd.status?.stack).toMatchObject({ type: "up", result: "InProgress", generation: 1 });
    expect(conditionOf(cd, "InfrastructureReady")).toMatchObject({ status: "False", reason: "Provisioning" });
    expect(conditionOf(cd, "Ready")).toMatchObject({ status: "False", reason: "Provisioning" });
  });

  it("writes status under its own field manager and leaves other controllers' records alone", async () => {
    await create("shared");
    await reconciled("shared");
    const registration = {
      type: "register",
      jobId: "registration-test",
      generation: 1,
      result: "Succeeded",
      message: "registered by another controller",
    };
    await client.patch(
      clusterDeploymentResource,
      ns,
      "shared",
      {
        apiVersion: "slipway.dev/v1alpha1",
        kind: "ClusterDeployment",
        metadata: { name: "shared", namespace: ns },
        status: { registration },
      },
      { type: "apply", subresource: "status", fieldManager: "slipway-registration", force: true },
    );
    // A new generation makes the controller write status again.
    await client.patch(
      clusterDeploymentResource,
      ns,
      "shared",
      { spec: { powerState: "Hibernating" } },
      { type: "merge" },
    );
    const after = await eventually("generation 2 reconciled", async () => {
      const cd = await get("shared");
      return cd.status?.observedGeneration === 2 ? cd : undefined;
    });
    expect(after.status?.registration).toMatchObject(registration);
    const managers = (after.metadata.managedFields as { manager?: string; subresource?: string }[])
      .filter((m) => m.subresource === "status")
      .map((m) => m.manager)
      .sort();
    expect(managers).toEqual([`slipway-${CLUSTER_DEPLOYMENT_CONTROLLER}`, "slipway-registration"]);
  });
});

describe("conditions other controllers own", () => {
  it("keeps a condition another field manager applied across its own writes and never takes it over", async () => {
    await create("foreign");
    await reconciled("foreign");
    const registered = {
      type: "Registered",
      status: "False",
      reason: "WaitingForHub",
      message: "written by another controller",
      lastTransitionTime: new Date().toISOString(),
    };
    await client.patch(
      clusterDeploymentResource,
      ns,
      "foreign",
      {
        apiVersion: "slipway.dev/v1alpha1",
        kind: "ClusterDeployment",
        metadata: { name: "foreign", namespace: ns },
        status: { conditions: [registered] },
      },
      { type: "apply", subresource: "status", fieldManager: "test-registration" },
    );
    // A new generation makes the controller write its status again.
    await client.patch(
      clusterDeploymentResource,
      ns,
      "foreign",
      { metadata: { labels: { a: "b" } }, spec: { hibernateAfter: "9h" } },
      { type: "merge" },
    );
    const cd = await eventually("foreign reconciled at generation 2", async () => {
      const current = await get("foreign");
      return current.status?.observedGeneration === 2 ? current : undefined;
    });
    expect(conditionOf(cd, "Registered")).toMatchObject({ status: "False", reason: "WaitingForHub" });
    expect(conditionOf(cd, "Ready")?.status).toBe("False");
    const owners =
      (cd.metadata as { managedFields?: { manager?: string; fieldsV1?: unknown }[] }).managedFields ?? [];
    const controllerFields = JSON.stringify(owners.filter((m) => m.manager !== "test-registration"));
    expect(controllerFields).not.toContain('"k:{\\"type\\":\\"Registered\\"}"');
  });
});
