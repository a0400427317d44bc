/**
 * How a cloud NodePool's machines join their hosted cluster (HyperShift's model: the control plane runs in
 * management mode, the machines run in the cloud and join its API). Their boot config writes a kubelet bootstrap
 * kubeconfig carrying a bootstrap token (TLS bootstrapping: the kubelet asks for its own certificate) and the
 * kubelet's flags for the pool's labels and taints. The token is secret: it reaches the program with the run's
 * credentials (one secret config value), and the boot config built from it is a secret output, so it is encrypted
 * in the state and shown in no plain output or log.
 */
import * as pulumi from "@pulumi/pulumi";
import { renderKubeconfig } from "../../src/api/kubeconfig.js";
import { NODE_POOL_LABEL, NODE_VERSION_LABEL } from "../../src/api/node-pool.js";
import { requireCredentials } from "../credentials.js";

/** The key of the run's credentials that holds the pool's bootstrap token (`<id>.<secret>`), beside the cloud's. */
export const JOIN_TOKEN_KEY = "slipway-join-token";

export const KUBELET_BOOTSTRAP_KUBECONFIG = "/etc/kubernetes/bootstrap-kubelet.conf";
export const KUBELET_KUBECONFIG = "/etc/kubernetes/kubelet.conf";
export const KUBELET_CA_FILE = "/etc/kubernetes/pki/ca.crt";

export interface NodeTaint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** What the boot config of a pool's machines says, besides the token. Never secret. */
export interface NodeJoin {
  poolName: string;
  clusterName: string;
  apiServer: string;
  caData: string;
  version: string;
  nodeLabels?: Record<string, string>;
  taints?: NodeTaint[];
}

/** The kubelet flags of a pool's nodes: its labels (and the pool's) and its taints, as kubeadm's nodeRegistration. */
export function kubeletArgs(join: NodeJoin): string[] {
  const labels = {
    ...(join.nodeLabels ?? {}),
    [NODE_POOL_LABEL]: join.poolName,
    [NODE_VERSION_LABEL]: join.version,
  };
  const args = [
    `--bootstrap-kubeconfig=${KUBELET_BOOTSTRAP_KUBECONFIG}`,
    `--kubeconfig=${KUBELET_KUBECONFIG}`,
    `--node-labels=${Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(",")}`,
  ];
  const taints = join.taints ?? [];
  if (taints.length > 0)
    args.push(
      `--register-with-taints=${taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`).join(",")}`,
    );
  return args;
}

const indent = (text: string, spaces: number) =>
  text
    .split("\n")
    .map((line) => (line === "" ? line : " ".repeat(spaces) + line))
    .join("\n");

/**
 * The cloud-init boot config of a pool's machines: the CA, the kubelet's bootstrap kubeconfig with the token, the
 * kubelet's flags, then the kubelet started. The image brings kubelet and a container runtime (an EKS-optimized
 * AMI, say). Pure; the result holds the token, so callers keep it secret (joinUserData).
 */
export function renderJoinUserData(join: NodeJoin, token: string): string {
  const bootstrap = renderKubeconfig({
    cluster: join.clusterName,
    server: join.apiServer,
    caData: join.caData,
    user: "kubelet-bootstrap",
    credentials: { token },
  });
  const dropIn = ["[Service]", `Environment="KUBELET_EXTRA_ARGS=${kubeletArgs(join).join(" ")}"`, ""].join(
    "\n",
  );
  return [
    "#cloud-config",
    "write_files:",
    `- path: ${KUBELET_CA_FILE}`,
    "  encoding: b64",
    `  content: ${join.caData}`,
    `- path: ${KUBELET_BOOTSTRAP_KUBECONFIG}`,
    '  permissions: "0600"',
    "  content: |",
    indent(bootstrap.trimEnd(), 4),
    "- path: /etc/systemd/system/kubelet.service.d/20-slipway-nodepool.conf",
    "  content: |",
    indent(dropIn.trimEnd(), 4),
    "runcmd:",
    "- systemctl daemon-reload",
    "- systemctl enable --now kubelet",
    "",
  ].join("\n");
}

/** The pool's bootstrap token from the run's credentials, as a secret output; fails the run without one. */
export function joinToken(): pulumi.Output<string> {
  return requireCredentials().apply((c) => {
    const token = c[JOIN_TOKEN_KEY];
    if (!token) throw new Error(`the run received no ${JOIN_TOKEN_KEY}: the NodePool controller passes it`);
    return token;
  });
}

/** The boot config as a secret output (base64 when the cloud wants it so: EC2 and Azure custom data). */
export function joinUserData(join: NodeJoin, opts: { base64: boolean }): pulumi.Output<string> {
  return pulumi.secret(
    joinToken().apply((token) => {
      const text = renderJoinUserData(join, token);
      return opts.base64 ? Buffer.from(text).toString("base64") : text;
    }),
  );
}
