import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PulumiRunner, type PulumiRunRequest } from "../../../src/queue/pulumi-runner.js";
import { toolsBinDir } from "../../../src/runtime/paths.js";
import { installToolsPlugins, pulumiHomeFor } from "../../../stacks/index.js";
import { eventually } from "../../harness/eventually.js";
import { hubKubeconfigPath, kubectl, kubectlOk } from "../../harness/hub.js";

// Management mode (platform `kubernetes`) end to end: the HostedCluster program runs through the real Pulumi CLI
// and the real Kubernetes provider plugin (built from its Go module by tools/build.sh, installed into the runner's
// Pulumi home as a worker does), with the shared test hub as the management cluster. The hub has no nodes, so the
// control plane is applied and waits for its pods; hibernation scales it to zero keeping its PKI, and destroy
// leaves nothing.
//
// Not part of `npm test`: the plugin is compiled from its Go module (about 100 minutes on a 2-core machine the first
// time, more than a fresh install may take), so this file runs on its own: `npm run test:management` builds the
// plugin (tools/build.sh, set `management`) and runs it (vitest.management.config.ts).
describe("management mode on the test hub", () => {
  let stateDir: string;
  let runner: PulumiRunner;
  const suffix = randomBytes(3).toString("hex");
  const namespace = `hcp-mm-${suffix}`;
  const stackName = `mm-${suffix}`;
  // A HostedCluster's metadata.uid: the same for every run of its stack (labels and selectors carry it).
  const clusterUID = randomUUIDFor(suffix);
  const figures: Record<string, number> = {};

  const run = async (operation: PulumiRunRequest["operation"], powerState: "Running" | "Hibernating") => {
    const result = await runner.run({
      kind: "HostedCluster",
      platform: "kubernetes",
      stackName,
      operation,
      inputs: {
        clusterName: `mm-${suffix}`,
        clusterUID,
        powerState,
        version: "1.36.3",
        platform: {
          credentialsRef: { name: "management" },
          imageRepository: "mirror.invalid/k8s",
          namespace,
        },
      },
      // The management cluster's kubeconfig, as the worker reads it from the Secret credentialsRef names.
      credentials: { kubeconfig: readFileSync(hubKubeconfigPath(), "utf8") },
    });
    figures[`${operation}-${powerState}`] = result.durationMs;
    return result;
  };
  const replicas = async () =>
    (
      await kubectlOk([
        "get",
        "deployments,statefulsets",
        "-n",
        namespace,
        "-o",
        "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.spec.replicas} {end}",
      ])
    ).trim();
  const caCert = () =>
    kubectlOk(["get", "secret", "control-plane-pki", "-n", namespace, "-o", "jsonpath={.data.ca\\.crt}"]);

  beforeAll(async () => {
    if (!existsSync(join(toolsBinDir, "pulumi-resource-kubernetes"))) {
      throw new Error(
        "tools/bin/pulumi-resource-kubernetes is missing: run `bash tools/build.sh management`",
      );
    }
    stateDir = await mkdtemp(join(tmpdir(), "slipway-mm-"));
    runner = new PulumiRunner({ toolsBinDir, stateDir, passphrase: "management-test-passphrase" });
    const started = Date.now();
    const installed = await installToolsPlugins(toolsBinDir, pulumiHomeFor(stateDir));
    figures.pluginInstall = Date.now() - started;
    expect(installed.map((p) => p.name)).toEqual(["kubernetes"]);
  });

  afterAll(async () => {
    await kubectl(["delete", "namespace", namespace, "--ignore-not-found", "--wait=false"]);
    await rm(stateDir, { recursive: true, force: true });
    console.log(`management mode figures (ms): ${JSON.stringify(figures)}`);
  });

  it("applies the control plane with the real provider, waits for its pods, hibernates keeping its PKI, and destroys it all", async () => {
    const created = await run("up", "Running");
    expect(created.outputs).toMatchObject({
      apiURL: `https://kube-apiserver.${namespace}.svc:6443`,
      powerState: "Running",
      controlPlaneReady: false,
    });
    expect(String(created.outputs.controlPlaneMessage)).toMatch(
      /^applied, waiting for pods: etcd 0\/1 ready, kube-apiserver 0\/1 ready/,
    );
    expect(created.secretOutputNames).toEqual(["kubeconfig"]);
    expect(String(created.outputs.kubeconfig)).toContain(
      `server: https://kube-apiserver.${namespace}.svc:6443`,
    );
    // Applied by the provider, server-side: every object is there with the provider as its field manager.
    expect(await replicas()).toBe(
      "Deployment/kube-apiserver=1 Deployment/kube-controller-manager=1 Deployment/kube-scheduler=1 StatefulSet/etcd=1",
    );
    const secrets = await kubectlOk(["get", "secrets", "-n", namespace, "-o", "name"]);
    for (const name of ["control-plane-pki", "admin-kubeconfig", "kube-scheduler-kubeconfig"])
      expect(secrets).toContain(`secret/${name}`);
    const managers = await kubectlOk([
      "get",
      "deployment",
      "kube-apiserver",
      "-n",
      namespace,
      "-o",
      "jsonpath={.metadata.managedFields[*].manager}",
    ]);
    expect(managers).toMatch(/pulumi-kubernetes/);
    // The stack's state holds the PKI encrypted only.
    const state = readFileSync(
      join(fileURLToPath(runner.backendUrl), ".pulumi", "stacks", "slipway", `${stackName}.json`),
      "utf8",
    );
    expect(state).not.toContain("BEGIN EC PRIVATE KEY");
    expect(state).not.toContain(Buffer.from("-----BEGIN EC PRIVATE KEY").toString("base64").slice(0, 20));
    const ca = await caCert();

    // Hibernate: every workload at zero, the same PKI (a new run's throwaway keys are ignored).
    const hibernated = await run("up", "Hibernating");
    expect(hibernated.outputs).toMatchObject({ powerState: "Hibernating", caData: created.outputs.caData });
    expect(await replicas()).toBe(
      "Deployment/kube-apiserver=0 Deployment/kube-controller-manager=0 Deployment/kube-scheduler=0 StatefulSet/etcd=0",
    );
    expect(await caCert()).toBe(ca);
    expect(hibernated.outputs.controlPlaneReady).toBe(true);

    // Destroy: the namespace and everything in it are gone.
    await run("destroy", "Hibernating");
    await eventually(`namespace ${namespace} gone`, async () => {
      const r = await kubectl(["get", "namespace", namespace]);
      return r.code !== 0 && /NotFound/.test(r.stderr) ? true : undefined;
    });
  });
});

/** A uid-shaped value for the test's HostedCluster (the program labels objects with it). */
function randomUUIDFor(suffix: string): string {
  return `${randomUUID().slice(0, 30)}${suffix}`;
}
