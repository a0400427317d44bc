import {
  clusterResources,
  clusterView,
  isClusterKind,
  type ClusterObject,
  type PowerState,
} from "../api/index.js";
import { ClusterDeploymentReason as Reason } from "../api/reasons.js";
import { JobDeferredError } from "../errors/index.js";
import type { JobData } from "../queue/job.js";
import { jobId } from "../queue/job.js";
import type { JobContext } from "../queue/job-worker.js";
import type { KubeClient } from "../runtime/kube-client.js";
import { logger } from "../runtime/logging.js";
import type { PowerClock } from "./clock.js";
import { decidePower, type PowerTrigger, type TriggerSource } from "./decide.js";

/** Power triggers have a queue of their own: a timer must never wait behind Pulumi runs or spoke work. */
export const POWER_QUEUE = "power";
export const POWER_TRIGGER_JOB = "power-trigger";
/** The field manager of the power controller's spec.powerState writes and of its status.power record. */
export const POWER_FIELD_MANAGER = "slipway-power";
/** A hibernateAfter trigger held back (Stalled, mid-failover) is tried again this often. */
const HELD_BACK_RETRY_MS = 60_000;

const log = logger("power");

export interface PowerTriggerData extends JobData {
  type: typeof POWER_TRIGGER_JOB;
  operation: "power";
  /** The trigger's moment, ISO. */
  at: string;
  source: TriggerSource;
}

export interface PowerTriggerResult {
  outcome: "Applied" | "Unchanged" | "Skipped";
  powerState?: PowerState;
  message: string;
}

/**
 * One job per trigger moment, whatever the generation: the id is the timer, so every replica and every pass
 * that sets it again sets the same one, and it fires once.
 */
export function triggerJobData(cd: ClusterObject, trigger: PowerTrigger): PowerTriggerData {
  return {
    type: POWER_TRIGGER_JOB,
    kind: clusterView(cd).kind,
    namespace: cd.metadata.namespace!,
    name: cd.metadata.name!,
    uid: cd.metadata.uid!,
    generation: 0,
    operation: "power",
    at: trigger.at.toISOString(),
    source: trigger.source,
  };
}

export function triggerSuffix(trigger: Pick<PowerTrigger, "at" | "source">): string {
  return `${trigger.source === "Schedule" ? "s" : "h"}${trigger.at.getTime()}`;
}

export function triggerJobId(cd: ClusterObject, trigger: PowerTrigger): string {
  return jobId(triggerJobData(cd, trigger), triggerSuffix(trigger));
}

/**
 * Fires one trigger: reads the cluster (ClusterDeployment or HostedCluster, as the job names it), decides again at the trigger's time (the spec may have changed
 * since the timer was set), and sets spec.powerState if the trigger is still due. Idempotent: a second run finds
 * spec.powerState already set and reports Unchanged. A concurrent change of spec.powerState (someone's `slipway
 * resume`) fails the write's test; the retry decides again on the new object.
 */
export function powerTriggerHandler(deps: { kube: KubeClient; clock: PowerClock }) {
  return async (job: JobContext<PowerTriggerData>): Promise<PowerTriggerResult> => {
    const { data } = job;
    if (!isClusterKind(data.kind))
      return { outcome: "Skipped", message: `${data.kind} is not a cluster kind` };
    const resource = clusterResources[data.kind];
    const cd = await deps.kube.getIfExists<ClusterObject>(resource, data.namespace, data.name);
    if (!cd || cd.metadata.uid !== data.uid)
      return { outcome: "Skipped", message: `The ${data.kind} no longer exists` };
    const at = new Date(data.at);
    const now = new Date(Math.max(deps.clock.now().getTime(), at.getTime()));
    const decision = decidePower(cd, now);
    if (decision.skip) {
      // A hibernateAfter that falls due while the cluster is held (Stalled, mid-failover) applies once it is free.
      if (data.source === "HibernateAfter" && decision.skip.reason !== Reason.PowerSkippedDeleting)
        throw new JobDeferredError(decision.skip.reason, decision.skip.message, HELD_BACK_RETRY_MS);
      return { outcome: "Skipped", message: decision.skip.message };
    }
    const trigger = decision.due.find((t) => t.source === data.source && t.at.getTime() === at.getTime());
    if (!trigger)
      return { outcome: "Skipped", message: `The ${data.source} trigger of ${data.at} is no longer due` };
    if ((cd.spec.powerState ?? "Running") === trigger.powerState)
      return {
        outcome: "Unchanged",
        powerState: trigger.powerState,
        message: `spec.powerState is already ${trigger.powerState}`,
      };
    log.info(
      { [data.kind]: `${data.namespace}/${data.name}`, jobId: job.id, source: data.source },
      `Setting spec.powerState to ${trigger.powerState}`,
    );
    // The test op is the precondition: only the field read is checked, so status writes in between (which move
    // resourceVersion every pass) do not fail the write, but someone's change of spec.powerState does.
    await deps.kube.patch(
      resource,
      data.namespace,
      data.name,
      [
        { op: "test", path: "/spec/powerState", value: cd.spec.powerState ?? "Running" },
        { op: "replace", path: "/spec/powerState", value: trigger.powerState },
      ],
      { type: "json", fieldManager: POWER_FIELD_MANAGER },
    );
    return {
      outcome: "Applied",
      powerState: trigger.powerState,
      message: `${data.source === "Schedule" ? "A hibernation schedule" : "hibernateAfter"} set spec.powerState to ${trigger.powerState}`,
    };
  };
}
