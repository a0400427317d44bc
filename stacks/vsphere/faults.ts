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
