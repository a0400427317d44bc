import type { ClusterObject } from "./cluster-view.js";
import type { Condition } from "./common.js";

/**
 * Conditions other controllers add to a ClusterDeployment that a resumed cluster must pass once they are there:
 * hub registration (Registered, and Joined / Available as OCM reports them) and bootstrap policies
 * (Bootstrapped = compliant). Absent, they are not required, so readiness works before those controllers run.
 */
export const RESUME_CONDITIONS_WHEN_PRESENT = ["Registered", "Joined", "Available", "Bootstrapped"] as const;

export interface ResumeReadinessOptions {
  /**
   * The registration controller runs: a cluster whose spec does not turn registration off must be Registered and
   * Joined, even before the registration controller first reports it.
   */
  registrationRequired?: boolean;
}

export type ResumeReadiness =
  | { state: "Ready"; message: string }
  | { state: "Waiting"; message: string }
  | { state: "Stalled"; reason: string; message: string };

function condition(cd: ClusterObject, type: string): Condition | undefined {
  return cd.status?.conditions?.find((c) => c.type === type);
}

/**
 * Bootstrapped says True, but from verdicts older than the cluster's last resume: the status write that records
 * the resume comes before the bootstrap controller has looked at it again. Until the selecting policies have
 * evaluated the resumed cluster (status.bootstrap.evaluatedAt, times compared to the second), it does not count.
 */
export function bootstrappedBeforeResume(cd: ClusterObject): boolean {
  const bootstrapped = condition(cd, "Bootstrapped");
  const resumedAt = Date.parse(cd.status?.lastResumedAt ?? "");
  if (bootstrapped?.status !== "True" || !Number.isFinite(resumedAt)) return false;
  if ((cd.status?.bootstrap?.policies ?? 0) === 0) return false;
  const evaluatedAt = Date.parse(cd.status?.bootstrap?.evaluatedAt ?? "");
  return !(evaluatedAt >= Math.floor(resumedAt / 1000) * 1000);
}

/**
 * Whether a resumed cluster is back: its stack ran the current generation to Running (the API answered: the
 * platform's up waits for it), Ready summarizes that, and every registration and bootstrap condition present is
 * True (OCM reports the cluster Available again, its bootstrap policies are compliant). Pure: the failover and
 * the pool read it from the ClusterDeployment alone.
 */
export function resumeReadiness(cd: ClusterObject, options: ResumeReadinessOptions = {}): ResumeReadiness {
  const stalled = condition(cd, "Stalled");
  if (stalled?.status === "True")
    return { state: "Stalled", reason: stalled.reason, message: stalled.message };
  if ((cd.spec.powerState ?? "Running") !== "Running")
    return { state: "Waiting", message: "the cluster is not asked to run" };
  if (cd.status?.powerState !== "Running")
    return { state: "Waiting", message: `power state ${cd.status?.powerState ?? "unknown"}` };
  const ready = condition(cd, "Ready");
  const generation = cd.metadata.generation;
  if (ready?.status !== "True")
    return { state: "Waiting", message: `not Ready yet: ${ready?.message ?? "no Ready condition"}` };
  if (
    generation !== undefined &&
    ready.observedGeneration !== undefined &&
    ready.observedGeneration < generation
  )
    return {
      state: "Waiting",
      message: `Ready is from generation ${ready.observedGeneration}, not ${generation}`,
    };
  const registered = options.registrationRequired && cd.spec.registration?.enabled !== false;
  const required = new Set<string>(registered ? ["Registered", "Joined"] : []);
  for (const type of RESUME_CONDITIONS_WHEN_PRESENT) {
    const found = condition(cd, type);
    if (!found && !required.has(type)) continue;
    if (found?.status !== "True")
      return {
        state: "Waiting",
        message: `${type} is ${found ? `${found.status}: ${found.message}` : "not reported yet"}`,
      };
    if (type === "Bootstrapped" && bootstrappedBeforeResume(cd))
      return {
        state: "Waiting",
        message:
          "Bootstrapped is from before the resume: waiting for the policies to evaluate the cluster again",
      };
  }
  return { state: "Ready", message: `running at ${cd.status?.apiURL ?? "its API URL"}` };
}
