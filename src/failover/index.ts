export {
  CLUSTER_FAILOVER_CONTROLLER,
  clusterFailoverReconciler,
  failoverOfCluster,
  register,
} from "./controller.js";
export { FAILOVER_FIELD_MANAGER } from "./phases.js";
export * from "./plan.js";
