import type { ClusterDeployment } from "../api/index.js";
import { clusterDeploymentResource } from "../api/resources.js";
import { isNotFound } from "../errors/index.js";
import { Informer } from "../runtime/informer.js";
import type { KubeClient } from "../runtime/kube-client.js";

/** Set on a ClusterDeployment to make its simulated resume fail (Stalled, reason OperationFailed). */
export const SIMULATED_RESUME_FAILURE_LABEL = "bench.slipway.dev/fail-resume";

const apiTime = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

export interface PowerSimulatorOptions {
  client: KubeClient;
  namespace: string;
  /** How long every resume takes, fixed (no jitter), from the moment the spec asks to run. */
  resumeDelayMs: number;
}

/**
 * BENCH AND TESTS ONLY: plays the ClusterDeployment controller's power part in one namespace, without a worker or
 * Pulumi (as Cluster API's in-memory provider does): a cluster whose spec asks to run while its status says
 * Hibernating reports Running and Ready exactly `resumeDelayMs` later; a cluster asked to hibernate reports
 * Hibernating at once. What it measures is everything around the resume: the failover controller's decisions,
 * its writes, watch latency and the hub.
 */
export class PowerSimulator {
  private readonly informer: Informer<ClusterDeployment>;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Per cluster: when its resume was first seen, and when its status said Running. */
  readonly resumes = new Map<string, { seenAt: number; doneAt?: number }>();

  constructor(private readonly options: PowerSimulatorOptions) {
    this.informer = new Informer({
      client: options.client,
      resource: clusterDeploymentResource,
      namespace: options.namespace,
    });
    const check = (cd: ClusterDeployment) => this.check(cd);
    this.informer.addEventHandler({ onAdd: check, onUpdate: (_old, cd) => check(cd) });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync({ timeoutMs: 60_000 });
  }

  async stop(): Promise<void> {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.informer.stop();
  }

  private check(cd: ClusterDeployment): void {
    const name = cd.metadata.name!;
    const desired = cd.spec.powerState ?? "Running";
    const observed = cd.status?.powerState;
    if (desired === "Running" && observed === "Hibernating" && !this.timers.has(name)) {
      this.resumes.set(name, { seenAt: Date.now() });
      this.timers.set(
        name,
        setTimeout(() => void this.report(name, "Running"), this.options.resumeDelayMs),
      );
    } else if (desired === "Hibernating" && observed === "Running" && !this.timers.has(name)) {
      this.timers.set(
        name,
        setTimeout(() => void this.report(name, "Hibernating"), 0),
      );
    }
  }

  private async report(name: string, powerState: "Running" | "Hibernating"): Promise<void> {
    const cd = this.informer.get(this.options.namespace, name);
    try {
      if (!cd) return;
      const failing =
        powerState === "Running" && cd.metadata.labels?.[SIMULATED_RESUME_FAILURE_LABEL] === "true";
      await this.options.client.patch(
        clusterDeploymentResource,
        this.options.namespace,
        name,
        { status: simulatedStatus(cd, powerState, failing) },
        { type: "merge", subresource: "status" },
      );
      const resume = this.resumes.get(name);
      if (resume && powerState === "Running") resume.doneAt = Date.now();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    } finally {
      this.timers.delete(name);
    }
  }
}

/** The status the ClusterDeployment controller writes once an up for the current generation finished. */
export function simulatedStatus(
  cd: ClusterDeployment,
  powerState: "Running" | "Hibernating" | "Starting",
  failing = false,
): Record<string, unknown> {
  const generation = cd.metadata.generation ?? 1;
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastTransitionTime: apiTime(),
    observedGeneration: generation,
  });
  const conditions = failing
    ? [
        condition("Ready", "False", "OperationFailed", "simulated resume failure"),
        condition("Stalled", "True", "OperationFailed", "simulated resume failure"),
        condition("Provisioned", "True", "StackApplied", "simulated"),
      ]
    : [
        condition(
          "Ready",
          powerState === "Starting" ? "False" : "True",
          powerState,
          `simulated ${powerState}`,
        ),
        condition("InfrastructureReady", "True", powerState, `simulated ${powerState}`),
        condition("Provisioned", "True", "StackApplied", "simulated"),
      ];
  return {
    powerState: failing ? "Starting" : powerState,
    provisionedAt: cd.status?.provisionedAt ?? apiTime(),
    apiURL: `https://${cd.metadata.name}.simulated:6443`,
    observedGeneration: generation,
    conditions,
  };
}
