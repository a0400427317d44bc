export {
  CLUSTER_FAILOVER_CONTROLLER,
  clusterFailoverReconciler,
  failoverOfCluster,
  registerFailoverController,
} from "./controller.js";
export { FAILOVER_FIELD_MANAGER } from "./phases.js";
export * from "./plan.js";
