import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterDeployment } from "../../../src/api/index.js";
import type { KubeObject } from "../../../src/api/object.js";
import { clusterDeploymentResource, coreResources, secretResource } from "../../../src/api/resources.js";
import { getCondition, type Condition } from "../../../src/runtime/conditions.js";
import type { KubeClient } from "../../../src/runtime/kube-client.js";
import { pulumiHomeFor, requiredPlugins } from "../../../stacks/index.js";
import {
  startClusterDeploymentController,
  type InProcessController,
} from "../../harness/cluster-deployment-controller.js";
import { eventually } from "../../harness/eventually.js";
import { temporaryFolders } from "../../harness/temporary-folders.js";

/*
 * An aws ClusterDeployment on the hub whose worker has no AWS provider plugin (none can be downloaded here): the
 * controller in-process, with a state folder of its own whose Pulumi home starts empty, and no worker (a queued
 * job is all the healing needs to show).
 */
let controller: InProcessController;
let client: KubeClient;
let ns: string;
let stateDir: string;
const tempFolder = temporaryFolders("slipway-plugin-missing-");
const canary = `CANARY${randomBytes(8).toString("hex")}`;

beforeAll(async () => {
  stateDir = tempFolder();
  controller = await startClusterDeploymentController({ name: "plugin-missing", stateDir });
  ({ client, namespace: ns } = controller);
});

afterAll(async () => {
  await controller?.stop();
});

const stalled = (cd: ClusterDeployment) =>
  getCondition(cd.status?.conditions as Condition[] | undefined, "Stalled");

describe("a cloud cluster whose provider plugin is not installed", () => {
  it("stalls at once naming the plugin, its version and how to install it, creates nothing, and goes on by itself once it is there", async () => {
    await client.create(secretResource, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "aws-creds", namespace: ns },
      stringData: { aws_access_key_id: `AKIA${canary}`, aws_secret_access_key: canary },
    } as KubeObject);
    await client.create(clusterDeploymentResource, {
      apiVersion: "slipway.dev/v1alpha1",
      kind: "ClusterDeployment",
      metadata: { name: "eks", namespace: ns },
      spec: {
        clusterName: "eks",
        platform: { aws: { region: "eu-west-1", credentialsRef: { name: "aws-creds" } } },
      },
    } as never);
    const [aws] = requiredPlugins([{ name: "aws", sdkPackage: "@pulumi/aws" }]);
    const waiting = await eventually("eks stalled on its plugin", async () => {
      const cd = await client.get<ClusterDeployment>(clusterDeploymentResource, ns, "eks");
      return stalled(cd)?.reason === "ProviderPluginMissing" ? cd : undefined;
    });
    const message = stalled(waiting)!.message!;
    expect(message).toContain(`aws ${aws!.version}`);
    expect(message).toContain(`pulumi plugin install resource aws ${aws!.version} --file`);
    expect(message).toContain(pulumiHomeFor(stateDir));
    expect(message).toMatch(/mirror/);
    // Nothing ran: no job, no stack.
    expect(waiting.status?.stack).toBeUndefined();
    const events = await client.list<KubeObject>(coreResources.events, { namespace: ns });
    expect(JSON.stringify(waiting)).not.toContain(canary);
    expect(JSON.stringify(events.items)).not.toContain(canary);

    // The plugin arrives (as `pulumi plugin install` leaves it): the next look, at most 10 s later, queues the up.
    mkdirSync(join(pulumiHomeFor(stateDir), "plugins", `resource-aws-v${aws!.version}`), { recursive: true });
    const going = await eventually(
      "eks taken up without a spec change",
      async () => {
        const cd = await client.get<ClusterDeployment>(clusterDeploymentResource, ns, "eks");
        return cd.status?.stack?.type === "up" ? cd : undefined;
      },
      30_000,
    );
    expect(going.metadata.generation).toBe(1);
    expect(stalled(going)?.status).not.toBe("True");
    // The queued job holds references only: the worker reads the Secret when it runs.
    const job = await controller.queue.lookup(going.status!.stack!.jobId);
    expect(job.data).toMatchObject({ namespace: ns, name: "eks", operation: "up" });
    expect(JSON.stringify(job)).not.toContain(canary);
  });
});
