import type * as pulumi from "@pulumi/pulumi";
import { all } from "@pulumi/pulumi";
import { renderKubeconfig } from "../../src/api/kubeconfig.js";

/** A one-context kubeconfig for a cluster the cloud runs, from Pulumi outputs; the result is a secret (the token is). */
export function kubeconfigOutput(
  name: string,
  server: pulumi.Input<string>,
  caData: pulumi.Input<string>,
  token: pulumi.Input<string>,
): pulumi.Output<string> {
  return all([server, caData, token]).apply(([s, ca, t]) =>
    renderKubeconfig({
      cluster: name,
      server: s,
      caData: ca,
      user: `${name}-slipway`,
      credentials: { token: t },
    }),
  );
}

/** The first cluster's server and CA of a kubeconfig (an AKS admin kubeconfig, say). */
export function kubeconfigCluster(kubeconfig: string): { server: string; caData: string } {
  const server = /^\s*server:\s*(\S+)\s*$/m.exec(kubeconfig)?.[1] ?? "";
  const caData = /^\s*certificate-authority-data:\s*(\S+)\s*$/m.exec(kubeconfig)?.[1] ?? "";
  return { server, caData };
}
