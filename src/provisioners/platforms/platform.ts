import type { ClusterDeployment } from "../../api/index.js";

export interface PlatformContext {
  stateDir: string;
  toolsBinDir: string;
  stackName: string;
}

export { InvalidSpecError } from "../../errors/index.js";

/** Hive style: one adapter per platform, found by the platform key set in the spec. */
export interface PlatformAdapter {
  readonly name: string;
  canHandle(cd: ClusterDeployment): boolean;
  /** The Secret (in the resource's namespace) holding credentials for this platform, if it needs one. */
  credentialsSecretName(cd: ClusterDeployment): string | undefined;
  /** Checks what admission cannot see; throws InvalidSpecError. */
  validate(cd: ClusterDeployment, ctx: Omit<PlatformContext, "stackName">): void;
  /** The stack program's inputs for the desired state. Never secrets: the program reads those itself. */
  stackInputs(cd: ClusterDeployment, ctx: PlatformContext): Record<string, unknown>;
}
