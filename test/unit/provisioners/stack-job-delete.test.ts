import { afterEach, describe, expect, it, vi } from "vitest";
import type { ClusterDeployment } from "../../../src/api/index.js";
import { TerminalJobError } from "../../../src/errors/index.js";
import type { JobContext } from "../../../src/queue/job-worker.js";
import type { PulumiRunRequest } from "../../../src/queue/pulumi-runner.js";
import type { StackJobData, StackJobProgress } from "../../../src/queue/stack-job.js";
import { clusterDeploymentStackJob } from "../../../src/provisioners/cluster-deployment/stack-job.js";

const cd = {
  apiVersion: "slipway.dev/v1alpha1",
  kind: "ClusterDeployment",
  metadata: { name: "slow", namespace: "team-a", uid: "0a1b2c3d-4e5f", generation: 1 },
  spec: { clusterName: "slow", platform: { simulated: { provisionSeconds: 600 } } },
} as unknown as ClusterDeployment;

const job: JobContext<StackJobData, StackJobProgress> = {
  id: "0a1b2c3d-4e5f.g1.up",
  data: {
    type: "cluster-deployment-stack",
    kind: "ClusterDeployment",
    namespace: "team-a",
    name: "slow",
    uid: "0a1b2c3d-4e5f",
    generation: 1,
    operation: "up",
  },
  attempt: 1,
  progress: () => undefined,
  signal: new AbortController().signal, // Redis lost the cancel request: this signal never aborts
};

afterEach(() => vi.useRealTimers());

describe("a running up of a ClusterDeployment that is deleted", () => {
  it("stops when the hub shows the delete, with no word through Redis, and fails for good", async () => {
    vi.useFakeTimers();
    let onHub: ClusterDeployment = cd;
    const runs: PulumiRunRequest[] = [];
    const runner = {
      closing: false,
      // A long up that ends when its run is cancelled, as the CLI does on SIGINT.
      run: (request: PulumiRunRequest) => {
        runs.push(request);
        return new Promise((_resolve, reject) =>
          request.signal!.addEventListener("abort", () => reject(new Error("update canceled"))),
        );
      },
    };
    const kube = { getIfExists: async () => onHub };
    const handler = clusterDeploymentStackJob({
      config: { stateDir: "/var/lib/slipway", toolsBinDir: "/opt/slipway/bin" } as never,
      kube: kube as never,
      runner: runner as never,
    });
    const outcome = handler(job).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.signal!.aborted).toBe(false); // not deleted: the up runs on

    onHub = { ...cd, metadata: { ...cd.metadata, deletionTimestamp: "2026-12-07T08:00:00Z" } };
    await vi.advanceTimersByTimeAsync(10_000);
    const error = await outcome;
    expect(runs[0]!.signal!.aborted).toBe(true);
    // Terminal: the job layer never retries it, so nothing creates again what the destroy removes.
    expect(error).toBeInstanceOf(TerminalJobError);
    expect((error as TerminalJobError).reason).toBe("Cancelled");
    expect((error as Error).message).toBe("the ClusterDeployment team-a/slow is being deleted");
  });
});
