/**
 * Every error class of Slipway, in one folder (one class per file). This is the lowest layer: it imports
 * nothing, and every other part of the code (stacks included) may import it. What to do about Pulumi's own
 * errors is decided in one table, src/queue/pulumi-errors.ts.
 */
export { ConfigError } from "./config-error.js";
export { InvalidSpecError } from "./invalid-spec-error.js";
export { JobDeferredError } from "./job-deferred-error.js";
export { KubeApiError, isAlreadyExists, isConflict, isGone, isNotFound } from "./kube-api-error.js";
export { ProviderPluginMissingError } from "./provider-plugin-missing-error.js";
export { PulumiCliError } from "./pulumi-cli-error.js";
export { SchemaValidationError, type FieldError } from "./schema-validation-error.js";
export { StackBusyError } from "./stack-busy-error.js";
export { StackLeaseLostError } from "./stack-lease-lost-error.js";
export { StackOwnerUnknownError } from "./stack-owner-unknown-error.js";
export { StaleStackLockError } from "./stale-stack-lock-error.js";
export { TerminalError } from "./terminal-error.js";
export { TerminalJobError } from "./terminal-job-error.js";
export { TerminalStackError } from "./terminal-stack-error.js";
export { TimeoutError } from "./timeout-error.js";
export { Vim25FaultError } from "./vim25-fault-error.js";
