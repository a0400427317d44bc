import type { ClusterDeployment } from "../../api/index.js";
import type { SlipwayConfig } from "../../runtime/config.js";
import type { KubeClient } from "../../runtime/kube-client.js";
import type { JobView } from "../../queue/job.js";
import type { JobQueue } from "../../queue/job-queue.js";
import type {
  StackJobData,
  StackJobProgress,
  StackJobResult,
  StackOperation,
} from "../../queue/stack-job.js";

export type OperationResult = "InProgress" | "Succeeded" | "Failed";

export interface LastOperation {
  type: StackOperation;
  jobId: string;
  generation: number;
  startedAt: string;
  finishedAt?: string;
  result: OperationResult;
  message?: string;
  inputsHash?: string;
  /** Why a run that the spec did not ask for runs: DriftDetected for a repair. */
  cause?: string;
  progress?: { resourcesDone: number; resourcesTotal: number; currentStep: string; percent: number };
}

export interface Dependencies {
  kube: KubeClient;
  /** The "pulumi" queue, where this kind's stack jobs go. */
  queue: JobQueue<StackJobData, StackJobResult, StackJobProgress>;
  config: SlipwayConfig;
  /** Records a Kubernetes Event on the resource. */
  event: (
    cd: ClusterDeployment,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
  ) => Promise<void>;
}

/** What one reconcile found and decided; status.ts turns it into the status in one place. */
export interface ClusterDeploymentScope {
  cd: ClusterDeployment;
  deps: Dependencies;
  now: Date;
  /** The status being built, starting from the stored one. */
  status: NonNullable<ClusterDeployment["status"]>;
  stalled?: { reason: string; message: string };
  /** The last stack run found the cluster differs from the spec (processes died, say). */
  drift?: string;
  /** The job in flight or just finished. */
  job?: JobView<StackJobData, StackJobResult, StackJobProgress>;
  requeueAfterMs?: number;
}
