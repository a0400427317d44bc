/**
 * A cloud NodePool's bootstrap token (kubeadm's format, `<6>.<16>`): how its machines' kubelets authenticate to the
 * hosted API to ask for their certificates (TLS bootstrapping). It is generated once per pool into a Secret on the
 * hub that the pool owns, registered in the hosted API as a bootstrap-token Secret with the RBAC kubeadm grants
 * bootstrappers, and read by the worker when a job runs: never in a status, log, event or job payload.
 */
import { randomBytes } from "node:crypto";
import { derivedName } from "../../api/names.js";
import type { KubeObject, ResourceRef } from "../../api/object.js";
import type { NodePool } from "../../api/node-pool.js";
import { secretResource } from "../../api/resources.js";
import type { KubeClient } from "../../runtime/kube-client.js";

type Secret = KubeObject & { data?: Record<string, string>; type?: string };

const TOKEN_ID = "token-id";
const TOKEN_SECRET = "token-secret";
/** The group the tokens' users join (kubeadm's is system:bootstrappers:kubeadm:default-node-token). */
export const BOOTSTRAPPERS_GROUP = "system:bootstrappers:slipway:nodepools";
const FIELD_MANAGER = "slipway-node-pool";

const clusterRoleBindingResource: ResourceRef = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  plural: "clusterrolebindings",
  kind: "ClusterRoleBinding",
  namespaced: false,
};

/** The hub Secret holding a pool's token, in its namespace. */
export function joinTokenSecretName(pool: NodePool): string {
  return derivedName(pool.metadata.name!, "-join-token");
}

const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
function randomText(length: number): string {
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join("");
}

export interface JoinToken {
  id: string;
  secret: string;
}

const decode = (value: string | undefined) => (value ? Buffer.from(value, "base64").toString("utf8") : "");

/** The pool's token, made on first call (a Secret owned by the pool, so it goes with it). */
export async function ensureJoinToken(hub: KubeClient, pool: NodePool): Promise<JoinToken> {
  const namespace = pool.metadata.namespace!;
  const name = joinTokenSecretName(pool);
  const existing = await hub.getIfExists<Secret>(secretResource, namespace, name);
  if (existing?.data?.[TOKEN_ID] && existing.data[TOKEN_SECRET])
    return { id: decode(existing.data[TOKEN_ID]), secret: decode(existing.data[TOKEN_SECRET]) };
  const token = { id: randomText(6), secret: randomText(16) };
  await hub.create(secretResource, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace,
      labels: { "slipway.dev/nodepool": derivedName(pool.metadata.name!, "", 63) },
      ownerReferences: [
        {
          apiVersion: pool.apiVersion ?? "slipway.dev/v1alpha1",
          kind: "NodePool",
          name: pool.metadata.name!,
          uid: pool.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    type: "Opaque",
    stringData: { [TOKEN_ID]: token.id, [TOKEN_SECRET]: token.secret },
  });
  return token;
}

/** The pool's token as a kubelet presents it (`<id>.<secret>`), for the worker; undefined before the controller made it. */
export async function readJoinToken(hub: KubeClient, pool: NodePool): Promise<string | undefined> {
  const secret = await hub.getIfExists<Secret>(
    secretResource,
    pool.metadata.namespace,
    joinTokenSecretName(pool),
  );
  const id = decode(secret?.data?.[TOKEN_ID]);
  const value = decode(secret?.data?.[TOKEN_SECRET]);
  return id && value ? `${id}.${value}` : undefined;
}

/** Takes the pool's token out of the hosted API (its machines are gone): best effort, the API may be down. */
export async function unregisterJoinToken(
  hub: KubeClient,
  hosted: KubeClient,
  pool: NodePool,
): Promise<void> {
  const id = (await readJoinToken(hub, pool))?.split(".")[0];
  if (!id) return;
  await hosted.delete(secretResource, "kube-system", `bootstrap-token-${id}`).catch(() => undefined);
}

/**
 * The token in the hosted API, as kubeadm registers one: a bootstrap-token Secret in kube-system (authentication,
 * the bootstrappers group), and bindings that let bootstrappers ask for node client certificates and have them
 * approved, and let nodes renew their own. Applied on every pass (server-side apply: nothing changes when nothing
 * did).
 */
export async function registerJoinToken(hosted: KubeClient, token: JoinToken): Promise<void> {
  const secretName = `bootstrap-token-${token.id}`;
  await hosted.patch(
    secretResource,
    "kube-system",
    secretName,
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secretName, namespace: "kube-system" },
      type: "bootstrap.kubernetes.io/token",
      stringData: {
        [TOKEN_ID]: token.id,
        [TOKEN_SECRET]: token.secret,
        "usage-bootstrap-authentication": "true",
        "usage-bootstrap-signing": "true",
        "auth-extra-groups": BOOTSTRAPPERS_GROUP,
        description: "Slipway NodePool join token",
      },
    },
    { type: "apply", fieldManager: FIELD_MANAGER, force: true },
  );
  const bindings: [string, string, { kind: string; name: string }][] = [
    ["slipway:kubelet-bootstrap", "system:node-bootstrapper", { kind: "Group", name: BOOTSTRAPPERS_GROUP }],
    [
      "slipway:node-autoapprove-bootstrap",
      "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
      { kind: "Group", name: BOOTSTRAPPERS_GROUP },
    ],
    [
      "slipway:node-autoapprove-certificate-rotation",
      "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
      { kind: "Group", name: "system:nodes" },
    ],
  ];
  for (const [name, role, subject] of bindings)
    await hosted.patch(
      clusterRoleBindingResource,
      undefined,
      name,
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", ...subject }],
      },
      { type: "apply", fieldManager: FIELD_MANAGER, force: true },
    );
}
