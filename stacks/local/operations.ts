/**
 * What the `local` dynamic provider does, run inside Pulumi's dynamic-provider process (plain Node, no
 * TypeScript). stacks/local/provider.ts loads the compiled copy of this file from dist/ with a dynamic import, so
 * everything here may import freely: none of it goes through Pulumi's closure serializer.
 */
import { LocalControlPlane } from "../../src/local/control-plane.js";
import type { DesiredPowerState } from "../types.js";
import { processOperations, type ProcessState } from "./process-operations.js";

export { builtVersion, observed, type DiffOutcome } from "./process-operations.js";

/** The dynamic resource's inputs (LocalClusterInputs after validation, with defaults applied). */
export interface ControlPlaneArgs {
  clusterName: string;
  dataDir: string;
  binDir: string;
  powerState: DesiredPowerState;
  controllerManager: boolean;
  kubernetesVersion?: string;
}

/** The dynamic resource's state: what every process control plane records, and the inputs it was made with. */
export interface ControlPlaneState extends ProcessState {
  clusterName: string;
  binDir: string;
  controllerManager: boolean;
}

export const { create, read, diff, update, remove } = processOperations<ControlPlaneArgs, ControlPlaneState>({
  controlPlane: (args) =>
    new LocalControlPlane({
      name: args.clusterName,
      dataDir: args.dataDir,
      binDir: args.binDir,
      controllerManager: args.controllerManager,
    }),
  replaceOn: ["clusterName", "dataDir"],
  changed: (olds, news) =>
    olds.powerState !== news.powerState ||
    olds.binDir !== news.binDir ||
    olds.controllerManager !== news.controllerManager ||
    (news.kubernetesVersion !== undefined && !olds.kubernetesVersion.startsWith(news.kubernetesVersion)),
  // Changed binaries or components: restart everything on the same data.
  restartOn: (olds, news) => olds.binDir !== news.binDir || olds.controllerManager !== news.controllerManager,
  stateOf: (args) => ({
    clusterName: args.clusterName,
    binDir: args.binDir,
    controllerManager: args.controllerManager,
  }),
});
