/**
 * The simulated platform's fields: spec.platform.simulated of a ClusterDeployment, a HostedCluster and a NodePool, composed
 * into the API by src/api/platform.ts. The API owns the wire format; stacks/<platform> imports this fragment.
 */
import { localObjectReference } from "../common.js";
import {
  DEFAULT_SIMULATED_INSTANCE_TYPE,
  SIMULATED_INSTANCE_TYPE_NAMES,
  simulatedInstanceTypeDescription,
} from "../node-instance-types.js";
import { optionalRegion, seconds, version, type PlatformOptions } from "../platform-fields.js";
import { s, type Infer } from "../schema.js";

export const simulatedFailure = s.object(
  {
    phase: s
      .enum(["Provision", "Hibernate", "Resume", "Destroy", "Register", "Bootstrap"], {
        description: "The phase that fails.",
      })
      .required(),
    mode: s.enum(["Transient", "Terminal"], {
      description: "Transient failures are retried with backoff; Terminal ones stall the cluster.",
      default: "Transient",
    }),
    attempts: s.integer({
      description: "How many attempts of the phase fail before it succeeds; 0 fails every attempt.",
      minimum: 0,
      maximum: 100,
      default: 1,
    }),
    message: s.string({ description: "Error message the simulated provider reports.", maxLength: 1024 }),
  },
  { description: "A failure injected into one phase." },
);

export type SimulatedFailure = Infer<typeof simulatedFailure>;

export const simulatedPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      version: version(opts, "Kubernetes version the simulated cluster reports."),
      region: optionalRegion("A free-form region label, used by DR failover of simulated fleets.", opts),
      provisionSeconds: seconds("creating the cluster", 5),
      hibernateSeconds: seconds("hibernating", 2),
      resumeSeconds: seconds("resuming", 2),
      destroySeconds: seconds("destroying", 2),
      registrationSeconds: seconds("registering with the hub", 0.5),
      bootstrapSeconds: seconds("applying bootstrap policies", 0.5),
      credentialsRef: localObjectReference(
        "Optional simulated cloud credentials: when set, the Secret must exist, exactly as for a cloud platform " +
          "(a missing one stalls the cluster with reason CredentialsSecretMissing).",
      ),
      jitterPercent: s.integer({
        description: "Each delay varies randomly by up to this percentage either way.",
        minimum: 0,
        maximum: 100,
        default: 10,
      }),
      failures: s.array(simulatedFailure, {
        description: "Failures to inject, at most one per phase.",
        listType: "map",
        listMapKeys: ["phase"],
        maxItems: 6,
      }),
    },
    {
      description:
        "No processes: state lives in the Pulumi stack and each phase takes a configurable time, like Cluster " +
        "API's in-memory provider. The kubeconfig is marked as simulated.",
    },
  );

export type SimulatedPlatform = Infer<ReturnType<typeof simulatedPlatform>>;

/** spec.platform.simulated of a HostedCluster: where its workers' infrastructure lives. */
export const simulatedHostedClusterPlatform = (opts: PlatformOptions) =>
  s.object(
    {
      region: optionalRegion("A free-form region label.", opts),
      provisionSeconds: seconds("creating the control plane", 5),
      destroySeconds: seconds("destroying the control plane", 2),
      jitterPercent: s.integer({
        description: "Each delay varies randomly by up to this percentage either way.",
        minimum: 0,
        maximum: 100,
        default: 10,
      }),
    },
    { description: "A simulated control plane with configurable delays." },
  );

/** spec.platform.simulated of a NodePool: the machines of its workers. */
export const simulatedNodePoolPlatform = () =>
  s.object(
    {
      nodeReadySeconds: seconds("a node becoming Ready", 2),
      instanceType: s.enum(SIMULATED_INSTANCE_TYPE_NAMES as [string, ...string[]], {
        description: simulatedInstanceTypeDescription,
        default: DEFAULT_SIMULATED_INSTANCE_TYPE,
      }),
    },
    {
      description:
        "Simulated nodes of a simulated HostedCluster, which has no API to register them with: they exist only as " +
        "counts in the NodePool's status (replicas, readyReplicas), each Ready nodeReadySeconds after it is added.",
    },
  );
