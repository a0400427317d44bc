import { ClusterDeploymentReason } from "../../src/api/reasons.js";
import { Vim25FaultError } from "../../src/errors/index.js";

/**
 * What a vSphere failure means for a cluster's next attempt: retrying helps (vCenter away, a task that ran out of
 * time, a VM caught mid-transition) or a person must act first (credentials, CA, a missing inventory object, a
 * full datastore). `cause` names which, for the condition the ClusterDeployment gets; it says nothing secret.
 */
export interface VSphereFaultClass {
  retry: boolean;
  cause:
    | "LoginFailed"
    | "CertificateUntrusted"
    | "InventoryNotFound"
    | "PermissionDenied"
    | "DatastoreFull"
    | "Unreachable"
    | "TaskTimedOut"
    | "Transient";
}

/** Node's codes for a certificate that does not verify against the CA given (or the system roots). */
const CERTIFICATE_CODES =
  /\b(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|CERT_SIGNATURE_FAILURE)\b/;

export function classifyVSphereFault(error: unknown): VSphereFaultClass {
  if (!(error instanceof Vim25FaultError)) return { retry: true, cause: "Transient" };
  switch (error.fault) {
    case "InvalidLogin":
    case "NotAuthenticated":
      // NotAuthenticated mid-run is an expired session, which the next attempt's login renews.
      return error.method === "Login"
        ? { retry: false, cause: "LoginFailed" }
        : { retry: true, cause: "Transient" };
    case "NoPermission":
      return { retry: false, cause: "PermissionDenied" };
    case "NotFound":
      return { retry: false, cause: "InventoryNotFound" };
    case "NoDiskSpace":
      return { retry: false, cause: "DatastoreFull" };
    case "TaskTimeout":
      return { retry: true, cause: "TaskTimedOut" };
    case "Transport":
      return CERTIFICATE_CODES.test(error.message)
        ? { retry: false, cause: "CertificateUntrusted" }
        : { retry: true, cause: "Unreachable" };
    default:
      // InvalidPowerState, TaskInProgress, a server fault nobody foresaw: attempts are bounded, so retry.
      return { retry: true, cause: "Transient" };
  }
}

/** The condition reason (src/api/reasons.ts) of each fault class, and of a VM name another cluster holds. */
export const VSPHERE_FAULT_REASONS = {
  LoginFailed: ClusterDeploymentReason.VSphereLoginFailed,
  CertificateUntrusted: ClusterDeploymentReason.VSphereCertificateUntrusted,
  InventoryNotFound: ClusterDeploymentReason.VSphereInventoryNotFound,
  PermissionDenied: ClusterDeploymentReason.VSpherePermissionDenied,
  DatastoreFull: ClusterDeploymentReason.VSphereDatastoreFull,
  Unreachable: ClusterDeploymentReason.VSphereUnreachable,
  TaskTimedOut: ClusterDeploymentReason.VSphereTaskTimedOut,
  Transient: ClusterDeploymentReason.VSphereTransientFault,
} as const satisfies Record<VSphereFaultClass["cause"], string>;

/**
 * The failures the vsphere provider reports, each as `<Reason>: <what happened>; <what to do>` at the start of its
 * message, and whether retrying can help: the rows src/queue/pulumi-errors.ts adds to its table (through the
 * platform's `faults`).
 */
export const vsphereFaults: readonly { reason: string; retry: boolean }[] = [
  ...(Object.keys(VSPHERE_FAULT_REASONS) as VSphereFaultClass["cause"][]).map((cause) => ({
    reason: VSPHERE_FAULT_REASONS[cause],
    retry: ["Unreachable", "TaskTimedOut", "Transient"].includes(cause),
  })),
  // A VM name the cluster wants is held by another cluster's VM: a person must rename or remove one.
  { reason: ClusterDeploymentReason.VSphereNameConflict, retry: false },
];

/** What a person does about each class; retried classes say what Slipway does meanwhile. */
const WHAT_TO_DO: Record<VSphereFaultClass["cause"], (where: FaultContext) => string> = {
  LoginFailed: (c) =>
    `vCenter ${c.vCenter} refused the login: correct username and password in the Secret spec.platform.vsphere.credentialsRef names (${c.credentialsSecret})`,
  CertificateUntrusted: (c) =>
    `vCenter ${c.vCenter}'s certificate does not verify against ${c.caSource}: put the CA that signs it in ca.crt of the Secret spec.platform.vsphere.certificatesRef names`,
  InventoryNotFound: () =>
    "fix spec.platform.vsphere (datacenter, cluster, folder, resourcePool, defaultDatastore, network, template) or create the object in vCenter",
  PermissionDenied: () =>
    "grant the vCenter user the privileges docs/platforms/vsphere.md lists on the datacenter, folder, pool, datastore and network",
  DatastoreFull: () =>
    "free space on the datastore or set spec.platform.vsphere.defaultDatastore to one with room, then change the spec to try again",
  Unreachable: (c) =>
    `vCenter ${c.vCenter} did not answer; retrying (an interrupted clone is adopted, not cloned twice)`,
  TaskTimedOut: () => "a vCenter task did not finish in time; retrying",
  Transient: () => "retrying",
};

export interface FaultContext {
  vCenter: string;
  credentialsSecret: string;
  /** "the CA of Secret x" or "the system roots". */
  caSource: string;
}

/**
 * The error the provider throws for a failed vSphere call: its reason first (what src/queue/pulumi-errors.ts
 * matches), the fault, then what to do. Vim25FaultError messages hold no secret (the password is sent once and
 * never echoed), so the message may reach a condition.
 */
export function vsphereProviderError(error: unknown, context: FaultContext): Error {
  const { cause } = classifyVSphereFault(error);
  const what = error instanceof Error ? error.message : String(error);
  return new Error(`${VSPHERE_FAULT_REASONS[cause]}: ${what}; ${WHAT_TO_DO[cause](context)}`, {
    cause: error,
  });
}
