import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ClusterDeploymentReason } from "../../../src/api/reasons.js";
import { TerminalStackError } from "../../../src/errors/index.js";
import { platformDefinition, stackProgramFor } from "../../../stacks/index.js";
import {
  controlPlaneManifests,
  firstAddress,
  podsReadiness,
} from "../../../stacks/hosted-kubernetes/manifests.js";
import { validateHostedKubernetesInputs } from "../../../stacks/hosted-kubernetes/inputs.js";
import {
  byResource,
  canary,
  canarySightings,
  hibernationDiff,
  runCloudProgram,
} from "../../harness/cloud-mocks.js";

// Management mode (platform `kubernetes`, HostedCluster only): the program's objects, decided without a cluster.
// test/e2e/stacks/management-kubernetes.test.ts applies them with the real provider to the dev hub.
const UID = "0b7c2f4e-9d1a-4c4e-8f00-5a1e2d3c4b5a";
const raw = (platform: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  clusterName: "hc-a",
  powerState: "Running",
  clusterUID: UID,
  version: "1.36.3",
  platform: {
    credentialsRef: { name: "management" },
    imageRepository: "mirror.example.com/k8s",
    ...platform,
  },
  ...extra,
});
const kubernetes = platformDefinition("kubernetes")!;
const run = (powerState: "Running" | "Hibernating", secret = canary(), extra: Record<string, unknown> = {}) =>
  runCloudProgram(
    kubernetes,
    { ...raw({}, extra), powerState },
    {
      kind: "HostedCluster",
      credentials: { kubeconfig: `apiVersion: v1\nkind: Config\n# ${secret}\n` },
      // What the API server fills in: no replica is ready on a management cluster without nodes.
      state: (args) => (args.type.startsWith("kubernetes:apps/v1:") ? { status: { readyReplicas: 0 } } : {}),
    },
  );

describe("management mode (platform kubernetes)", () => {
  it("is a HostedCluster-only platform that needs the Kubernetes provider plugin and the management kubeconfig", () => {
    expect(kubernetes.programs.ClusterDeployment).toBeUndefined();
    expect(kubernetes.plugins).toEqual([{ name: "kubernetes", sdkPackage: "@pulumi/kubernetes" }]);
    expect(kubernetes.credentials).toEqual({ keys: ["kubeconfig"] });
    expect(() => stackProgramFor("ClusterDeployment", "kubernetes")).toThrow(/no ClusterDeployment program/);
    expect(stackProgramFor("HostedCluster", "kubernetes")).toBe(kubernetes.programs.HostedCluster);
  });

  it("refuses a version without a patch number (the images' tag) and an image repository with a scheme", () => {
    const refusal = (input: unknown) => {
      try {
        validateHostedKubernetesInputs(input);
      } catch (e) {
        expect(e).toBeInstanceOf(TerminalStackError);
        expect((e as TerminalStackError).reason).toBe(ClusterDeploymentReason.InvalidInputs);
        return (e as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refusal({ ...raw(), version: "1.36" })).toMatch(
      /release.version 1.36 has no patch number.*1\.36\.0/,
    );
    expect(refusal(raw({ imageRepository: "https://mirror.example.com" }))).toMatch(
      /inputs\.platform\.imageRepository/,
    );
  });

  it("lays out etcd, kube-apiserver, kube-controller-manager and kube-scheduler in the cluster's own namespace", () => {
    const m = controlPlaneManifests(validateHostedKubernetesInputs(raw()));
    expect(m.namespace.metadata).toMatchObject({ name: "hcp-hc-a" });
    const apiServer = m.apiServer.spec as {
      template: { spec: { containers: { image: string; args: string[] }[] } };
    };
    const container = apiServer.template.spec.containers[0]!;
    expect(container.image).toBe("mirror.example.com/k8s/kube-apiserver:v1.36.3");
    expect(container.args).toContain("--etcd-servers=http://etcd-0.etcd.hcp-hc-a.svc:2379");
    expect(container.args).toContain("--service-cluster-ip-range=172.31.0.0/16");
    // No konnectivity: nothing but the four components.
    expect(Object.keys(m).sort()).toEqual([
      "apiServer",
      "apiServerService",
      "controllerManager",
      "etcd",
      "etcdPolicy",
      "etcdService",
      "namespace",
      "scheduler",
    ]);
    // HighlyAvailable: three etcd members that know each other, three of each component with leader election.
    const ha = controlPlaneManifests(
      validateHostedKubernetesInputs(raw({}, { controllerAvailabilityPolicy: "HighlyAvailable" })),
    );
    expect(ha.etcd.spec).toMatchObject({ replicas: 3 });
    const etcdArgs = (ha.etcd.spec as { template: { spec: { containers: { args: string[] }[] } } }).template
      .spec.containers[0]!.args;
    expect(etcdArgs.find((a) => a.startsWith("--initial-cluster="))).toBe(
      "--initial-cluster=" +
        [0, 1, 2].map((i) => `etcd-${i}=http://etcd-${i}.etcd.hcp-hc-a.svc:2380`).join(","),
    );
    expect(JSON.stringify(ha.scheduler)).toContain("--leader-elect=true");
  });

  it("puts the hosted cluster's kubernetes Service IP in the serving certificate", () => {
    expect(firstAddress("172.31.0.0/16")).toBe("172.31.0.1");
    expect(firstAddress("10.96.0.0/12")).toBe("10.96.0.1");
    expect(firstAddress("fd00:10:96::/112")).toBe("fd00:10:96::1");
  });

  it("says which pods it waits for, in words", () => {
    expect(
      podsReadiness([
        { name: "etcd", wanted: 1, ready: 0 },
        { name: "kube-apiserver", wanted: 1, ready: 1 },
      ]),
    ).toEqual({
      ready: false,
      message:
        "applied, waiting for pods: etcd 0/1 ready (a management cluster with no schedulable nodes never runs them)",
    });
    expect(podsReadiness([{ name: "etcd", wanted: 0, ready: 0 }]).ready).toBe(true);
  });

  it("outputs a secret admin kubeconfig for the Service, certificates only in Secrets, no management credential in sight", async () => {
    const secret = canary();
    const created = await run("Running", secret);
    expect(created.outputs.apiURL).toEqual({
      value: "https://kube-apiserver.hcp-hc-a.svc:6443",
      secret: false,
    });
    expect(created.outputs.kubeconfig!.secret).toBe(true);
    expect(String(created.outputs.kubeconfig!.value)).toContain("client-certificate-data:");
    expect(created.outputs.controlPlaneReady).toEqual({ value: false, secret: false });
    expect(String(created.outputs.controlPlaneMessage!.value)).toMatch(
      /^applied, waiting for pods: etcd 0\/1/,
    );
    expect(canarySightings(created, secret)).toEqual([]);
    // The serving certificate carries the Service's names and the hosted `kubernetes` Service IP.
    const pki = byResource(created).get("kubernetes:core/v1:Secret hc-a-pki")!;
    // A secret input reaches the mocks as Pulumi's secret wrapper: { <sig>: <secret sig>, value }.
    const data = (pki.data as { value: Record<string, string> }).value;
    const serving = new X509Certificate(Buffer.from(data["apiserver.crt"]!, "base64"));
    expect(serving.subjectAltName).toContain("DNS:kube-apiserver.hcp-hc-a.svc");
    expect(serving.subjectAltName).toContain("IP Address:172.31.0.1");
    expect(serving.checkIssued(new X509Certificate(Buffer.from(data["ca.crt"]!, "base64")))).toBe(true);
  });

  it("hibernates by scaling every workload to zero and changes nothing else", async () => {
    const secret = canary();
    const running = await run("Running", secret);
    const hibernating = await run("Hibernating", secret);
    const diff = hibernationDiff(running, hibernating);
    // The PKI differs between two runs of the mocks only (a real run keeps the first one: ignoreChanges).
    delete diff["kubernetes:core/v1:Secret hc-a-pki"];
    for (const key of Object.keys(diff)) if (key.includes("kubeconfig")) delete diff[key];
    expect(diff).toEqual({
      "kubernetes:apps/v1:StatefulSet hc-a-etcd": ["spec.replicas"],
      "kubernetes:apps/v1:Deployment hc-a-kube-apiserver": ["spec.replicas"],
      "kubernetes:apps/v1:Deployment hc-a-kube-controller-manager": ["spec.replicas"],
      "kubernetes:apps/v1:Deployment hc-a-kube-scheduler": ["spec.replicas"],
    });
  });
});
