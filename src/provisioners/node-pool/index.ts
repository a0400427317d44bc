export { NODE_POOL_CONTROLLER, nodePoolReconciler, register, type NodePoolOptions } from "./controller.js";
export { NODE_POOL_FIELD_MANAGER, NODE_POOL_FINALIZER } from "./phases.js";
export * from "./nodes.js";
export * from "./autoscale/index.js";
export { NODE_POOL_STACK_JOB } from "./node-group.js";
export { nodePoolStackJob } from "./stack-job.js";
