export * from "./kind.js";
export * from "./operations.js";
export * from "./deletion.js";
export * from "./credentials.js";
export { stackJob, text, type StackJobDeps } from "./stack-job.js";
export * from "./controller.js";
export * from "./status.js";
export * from "./cluster-status.js";
