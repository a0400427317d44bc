/**
 * What Pulumi's mocks answer for each cloud platform (the values a cloud computes: endpoints, ARNs, tokens) and a
 * credentials Secret of each, for tests that run the cloud programs (test/unit/stacks).
 */
import { platformDefinition } from "../../stacks/index.js";
import { sampleRunner, type MockCall, type MockState } from "./cloud-mocks.js";

export const AWS_ACCOUNT = "123456789012";

export const awsMocks: { state: MockState; call: MockCall } = {
  state: (args) => {
    if (args.type === "aws:eks/cluster:Cluster")
      return {
        endpoint: `https://${args.inputs.name}.gr7.eu-west-1.eks.amazonaws.com`,
        certificateAuthority: { data: "Q0EgZGF0YQ==" },
      };
    if (args.type === "aws:iam/role:Role")
      return { name: args.name, arn: `arn:aws:iam::${AWS_ACCOUNT}:role/${args.name}` };
    return {};
  },
  call: (args) => {
    if (args.token === "aws:index/getCallerIdentity:getCallerIdentity")
      return {
        arn: `arn:aws:iam::${AWS_ACCOUNT}:user/slipway`,
        accountId: AWS_ACCOUNT,
        userId: "AIDA",
        id: AWS_ACCOUNT,
      };
    if (args.token === "aws:eks/getClusterAuth:getClusterAuth")
      return { name: args.inputs.name, id: args.inputs.name, token: "k8s-aws-v1.minted" };
    return {};
  },
};

export const awsCredentials = (secret: string) => ({
  aws_access_key_id: "AKIAEXAMPLE",
  aws_secret_access_key: secret,
});

export const gcpMocks: { state: MockState; call: MockCall } = {
  state: (args) => {
    if (args.type === "gcp:container/cluster:Cluster")
      return { endpoint: "34.78.1.2", masterAuth: { clusterCaCertificate: "R0tFIENB" } };
    return {};
  },
  call: (args) =>
    args.token === "gcp:organizations/getClientConfig:getClientConfig"
      ? { accessToken: "ya29.minted", project: "fleet-prod-1", region: "", zone: "", id: "client" }
      : {},
};

export const gcpCredentials = (secret: string) => ({
  "osServiceAccount.json": JSON.stringify({
    type: "service_account",
    project_id: "fleet-prod-1",
    private_key: secret,
  }),
});

export const AKS_ADMIN_KUBECONFIG = [
  "apiVersion: v1",
  "clusters:",
  "- cluster:",
  "    certificate-authority-data: QUtTIENB",
  "    server: https://shop-c0ffe-dns.hcp.westeurope.azmk8s.io:443",
  "  name: shop-c0ffe",
  "users:",
  "- name: clusterAdmin",
  "  user:",
  "    client-key-data: a2V5",
  "",
].join("\n");

export const azureMocks: { state: MockState; call: MockCall } = {
  state: (args) =>
    args.type === "azure-native:resources:ResourceGroup" ? { name: args.inputs.resourceGroupName } : {},
  call: (args) =>
    args.token === "azure-native:containerservice:listManagedClusterAdminCredentials"
      ? {
          kubeconfigs: [
            { name: "clusterAdmin", value: Buffer.from(AKS_ADMIN_KUBECONFIG).toString("base64") },
          ],
        }
      : {},
};

export const azureCredentials = (secret: string) => ({
  "osServicePrincipal.json": JSON.stringify({
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    tenantId: "00000000-0000-0000-0000-000000000002",
    clientId: "00000000-0000-0000-0000-000000000003",
    clientSecret: secret,
  }),
});

const clouds = {
  aws: { ...awsMocks, credentials: awsCredentials },
  azure: { ...azureMocks, credentials: azureCredentials },
  gcp: { ...gcpMocks, credentials: gcpCredentials },
};

/**
 * One cloud's ClusterDeployment program for a base cluster (name, uid, the platform fields every sample sets): its
 * definition, `run(spec, opts)` under this file's mocks and credentials, and `validate(platform)`, a thunk that
 * validates the base with `platform` merged in (for toThrow).
 */
export function cloudProgram(
  name: keyof typeof clouds,
  base: { clusterName: string; clusterUID: string; platform: Record<string, unknown> },
) {
  const definition = platformDefinition(name)!;
  return {
    definition,
    run: sampleRunner(definition, base, clouds[name]),
    validate: (platform: Record<string, unknown>) => () =>
      definition.programs.ClusterDeployment!.validate({
        clusterName: base.clusterName,
        powerState: "Running",
        platform: { ...base.platform, ...platform },
        clusterUID: base.clusterUID,
      }),
  };
}
