import type * as pulumi from "@pulumi/pulumi";
import {
  controlPlaneProvider,
  ControlPlaneResource,
  type ControlPlaneOperations,
  type ResourceInputs,
} from "../dynamic/control-plane.js";
import { renderKubeconfig } from "../../src/api/kubeconfig.js";
import type { DesiredPowerState, ObservedPowerState } from "../types.js";
import type { SimulatedClusterArgs, SimulatedFailureInput, SimulatedPhase } from "./inputs.js";

/** The simulated cluster's state, kept in the Pulumi stack and nowhere else. */
export interface SimulatedClusterState extends Omit<SimulatedClusterArgs, "powerState"> {
  apiURL: string;
  caData: string;
  kubeconfig: string;
  infraID: string;
  powerState: ObservedPowerState;
  provisionedAt: string;
}

/*
 * Everything below runs in Pulumi's dynamic-provider process after going through the closure serializer, so it
 * is self-contained on purpose: no imports, no module state, only plain functions that capture each other.
 */

/**
 * Waits the phase's time, varied randomly by up to jitterPercent either way; a cancelled run (the file named by
 * SLIPWAY_RUN_CANCEL_FILE, RUN_CANCEL_FILE_ENV of stacks/dynamic, appears) ends it early with an error, so the
 * step fails and records nothing, as a real platform's interrupted step that cleaned up after itself.
 */
function simulatePhase(seconds: number, jitterPercent: number, phase: string): Promise<void> {
  const jitter = (Math.random() * 2 - 1) * (jitterPercent / 100);
  const ms = Math.max(0, seconds * 1000 * (1 + jitter));
  if (ms === 0) return Promise.resolve();
  const cancelFile = process.env.SLIPWAY_RUN_CANCEL_FILE;
  const fs = process.getBuiltinModule("node:fs");
  const end = Date.now() + ms;
  // One timer that looks for the cancel every 250 ms (the serializer cannot carry two timers that refer to each other).
  return new Promise((resolve, reject) => {
    function tick(): void {
      if (cancelFile && fs.existsSync(cancelFile)) {
        reject(
          new Error(
            `${phase} cancelled after ${Math.round((ms - (end - Date.now())) / 1000)} s of ${Math.round(ms / 1000)} s: the run was cancelled`,
          ),
        );
        return;
      }
      const left = end - Date.now();
      if (left <= 0) resolve();
      else setTimeout(tick, Math.min(250, left));
    }
    tick();
  });
}

/** Throws the failure injected into this phase for this attempt, if any. */
function injectedFailure(
  args: Pick<SimulatedClusterArgs, "clusterName" | "failures" | "attempt">,
  phase: SimulatedPhase,
): void {
  const failure = (args.failures || []).find((f: SimulatedFailureInput) => f.phase === phase);
  if (!failure) return;
  const attempts = failure.attempts === undefined ? 1 : failure.attempts;
  if (attempts !== 0 && args.attempt > attempts) return;
  // The prefixes are how src/queue/pulumi-errors.ts tells the two modes apart once the CLI has flattened the error.
  const prefix = failure.mode === "Terminal" ? "SimulatedTerminalFailure" : "SimulatedTransientFailure";
  throw new Error(`${prefix}: ${phase} of ${args.clusterName} (attempt ${args.attempt}): ${failure.message}`);
}

function simulatedState(
  args: SimulatedClusterArgs,
  infraID: string,
  provisionedAt: string,
): SimulatedClusterState {
  const name = args.clusterName;
  const server = `https://simulated.invalid/${name}`;
  const caData = Buffer.from(`simulated CA of cluster ${name}: not a certificate\n`).toString("base64");
  const kubeconfig = renderKubeconfig({
    header: `SIMULATED cluster "${name}" (Slipway's simulated platform): no API server exists at ${server}.`,
    cluster: name,
    server,
    caData,
    user: `${name}-admin`,
    credentials: { token: `simulated-${infraID}` },
  });
  const powerState: DesiredPowerState = args.powerState;
  return { ...args, apiURL: server, caData, kubeconfig, infraID, powerState, provisionedAt };
}

/** Self-contained for the same reason: Pulumi serializes this object with the functions it calls. */
const simulatedOperations: ControlPlaneOperations<SimulatedClusterArgs, SimulatedClusterState> = {
  async create(args) {
    injectedFailure(args, "Provision");
    await simulatePhase(args.provisionSeconds, args.jitterPercent, "Provision");
    if (args.powerState === "Hibernating")
      await simulatePhase(args.hibernateSeconds, args.jitterPercent, "Hibernate");
    const infraID = `${args.clusterName}-${Math.random().toString(36).slice(2, 7).padEnd(5, "0")}`;
    return { id: infraID, outs: simulatedState(args, infraID, new Date().toISOString()) };
  },
  async diff(olds, news) {
    // Delays, injected failures and the attempt number describe how the simulation behaves, not the cluster.
    const changes =
      olds.powerState !== news.powerState ||
      olds.kubernetesVersion !== news.kubernetesVersion ||
      olds.region !== news.region;
    return { changes, replaces: olds.clusterName !== news.clusterName ? ["clusterName"] : [] };
  },
  async update(olds, news) {
    if (olds.powerState !== news.powerState) {
      const hibernating = news.powerState === "Hibernating";
      injectedFailure(news, hibernating ? "Hibernate" : "Resume");
      await simulatePhase(
        hibernating ? news.hibernateSeconds : news.resumeSeconds,
        news.jitterPercent,
        hibernating ? "Hibernate" : "Resume",
      );
    }
    return { outs: simulatedState(news, olds.infraID, olds.provisionedAt) };
  },
  async read(id, props) {
    return { id, props };
  },
  async remove(props) {
    // A destroy does not run the program: props are the last up's, so the job's attempt comes from the runner.
    const attempt = Number(process.env.SLIPWAY_JOB_ATTEMPT) || props.attempt;
    injectedFailure({ ...props, attempt }, "Destroy");
    await simulatePhase(props.destroySeconds, props.jitterPercent, "Destroy");
  },
};

/** A simulated cluster's control plane: a record in the stack that takes time to change. */
export class SimulatedControlPlane extends ControlPlaneResource {
  constructor(name: string, args: ResourceInputs<SimulatedClusterArgs>, opts?: pulumi.CustomResourceOptions) {
    super(
      controlPlaneProvider(async () => simulatedOperations),
      "simulated",
      name,
      args,
      ["provisionedAt"],
      opts,
    );
  }
}
