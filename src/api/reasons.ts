/**
 * Every condition (and Event) reason Slipway's controllers can write, one table per kind, each with what it
 * means. Code uses these constants, never a string literal; docs/api.md lists the tables (src/api/render.ts),
 * and test/unit/api/reasons.test.ts checks that no reason literal in src/ escapes them.
 */

/** Reasons of the summary conditions (Ready, Reconciling, Stalled) that every kind shares. */
export const CommonReasons = {
  ReconcileSucceeded: "The desired state is reached (a kind's own reason says more where it has one).",
  ReconcileInProgress: "The controller is working towards the desired state.",
  ReconcileStalled: "The controller cannot progress until the spec or the environment changes.",
  Pending: "A condition Ready summarizes has not been reported yet.",
  RetryingAfterError:
    "A pass failed with an error that may go away (the API server, Redis); it is retried with backoff.",
  Deleting: "The object is being deleted; its cleanup runs.",
} as const;

/** Reasons of a field the API accepts but no controller acts on yet (condition FieldsNotActedOn). */
export const FieldsReasons = {
  NotImplementedYet:
    "The object sets fields that this release accepts but does not act on yet; the message names them.",
  AllFieldsActedOn: "Every field the object sets is acted on.",
} as const;

export const ClusterDeploymentReasons = {
  ...CommonReasons,
  ...FieldsReasons,
  ClusterRunning: "The cluster runs at its API URL.",
  Hibernating: "The cluster hibernates as the spec asks (Ready), or is going to sleep (Reconciling).",
  Running: "The cluster is not hibernating (condition Hibernating=False).",
  Stopping: "The cluster is going to sleep (condition Hibernating=False until it is done).",
  Provisioning: "The first up is creating the cluster.",
  Resuming: "An up is waking the cluster from hibernation.",
  Applying: "An up applies a new generation of the spec.",
  Refreshing: "A periodic refresh checks the cluster for drift (Event).",
  Deprovisioning: "A destroy removes the cluster's infrastructure.",
  CancellingForDelete:
    "The resource is being deleted while an up or refresh runs: that run is cancelled (Pulumi records what " +
    "finished, the in-flight steps end early) and never retried; the destroy follows. The message has the deadline.",
  WaitingForRetry:
    "An operation's last attempt failed with an error that may pass; it is retried with capped exponential " +
    "backoff. The message has the attempt, the cause and when the next attempt runs.",
  DriftDetected: "The cluster differs from the spec (processes died, say); an up repairs it.",
  StackApplied: "The stack holds the spec's inputs (condition Provisioned=True).",
  OperationFailed:
    "The up for this generation failed in a way a retry cannot fix; change the spec to try again.",
  DestroyFailed:
    "A destroy failed; it is retried with capped exponential backoff, and the message has the cause, the attempt " +
    "and how to release the resource deliberately (annotation slipway.dev/abandon-deprovision).",
  DeprovisionAbandoned:
    "The resource was released without destroying its stack, as its slipway.dev/abandon-deprovision annotation " +
    "asks (Event); the message names what may be left behind.",
  NothingToDestroy: "No stack was ever created for the resource, so deleting it needs no destroy (Event).",
  UnsupportedPlatform: "spec.platform names a platform this build has no stack for.",
  NotCreatedByPool:
    "spec.clusterPoolRef was written by someone other than a ClusterPool: it is ignored (condition " +
    "ClusterPoolRefIgnored) and the cluster is managed as a standalone one.",
  UnsupportedVersion: "The platform cannot run the Kubernetes version the spec asks for.",
  ToolsMissing: "The programs the local platform runs are not built on this machine.",
  ProviderPluginMissing:
    "The Pulumi provider plugin a cloud platform needs is not installed on the hub; the message names it, its " +
    "version and how to install or mirror it. Nothing is created meanwhile, and the cluster is taken up by " +
    "itself once the plugin is there (checked again with backoff up to 5 minutes).",
  CredentialsSecretMissing: "The Secret the platform's credentialsRef names does not exist.",
  CredentialsKeysMissing: "The credentials Secret lacks keys the platform needs; the message names them.",
  InvalidInputs: "The platform's stack refuses the inputs the spec gives it; the message says which.",
  UnknownPlatform: "spec.platform names a platform no stack folder defines.",
  ProviderCodeMissing: "The compiled provider code a local stack runs is missing: build Slipway.",
  VSphereLoginFailed:
    "vCenter refused the login (Stalled): correct username and password in the credentialsRef Secret.",
  VSphereCertificateUntrusted:
    "vCenter's certificate does not verify against ca.crt of the certificatesRef Secret (or the system roots) (Stalled).",
  VSphereInventoryNotFound:
    "A template, folder, pool, datastore or network the spec names is not in vCenter (Stalled); the message names it.",
  VSpherePermissionDenied:
    "The vCenter user lacks a privilege (Stalled); docs/platforms/vsphere.md lists the ones it needs.",
  VSphereDatastoreFull:
    "The datastore has no room for a clone (Stalled): free space or name another defaultDatastore.",
  VSphereUnreachable:
    "vCenter did not answer (retried); a clone it interrupted is adopted on the retry, never cloned twice.",
  VSphereTaskTimedOut: "A vCenter task did not finish in time (retried).",
  VSphereTransientFault: "vCenter answered with a fault that passes (a VM mid-transition, say) (retried).",
  VSphereNameConflict:
    "A VM name the cluster needs belongs to another cluster's VM (Stalled); the message names it.",
  ScheduleActive:
    "Hibernation schedules or hibernateAfter are acted on (condition Scheduled); the message has the next times.",
  NoSchedule: "The cluster has no hibernation schedule and no hibernateAfter (condition Scheduled=False).",
  InvalidSchedule:
    "A hibernation schedule's cron expression cannot be evaluated; the message names it and says what to change.",
  UnknownTimeZone:
    "A hibernation schedule's location is not an IANA time zone Slipway knows (for example Europe/Berlin).",
  ScheduleStrandsCluster:
    "A hibernation window can put the cluster to sleep with no wake following (its end at the same moment as a " +
    "start, or never after it); no schedule is acted on until it is fixed, and the message names the window.",
  PoolManaged:
    "An unclaimed pool cluster: the pool's runningCount decides its power; schedules and hibernateAfter apply once claimed.",
  PowerSkippedDeleting: "The cluster is being deleted: power triggers are skipped.",
  PowerSkippedStalled: "The cluster is Stalled: power triggers are skipped until it recovers.",
  PowerSkippedFailover:
    "The cluster is mid-failover (annotation slipway.dev/failover): power triggers are skipped until it is removed.",
  ScheduleTriggered: "A hibernation schedule set spec.powerState (Event).",
  HibernateAfterElapsed: "hibernateAfter elapsed since the cluster last started: it is hibernated (Event).",
  TriggerDropped: "A trigger was found more than the deadline (2 h) late and dropped (Event).",
  Up: "An up finished without a power state to report (Event).",
  Unknown: "The last operation did not report a power state (Event).",
  // Hub registration (conditions Registered and Joined, src/bootstrap/registration).
  WaitingForProvisioning: "Registration starts once the cluster is provisioned and running.",
  Registering:
    "The hub side is in place; the spoke job (agent namespace, CRD, bootstrap kubeconfig, agent) runs.",
  Registered:
    "The ManagedCluster, its hub namespace, the bootstrap identity and the spoke's agent material exist.",
  RegistrationFailed:
    "The spoke job of the registration failed; the message has the cause and it is retried.",
  RegistrationDisabled: "spec.registration.enabled is false: the cluster is not (or no longer) registered.",
  Deregistering:
    "The ManagedCluster, its hub namespace and bootstrap RBAC are being removed, the agent stopped.",
  ManagedClusterNameTaken:
    "The hub already has a ManagedCluster or namespace of that name that another ClusterDeployment (or someone " +
    "else) owns: ManagedClusters are cluster-scoped, so give the cluster another spec.clusterName.",
  ManagedClusterSetCreated:
    "The ManagedClusterSet spec.registration.clusterSet names did not exist and was created (Event).",
  CertificateApproved:
    "Slipway approved the agent's client certificate request: its requester is the cluster's own bootstrap identity (Event).",
  CertificateRefused:
    "A certificate request naming a Slipway cluster came from another identity and was left unapproved (Event).",
  WaitingForAgent: "OCM has not reported the cluster joined yet; the agent is starting or registering.",
  WaitingForHibernation: "The agent is paused while the cluster hibernates; OCM will report it unavailable.",
  AgentPaused: "The cluster hibernates: its agent is stopped until it resumes.",
  AgentRepair:
    "OCM reported the running cluster unavailable for SLIPWAY_REGISTRATION_REPAIR_SECONDS: Slipway applies the " +
    "agent's material again and restarts a local agent (Event).",
} as const;

export const ClusterPoolReasons = {
  ...CommonReasons,
  ...FieldsReasons,
  PoolReady: "size unclaimed clusters are installed; none broken, stale or in excess.",
  Provisioning: "The pool creates clusters to reach size.",
  ReplacingBrokenClusters: "Some clusters are broken (stalled) and being replaced.",
  TemplateCannotProvision:
    "Clusters built from the template stall before they are ever provisioned (the message carries their reason " +
    "and message): the pool creates no more until the template or what it depends on is fixed.",
  WaitingToReplaceBrokenClusters:
    "Broken clusters wait for the replacement budget (at most a few an hour, with growing waits).",
  ReplacingStaleClusters: "Some clusters were built from an older template and are replaced one at a time.",
  RemovingExcessClusters: "The pool holds more unclaimed clusters than size.",
  WaitingForConcurrencyBudget: "maxConcurrent operations are in flight; the pool waits for one to end.",
  MaxSizeReached: "The pool holds maxSize clusters and cannot add more.",
  CapacityAvailable: "The pool is below maxSize.",
  AllClustersCurrent: "Every unclaimed cluster was built from the current template.",
  StaleClusters: "Some unclaimed clusters were built from an older template.",
  NotYetEvaluated: "The pool has not been evaluated yet.",
  Evaluating: "The pool's clusters and claims are being read.",
  ClusterAssigned: "A cluster was assigned to a claim (Event).",
  ClustersCreated: "The pool created clusters (Event).",
  DeletingClaimDeleted: "The pool deletes a cluster whose claim was deleted (Event).",
  DeletingClaimExpired: "The pool deletes the cluster of an expired claim (Event).",
  DeletingClaimNotFound: "The pool deletes a cluster bound to a claim that does not exist (Event).",
  DeletingClaimConflict: "The pool deletes a second cluster bound to one claim (Event).",
  DeletingStalled: "The pool deletes a stalled (broken) cluster to replace it (Event).",
  DeletingResumeTimeout: "The pool deletes a cluster that did not resume in time (Event).",
  DeletingExcess: "The pool deletes an unclaimed cluster above size (Event).",
  DeletingStale: "The pool deletes a cluster built from an older template to replace it (Event).",
} as const;

export const ClusterClaimReasons = {
  ...CommonReasons,
  ...FieldsReasons,
  ClusterReady: "The assigned cluster runs and its kubeconfig is in the claim's Secret.",
  NoClusters: "The claim waits for a cluster from its pool.",
  NoClusterAssigned: "No cluster is assigned yet (condition ClusterRunning=Unknown).",
  PoolNotFound: "The pool the claim names does not exist; the claim binds once it is created.",
  ClusterAssigned: "A cluster is assigned to the claim.",
  ClusterDeleted: "The assigned cluster was deleted; delete the claim and create a new one.",
  ClusterNotRunning: "The assigned cluster does not run yet.",
  Resuming: "The assigned cluster is resuming from hibernation.",
  Running: "The assigned cluster runs.",
  KubeconfigWritten: "The claim's kubeconfig Secret holds the cluster's kubeconfig.",
  WaitingForKubeconfig: "The cluster runs; its kubeconfig is not there yet.",
  WaitingForBootstrap:
    "The cluster runs but its BootstrapPolicies have not found it compliant yet (condition Bootstrapped); the " +
    "claim gets its kubeconfig once they do.",
  ClaimExpired: "The claim's lifetime ended; it is being deleted with its cluster.",
} as const;

/** Reasons of a BootstrapPolicy's conditions. */
export const BootstrapPolicyReasons = {
  ...CommonReasons,
  Evaluated: "The latest evaluation of the policy's current generation is in for every matching cluster.",
  Evaluating: "Evaluations are queued or running on some clusters; the message counts them.",
  NoClustersSelected:
    "The selector matches no ClusterDeployment in the policy's namespace: nothing to evaluate.",
  Disabled: "spec.disabled is true: the policy is not evaluated; its status is kept.",
  ObjectTooLarge:
    "An object template is larger than Slipway stores in a policy (256 KiB each, 512 KiB in all); make it smaller.",
  InvalidObjectTemplate:
    "An object template lacks apiVersion, kind or metadata.name; the message says which.",
  ProtectedObject:
    "An enforce template would delete (mustnothave) or rewrite (mustonlyhave) an object Slipway protects on " +
    "clusters (built-in, or added by SLIPWAY_PROTECTED_OBJECTS): nothing of the policy is done until it changes; " +
    "the message names the object and why it is protected.",
  RollingOut:
    "spec.rollout gives the current generation to at most maxConcurrent clusters at once; the message counts the " +
    "clusters that have it, those getting it and those waiting.",
  RolloutPaused:
    "A cluster failed after it got the current generation (NonCompliant, its evaluation failed, or its Ready or " +
    "Joined turned False): no other cluster gets this generation until the spec changes; the message names the " +
    "cluster and the cause.",
} as const;

/** Reasons of the per-cluster evaluation (the message of a cluster's entry starts with one where it helps). */
export const PolicyEvaluationReasons = {
  UnknownKind: "The cluster's API has no such kind in that group and version (a CRD not installed, a typo).",
  ObjectRefused: "The cluster's API refused the object; the message has the API's own words.",
  ProtectedObjectUnchanged:
    "Enforce would change fields an object Slipway protects already has (musthave rewriting a value, a list " +
    "replaced), or delete or rewrite it: it is left as it is and reported NonCompliant; only additions are made " +
    "to a protected object.",
  EnforceDidNotConverge:
    "Enforce wrote the object and it is still NonCompliant right after (compared as the API server stores the " +
    "template); the message names the field paths. Write those fields as the server stores them, or stop what " +
    "changes them back; enforce writes again at most every 5 minutes, or at once after a policy change.",
  EvaluationFailed:
    "The evaluation job failed after its retries (the cluster's API unreachable); the message says why.",
  WaitingForCluster:
    "The cluster does not run yet (provisioning, hibernating): it is evaluated once it runs.",
  WaitingForRollout:
    "spec.rollout holds the cluster back: it gets the policy's current generation once fewer than maxConcurrent " +
    "clusters are getting it (or, if the rollout is paused, once the spec changes).",
  SimulatedEvaluation:
    "A simulated cluster has no API: its evaluation is simulated (with the platform's bootstrapSeconds).",
} as const;

/** Reasons of a ClusterDeployment's Bootstrapped condition (written by the bootstrap controller). */
export const BootstrapReasons = {
  PoliciesCompliant: "Every BootstrapPolicy that selects the cluster reports it Compliant.",
  NoPoliciesSelect: "No BootstrapPolicy selects the cluster: there is nothing to bootstrap.",
  PoliciesNonCompliant: "A BootstrapPolicy reports the cluster NonCompliant; the message names it.",
  AwaitingEvaluation: "A BootstrapPolicy has not evaluated the cluster (or its current generation) yet.",
  ClusterNotRunning: "The cluster does not run yet; policies are evaluated once it does.",
} as const;

export const ClusterFailoverReasons = {
  ...CommonReasons,
  Resuming: "Clusters of the standby set are being resumed, at most maxConcurrent at once.",
  WaitingForClusters: "Every cluster left was asked to run; the failover waits for them to be Ready.",
  Succeeded: "Every standby cluster is Ready; the message has the achieved RTO.",
  PartiallyFailed:
    "Some standby clusters did not come up (the message names them); the others are Ready and stay running.",
  Failed: "No standby cluster came up; the message says why.",
  Cancelled:
    "spec.cancel or deletion stopped the failover: resumed clusters stay running, the rest hibernated.",
  Cancelling: "The failover was cancelled; it waits for the clusters already resuming.",
  NoClustersMatched: "The standby set names no ClusterDeployment; fix poolName or the selector.",
  PoolNotFound: "The ClusterPool the set names does not exist in the failover's namespace.",
  PoolDeleted: "The standby pool was deleted during the failover; its clusters still waiting were given up.",
  SetInUse:
    "Another ClusterFailover, still running, holds clusters of this set; this one waits until it ends.",
  StandbyPrimaryOverlap:
    "The standby and primary sets share clusters (the message names them): the failover would resume and then " +
    "hibernate them, so it does neither until the sets are disjoint.",
  ClusterDeleted: "A standby cluster was deleted during the failover.",
  ClusterStalled: "A standby cluster stalled while resuming (its Stalled condition says why).",
  ResumeTimeout: "A standby cluster was not Ready within resumeTimeout after it was asked to run.",
  ClusterReady: "A standby cluster is Ready: running, answering, registered and bootstrapped where required.",
  ClusterFailed: "A standby cluster did not come up (Event).",
  FailoverStarted: "The failover started with the standby set fixed (Event).",
  FailoverEnded: "The failover ended (Event); the message has the counts and the RTO.",
} as const;

/**
 * Reasons of a HostedCluster (src/provisioners/hosted-cluster): its stack's reasons are a ClusterDeployment's (the
 * same job layer and programs' errors), plus those of a hosted control plane.
 */
export const HostedClusterReasons = {
  ...ClusterDeploymentReasons,
  ControlPlaneAvailable:
    "The hosted control plane serves its API at status.controlPlaneEndpoint (Available=True).",
  AsExpected: "Nothing is wrong with the running control plane (Degraded=False).",
  UnsupportedAvailabilityPolicy:
    "The platform cannot run controllerAvailabilityPolicy HighlyAvailable (local runs every component once on " +
    "one machine); the field is immutable, so create the HostedCluster again with SingleReplica.",
  WaitingForNodePools:
    "The HostedCluster is being deleted: its NodePools go first (deleted by the controller, waited for), then " +
    "the control plane; the message names the pools left.",
  WaitingForControlPlanePods:
    "The control plane's objects are applied but its pods are not all ready yet; the message has the count.",
} as const;

export type HostedClusterReason = keyof typeof HostedClusterReasons;

/** Reasons of a NodePool (src/provisioners/node-pool): its conditions, its Events and the autoscaler's decisions. */
export const NodePoolReasons = {
  ...CommonReasons,
  NodesReady: "Every node the pool wants exists, is Ready and runs the wanted version.",
  ScalingUp: "Nodes are being added to reach the desired count (the message has the counts).",
  ScalingDown: "Nodes are being removed to reach the desired count (the message has the counts).",
  WaitingForNodes: "The pool's nodes exist but not all are Ready yet.",
  WaitingForHostedCluster:
    "The HostedCluster spec.clusterName names does not exist yet, or does not serve its API yet; the pool binds " +
    "when it does.",
  WaitingToRemoveNodes:
    "The pool is being deleted while its HostedCluster does not serve its API (hibernating, not Available): its " +
    "nodes are objects in that API and would come back on resume, so the pool waits to remove them; resume the " +
    "cluster, or delete the HostedCluster (its API and nodes go with it).",
  PlatformMismatch:
    "spec.platform names another platform than the HostedCluster's (Stalled); both are immutable: create the " +
    "NodePool again on the cluster's platform.",
  UnsupportedPlatform:
    "This build makes no NodePools on the pool's platform (vsphere: not yet) (Stalled); local, simulated, aws, " +
    "azure and gcp pools work.",
  ManagementClusterRequired:
    "A NodePool on a cloud (aws, azure, gcp) is the provider's node group, whose machines join the hosted API " +
    "from the cloud: its HostedCluster must be in management mode (spec.platform.kubernetes) (Stalled); the " +
    "message says what to change.",
  ProviderPluginMissing:
    "The Pulumi provider plugin of the pool's cloud is not installed on the hub; the message names it, its version " +
    "and how to install or mirror it. Nothing is created meanwhile; the pool is taken up by itself once it is there.",
  CredentialsSecretMissing: "The Secret spec.platform.<cloud>.credentialsRef names does not exist (Stalled).",
  CredentialsKeysMissing:
    "The credentials Secret lacks keys the cloud needs; the message names them (Stalled).",
  Applying: "An up applies the pool's spec or size to its cloud node group (the message has the job).",
  NodeGroupApplied: "The cloud node group has the size and boot config the pool asks for.",
  OperationFailed: "The pool's last up failed in a way a retry cannot fix; change the spec to try again.",
  DestroyFailed: "Destroying the pool's node group failed; it is retried with capped exponential backoff.",
  Refreshing: "A refresh reads the cloud node group's state (Event).",
  DriftDetected:
    "The cloud node group differs from the spec (resized outside Slipway, say); an up repairs it.",
  Deprovisioning: "A destroy removes the pool's cloud node group (Event).",
  CancellingForDelete:
    "The pool is being deleted while an up runs: that run is cancelled, then the group destroyed.",
  NothingToDestroy: "No stack was ever created for the pool, so deleting it needs no destroy (Event).",
  DeprovisionAbandoned:
    "The pool was released without destroying its node group, as its slipway.dev/abandon-deprovision annotation " +
    "asks (Event); its machines may be left running in the cloud.",
  NodesHealthy: "Every node is Ready and renews its lease (AllNodesHealthy=True).",
  NodesUnhealthy:
    "Some nodes are not Ready or their lease expired (AllNodesHealthy=False); the message names them.",
  AutoscalingEnabled: "spec.autoScaling is set: the autoscaler sizes the pool between min and max.",
  AutoscalingDisabled: "spec.replicas fixes the size (AutoscalingEnabled=False).",
  AutoscalingNotActedOn:
    "spec.autoScaling on a cloud pool is not acted on yet (AutoscalingEnabled=False): the group keeps its min or " +
    "the last decision; set spec.replicas to size it.",
  Upgrading:
    "The nodes move to a new version (UpdatingVersion=True): Replace within maxUnavailable and maxSurge, or " +
    "InPlace one node at a time; the message has the counts.",
  VersionUpToDate: "Every node runs the wanted version (UpdatingVersion=False).",
  ScaledUpGroup:
    "The autoscaler grew the pool for pods the scheduler marked Unschedulable (cluster-autoscaler's word).",
  ScaleDown: "The autoscaler removed nodes that had no pods for scaleDownDelay (cluster-autoscaler's word).",
  NotTriggerScaleUp:
    "Pending pods did not make the pool grow: max reached, or no node of the pool could hold them (a taint not " +
    "tolerated, a nodeSelector on other labels, requests over the instance type); the message says which.",
  ScaleDownCandidatesPresent: "Empty nodes wait out scaleDownDelay; the message has when the first may go.",
  NoActivity:
    "The autoscaler has nothing to do: no pending pods for the pool and no empty node past the delay.",
  NodeAdded: "A simulated node was registered in the hosted cluster's API (Event).",
  NodeRemoved: "A node was removed from the hosted cluster's API (Event).",
  DeletingNodes: "The NodePool is being deleted: its nodes are removed first.",
} as const;

export type CommonReason = keyof typeof CommonReasons;
export type ClusterFailoverReason = keyof typeof ClusterFailoverReasons;
export type NodePoolReason = keyof typeof NodePoolReasons;
export type ClusterDeploymentReason = keyof typeof ClusterDeploymentReasons;
export type ClusterPoolReason = keyof typeof ClusterPoolReasons;
export type ClusterClaimReason = keyof typeof ClusterClaimReasons;

/** `Reason.X === "X"`, typed: use these instead of literals. */
function names<T extends Record<string, string>>(table: T): { readonly [K in keyof T]: K } {
  return Object.fromEntries(Object.keys(table).map((k) => [k, k])) as { readonly [K in keyof T]: K };
}

export const CommonReason = names(CommonReasons);
export const FieldsReason = names(FieldsReasons);
export const ClusterDeploymentReason = names(ClusterDeploymentReasons);
export const ClusterPoolReason = names(ClusterPoolReasons);
export const ClusterClaimReason = names(ClusterClaimReasons);
export const BootstrapPolicyReason = names(BootstrapPolicyReasons);
export const PolicyEvaluationReason = names(PolicyEvaluationReasons);
export const BootstrapReason = names(BootstrapReasons);
export const ClusterFailoverReason = names(ClusterFailoverReasons);
export const NodePoolReason = names(NodePoolReasons);
export const HostedClusterReason = names(HostedClusterReasons);

/** The reason tables by kind, for the API reference. Kinds without a controller yet have none. */
export const reasonsByKind: Record<string, Record<string, string>> = {
  ClusterDeployment: { ...ClusterDeploymentReasons, ...BootstrapReasons },
  ClusterPool: ClusterPoolReasons,
  ClusterClaim: ClusterClaimReasons,
  BootstrapPolicy: { ...BootstrapPolicyReasons, ...PolicyEvaluationReasons },
  ClusterFailover: ClusterFailoverReasons,
  NodePool: NodePoolReasons,
  HostedCluster: { ...HostedClusterReasons, ...BootstrapReasons },
};
