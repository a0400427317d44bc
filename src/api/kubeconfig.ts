/**
 * The kubeconfig file format (clientcmd's v1 Config) for one cluster, one user and one context: what Slipway hands
 * out for a cluster it made, and what OCM's agent bootstraps with. Rendered as YAML text so that it can be stored
 * in a Secret or a stack output as it is.
 */

/** How the user authenticates: a bearer token, or a client certificate and key (PEM, base64 as the file wants). */
export type KubeconfigCredentials =
  { token: string } | { clientCertificateData: string; clientKeyData: string };

export interface KubeconfigParts {
  /** Name of the cluster entry, and of the context unless `context` says otherwise. */
  cluster: string;
  server: string;
  /** The cluster's CA bundle, base64; absent: the system roots. */
  caData?: string;
  /** Name of the user entry. */
  user: string;
  context?: string;
  credentials: KubeconfigCredentials;
  /** A comment put first, for a person reading the file. */
  header?: string;
}

export function renderKubeconfig(parts: KubeconfigParts): string {
  const { cluster, server, caData, user, credentials, header } = parts;
  const context = parts.context ?? cluster;
  const auth =
    "token" in credentials
      ? [`    token: ${credentials.token}`]
      : [
          `    client-certificate-data: ${credentials.clientCertificateData}`,
          `    client-key-data: ${credentials.clientKeyData}`,
        ];
  return [
    ...(header ? [`# ${header}`] : []),
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${cluster}`,
    "  cluster:",
    `    server: ${server}`,
    ...(caData ? [`    certificate-authority-data: ${caData}`] : []),
    "users:",
    `- name: ${user}`,
    "  user:",
    ...auth,
    "contexts:",
    `- name: ${context}`,
    "  context:",
    `    cluster: ${cluster}`,
    `    user: ${user}`,
    `current-context: ${context}`,
    "",
  ].join("\n");
}
