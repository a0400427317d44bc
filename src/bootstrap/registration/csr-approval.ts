import { csrSubject } from "./csr-subject.js";
import { bootstrapUser, CSR_CLUSTER_NAME_LABEL } from "./names.js";

/** The parts of a CertificateSigningRequest approval looks at. */
export interface CsrView {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: {
    /** Set by the API server from the requester's credentials: it cannot be forged. */
    username?: string;
    signerName?: string;
    usages?: string[];
    /** Base64 of the PEM request. */
    request?: string;
  };
  status?: { conditions?: { type?: string }[]; certificate?: string };
}

export const CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";
const ALLOWED_USAGES = new Set(["client auth", "digital signature", "key encipherment"]);

export type ApprovalDecision = { approve: true } | { approve: false; pending: boolean; why: string };

export function csrDecided(csr: CsrView): boolean {
  return (csr.status?.conditions ?? []).some(
    (c) => c.type === "Approved" || c.type === "Denied" || c.type === "Failed",
  );
}

/**
 * Whether Slipway approves an OCM agent's certificate request for `clusterName`, a cluster Slipway provisioned.
 * Slipway vouches for the cluster by its bootstrap identity: the request must come from that cluster's own
 * bootstrap ServiceAccount (spec.username, set by the API server) and ask for exactly the identity OCM gives
 * that cluster's agent (CN system:open-cluster-management:<cluster>:<agent>, O
 * system:open-cluster-management:<cluster>), for client authentication only. So a bootstrap credential of
 * cluster A can never get a certificate for cluster B, and an agent Slipway did not set up is never approved.
 * OCM's own renewal approver handles renewals (requested by the cluster's current certificate).
 */
export function approvalDecision(csr: CsrView, clusterName: string): ApprovalDecision {
  const refuse = (why: string, pending = false): ApprovalDecision => ({ approve: false, pending, why });
  if (csrDecided(csr)) return refuse("already decided");
  if (csr.metadata?.labels?.[CSR_CLUSTER_NAME_LABEL] !== clusterName)
    return refuse(`it is not labelled for cluster ${clusterName}`);
  const spec = csr.spec ?? {};
  if (spec.signerName !== CLIENT_SIGNER) return refuse(`its signer is ${spec.signerName ?? "unset"}`);
  if (spec.username !== bootstrapUser(clusterName))
    return refuse(
      `it was requested by ${spec.username ?? "nobody"}, not by the cluster's bootstrap identity`,
    );
  const usages = spec.usages ?? [];
  if (!usages.includes("client auth") || usages.some((u) => !ALLOWED_USAGES.has(u)))
    return refuse(
      `it asks for usages ${usages.join(", ") || "none"}; only client authentication is vouched for`,
    );
  let subject;
  try {
    subject = csrSubject(Buffer.from(spec.request ?? "", "base64"));
  } catch (error) {
    return refuse(`its request cannot be read: ${(error as Error).message}`);
  }
  const group = `system:open-cluster-management:${clusterName}`;
  const agentName = subject.commonName?.startsWith(`${group}:`)
    ? subject.commonName.slice(group.length + 1)
    : "";
  if (!agentName || agentName.includes(":"))
    return refuse(
      `its common name ${subject.commonName ?? "(none)"} is not an agent of cluster ${clusterName}`,
    );
  const allowedGroups = new Set([group, "system:open-cluster-management:managed-clusters"]);
  if (!subject.organizations.includes(group) || subject.organizations.some((o) => !allowedGroups.has(o)))
    return refuse(
      `its organizations ${subject.organizations.join(", ") || "(none)"} are not those of cluster ${clusterName}`,
    );
  return { approve: true };
}
