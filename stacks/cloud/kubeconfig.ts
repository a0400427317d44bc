import type * as pulumi from "@pulumi/pulumi";
import { all } from "@pulumi/pulumi";

/** How a kubeconfig's user authenticates: a bearer token, or the client certificate the cloud issued. */
export type KubeconfigUser = { token: string };

/** A one-context kubeconfig for a cluster the cloud runs. */
export function renderKubeconfig(name: string, server: string, caData: string, user: KubeconfigUser): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${name}`,
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${caData}`,
    "users:",
    `- name: ${name}-slipway`,
    "  user:",
    `    token: ${user.token}`,
    "contexts:",
    `- name: ${name}`,
    "  context:",
    `    cluster: ${name}`,
    `    user: ${name}-slipway`,
    `current-context: ${name}`,
    "",
  ].join("\n");
}

/** The same from Pulumi outputs; the result is a secret (the token is). */
export function kubeconfigOutput(
  name: string,
  server: pulumi.Input<string>,
  caData: pulumi.Input<string>,
  token: pulumi.Input<string>,
): pulumi.Output<string> {
  return all([server, caData, token]).apply(([s, ca, t]) => renderKubeconfig(name, s, ca, { token: t }));
}

/** The first cluster's server and CA of a kubeconfig (an AKS admin kubeconfig, say). */
export function kubeconfigCluster(kubeconfig: string): { server: string; caData: string } {
  const server = /^\s*server:\s*(\S+)\s*$/m.exec(kubeconfig)?.[1] ?? "";
  const caData = /^\s*certificate-authority-data:\s*(\S+)\s*$/m.exec(kubeconfig)?.[1] ?? "";
  return { server, caData };
}
