import { describe, expect, it } from "vitest";
import { Vim25FaultError } from "../../../../src/errors/index.js";
import { classifyVSphereFault } from "../../../../stacks/vsphere/faults.js";

const fault = (method: string, name: string, message = "") => new Vim25FaultError(method, name, message);

describe("vsphere fault classes", () => {
  it("stops on what a person must fix: login, CA, inventory, permission, a full datastore", () => {
    expect(classifyVSphereFault(fault("Login", "InvalidLogin"))).toEqual({
      retry: false,
      cause: "LoginFailed",
    });
    expect(
      classifyVSphereFault(
        fault("Login", "Transport", "DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate"),
      ),
    ).toEqual({ retry: false, cause: "CertificateUntrusted" });
    expect(classifyVSphereFault(fault("FindByInventoryPath", "NotFound"))).toEqual({
      retry: false,
      cause: "InventoryNotFound",
    });
    expect(classifyVSphereFault(fault("CloneVM_Task", "NoPermission")).cause).toBe("PermissionDenied");
    expect(classifyVSphereFault(fault("CloneVM_Task", "NoDiskSpace"))).toEqual({
      retry: false,
      cause: "DatastoreFull",
    });
  });

  it("retries what goes away by itself: vCenter unreachable, a session expired mid-run, a task out of time", () => {
    expect(classifyVSphereFault(fault("CloneVM_Task", "Transport", "ECONNREFUSED: connect"))).toEqual({
      retry: true,
      cause: "Unreachable",
    });
    expect(classifyVSphereFault(fault("RetrievePropertiesEx", "NotAuthenticated")).retry).toBe(true);
    expect(classifyVSphereFault(fault("CloneVM_Task", "TaskTimeout")).cause).toBe("TaskTimedOut");
    expect(classifyVSphereFault(fault("PowerOffVM_Task", "InvalidPowerState")).retry).toBe(true);
    expect(classifyVSphereFault(new Error("anything else"))).toEqual({ retry: true, cause: "Transient" });
  });
});
