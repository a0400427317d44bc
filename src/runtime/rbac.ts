/**
 * What Slipway's processes may do on the hub: one table, per process, of the verbs and resources their code
 * calls. The chart's RBAC is generated from it (`npm run gen:crds` writes charts/slipway/templates/_rbac-rules.tpl)
 * and test/e2e/rbac.test.ts runs the real controller and worker with exactly these rules through a recording
 * proxy: every request they make is allowed by a rule, and every rule is used by a request. Nothing is a `*`.
 */

/** An RBAC verb, as the API server authorizes a request (client-go's RequestInfo). */
export type RbacVerb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "approve";

/**
 * Where a rule applies:
 * - `watched`: Slipway's resources and what lives beside them (Secrets, Events), in the namespaces Slipway
 *   reconciles: bound hub-wide, or in each namespace of `watchNamespaces` only;
 * - `cluster`: cluster-scoped kinds (ManagedClusters, CSRs, Namespaces, ClusterRoles) and objects in the
 *   namespaces registration creates, one per managed cluster, whose names nobody knows in advance;
 * - `release`: the release's own namespace (the leader-election Lease).
 */
export type RbacScope = "watched" | "cluster" | "release";

export interface RbacRule {
  apiGroup: string;
  /** The resource's plural, with `/subresource` when the request names one. */
  resource: string;
  verbs: RbacVerb[];
  /** Only these objects (the signer a CSR approval names, say). */
  resourceNames?: string[];
  scope: RbacScope;
  /** Why the code needs it, with where it calls. */
  why: string;
}

export type SlipwayProcess = "controller" | "worker";

const SLIPWAY_GROUP = "slipway.dev";
const OCM_CLUSTER_GROUP = "cluster.open-cluster-management.io";

/** Every Slipway kind the controller reconciles: watched, finalized and reported on. */
const reconciledKinds = [
  "clusterdeployments",
  "hostedclusters",
  "nodepools",
  "clusterpools",
  "clusterclaims",
  "bootstrappolicies",
  "clusterfailovers",
];

export const rbacRules: Record<SlipwayProcess, RbacRule[]> = {
  controller: [
    {
      apiGroup: SLIPWAY_GROUP,
      resource: "clusterdeployments,hostedclusters,nodepools,clusterpools",
      verbs: ["get", "list", "watch", "patch"],
      scope: "watched",
      why: "informers, finalizers of the kinds that hold one (read again on a conflict: src/runtime/reconcile-runner.ts), pools labelling and powering their clusters (src/pools/cluster-pool/phases.ts), failover and power triggers setting spec.powerState (src/failover/phases.ts, src/power/trigger-job.ts), a claim reading its pool (src/pools/cluster-claim/phases.ts)",
    },
    {
      apiGroup: SLIPWAY_GROUP,
      resource: "clusterclaims,bootstrappolicies,clusterfailovers",
      verbs: ["list", "watch"],
      scope: "watched",
      why: "informers (src/runtime/informer.ts); these kinds hold no finalizer, so they are never patched",
    },
    {
      apiGroup: SLIPWAY_GROUP,
      resource: "clusterdeployments",
      verbs: ["create", "delete"],
      scope: "watched",
      why: "pools create and delete their clusters (src/pools/cluster-pool/phases.ts)",
    },
    {
      apiGroup: SLIPWAY_GROUP,
      resource: "nodepools",
      verbs: ["delete"],
      scope: "watched",
      why: "a deleted HostedCluster deletes its NodePools (src/provisioners/hosted-cluster/phases.ts)",
    },
    {
      apiGroup: SLIPWAY_GROUP,
      resource: "clusterclaims",
      verbs: ["delete"],
      scope: "watched",
      why: "a claim past its lifetime is deleted (src/pools/cluster-claim/phases.ts)",
    },
    {
      apiGroup: SLIPWAY_GROUP,
      resource: reconciledKinds.map((k) => `${k}/status`).join(","),
      verbs: ["patch"],
      scope: "watched",
      why: "status by server-side apply (src/runtime/reconcile-runner.ts)",
    },
    {
      apiGroup: "",
      resource: "secrets",
      verbs: ["get", "list", "watch", "create", "patch", "delete"],
      scope: "watched",
      why: "the ClusterDeployment and HostedCluster controllers own kubeconfig Secrets (informer), read credentials and kubeconfigs, delete a destroyed cluster's kubeconfig (src/provisioners/cluster-deployment/phases.ts, src/provisioners/hosted-cluster/phases.ts); a claim's kubeconfig Secret is applied, create when new (src/pools/cluster-claim/phases.ts)",
    },
    {
      apiGroup: "rbac.authorization.k8s.io",
      resource: "roles,rolebindings",
      verbs: ["create", "patch"],
      scope: "watched",
      why: "a claim's subjects may read its kubeconfig Secret: a Role and RoleBinding applied beside it, create when new (src/pools/cluster-claim/phases.ts); the Role grants get on one Secret, which the controller holds",
    },
    {
      apiGroup: "",
      resource: "events",
      verbs: ["create", "get", "patch"],
      scope: "watched",
      why: "Events on Slipway's objects, counted up by patch (src/runtime/events.ts)",
    },
    {
      apiGroup: "coordination.k8s.io",
      resource: "leases",
      verbs: ["get", "create", "update"],
      scope: "release",
      why: "leader election (src/runtime/leader-election.ts)",
    },
    {
      apiGroup: OCM_CLUSTER_GROUP,
      resource: "managedclusters",
      verbs: ["get", "list", "watch", "create", "patch", "delete"],
      scope: "cluster",
      why: "registration applies (server-side apply: create when new) and deletes each cluster's ManagedCluster and watches OCM's word on it (src/bootstrap/registration/hub.ts, controller.ts)",
    },
    {
      apiGroup: OCM_CLUSTER_GROUP,
      resource: "managedclustersets",
      verbs: ["get", "create"],
      scope: "cluster",
      why: "registration creates a missing ManagedClusterSet, never takes one over (src/bootstrap/registration/hub.ts)",
    },
    {
      apiGroup: "",
      resource: "namespaces",
      verbs: ["get", "create", "patch", "delete"],
      scope: "cluster",
      why: "registration applies (create when new) and deletes each managed cluster's hub namespace (src/bootstrap/registration/hub.ts)",
    },
    {
      apiGroup: "",
      resource: "serviceaccounts",
      verbs: ["create", "patch"],
      scope: "cluster",
      why: "registration applies (create when new) the cluster's bootstrap ServiceAccount in its hub namespace (src/bootstrap/registration/hub.ts)",
    },
    {
      apiGroup: "rbac.authorization.k8s.io",
      resource: "clusterroles,clusterrolebindings",
      verbs: ["list", "create", "patch", "delete"],
      scope: "cluster",
      why: "registration applies (create when new) and deletes each cluster's bootstrap ClusterRole and binding (src/bootstrap/registration/hub.ts); the API server lets a process grant only what it holds itself, so it also holds what that role grants (CSRs, ManagedClusters)",
    },
    {
      apiGroup: "certificates.k8s.io",
      resource: "certificatesigningrequests",
      verbs: ["create", "get", "list", "watch"],
      scope: "cluster",
      why: "the agents' CSRs are watched for approval (src/bootstrap/registration/controller.ts); create is held only to grant it to bootstrap identities (bootstrapRbac in src/bootstrap/registration/managed-cluster.ts)",
    },
    {
      apiGroup: "certificates.k8s.io",
      resource: "certificatesigningrequests/approval",
      verbs: ["update"],
      scope: "cluster",
      why: "approves the agent CSRs of each cluster's own bootstrap identity (approveAgentCsrs in src/bootstrap/registration/hub.ts)",
    },
    {
      apiGroup: "certificates.k8s.io",
      resource: "signers",
      resourceNames: ["kubernetes.io/kube-apiserver-client"],
      verbs: ["approve"],
      scope: "cluster",
      why: "the signer the agents' client certificates name; the API server asks for approve on it",
    },
  ],
  worker: [
    {
      apiGroup: SLIPWAY_GROUP,
      resource: "clusterdeployments,hostedclusters,bootstrappolicies",
      verbs: ["get"],
      scope: "watched",
      why: "a job reads its object when it runs (src/provisioners/cluster-deployment/stack-job.ts, src/provisioners/hosted-cluster/stack-job.ts, src/bootstrap/policies/evaluation-job.ts, src/bootstrap/registration/spoke-job.ts)",
    },
    {
      apiGroup: "",
      resource: "secrets",
      verbs: ["get", "create", "patch"],
      scope: "watched",
      why: "credentials and cluster kubeconfigs are read when a job runs; a provisioned cluster's kubeconfig Secret is applied, by server-side apply, which the API server authorizes as create for a new object (src/provisioners/cluster-deployment/stack-job.ts)",
    },
    {
      apiGroup: "",
      resource: "serviceaccounts/token",
      verbs: ["create"],
      scope: "cluster",
      why: "a bootstrap token for the agent of a cluster that joins (src/bootstrap/registration/bootstrap-kubeconfig.ts)",
    },
    {
      apiGroup: "coordination.k8s.io",
      resource: "leases",
      verbs: ["create", "patch"],
      scope: "cluster",
      why: "the simulated platform's agent applies (create when new) its cluster's lease in the cluster's hub namespace (src/bootstrap/registration/simulated-agent.ts)",
    },
    {
      apiGroup: OCM_CLUSTER_GROUP,
      resource: "managedclusters/status",
      verbs: ["patch"],
      scope: "cluster",
      why: "the simulated platform's agent reports its cluster joined (src/bootstrap/registration/simulated-agent.ts)",
    },
  ],
};

/** What the API server authorizes for one request: RBAC's verb and resource (client-go's RequestInfo). */
export interface RequestAttributes {
  verb: RbacVerb | string;
  apiGroup: string;
  /** Plural, with `/subresource` when there is one. */
  resource: string;
  namespace?: string;
  name?: string;
}

/**
 * The verb and resource a REST request is authorized as, from its method and path: GET of an object is get, of a
 * collection list (watch with `watch=true` or a /watch/ path), POST create, PUT update, PATCH patch, DELETE
 * delete. Undefined for non-resource paths (/livez, /version).
 */
export function requestAttributes(
  method: string,
  path: string,
  query: URLSearchParams = new URLSearchParams(),
): RequestAttributes | undefined {
  const parts = path.split("?")[0]!.split("/").filter(Boolean);
  let apiGroup: string;
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 2) {
    apiGroup = "";
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 3) {
    apiGroup = parts[1]!;
    rest = parts.slice(3);
  } else return undefined;
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource] = rest;
  if (!plural) return undefined;
  const resource = subresource ? `${plural}/${subresource}` : plural;
  const upper = method.toUpperCase();
  const watch = watchPath || ["true", "1"].includes(query.get("watch") ?? "");
  const verb =
    upper === "GET" || upper === "HEAD"
      ? watch
        ? "watch"
        : name
          ? "get"
          : "list"
      : upper === "WATCH"
        ? "watch"
        : ((
            {
              POST: "create",
              PUT: "update",
              PATCH: "patch",
              DELETE: name ? "delete" : "deletecollection",
            } as Record<string, string>
          )[upper] ?? upper.toLowerCase());
  return { verb, apiGroup, resource, namespace, name };
}

/** Resources of a rule, one by one (a rule may name several, comma-separated). */
export function ruleResources(rule: RbacRule): string[] {
  return rule.resource.split(",");
}

/** The rule of `rules` that allows the request, if any (scope is the binding's business, not the rule's). */
export function allowingRule(rules: readonly RbacRule[], request: RequestAttributes): RbacRule | undefined {
  return rules.find(
    (r) =>
      r.apiGroup === request.apiGroup &&
      ruleResources(r).includes(request.resource) &&
      (r.verbs as string[]).includes(request.verb) &&
      (!r.resourceNames || (request.name !== undefined && r.resourceNames.includes(request.name))),
  );
}

/** "patch clusterdeployments/status.slipway.dev": how kubectl and the API server name a verb on a resource. */
export function describePermission(verb: string, apiGroup: string, resource: string): string {
  return `${verb} ${resource}${apiGroup ? `.${apiGroup}` : ""}`;
}

const SCOPES: RbacScope[] = ["watched", "cluster", "release"];

/**
 * The chart's rules as Helm named templates, `slipway.rbac.<process>.<scope>`, one YAML list each (empty when the
 * process needs nothing there); charts/slipway/templates/rbac.yaml binds them. Each rule carries its why.
 */
export function renderRbacRulesTemplate(rules: Record<SlipwayProcess, RbacRule[]> = rbacRules): string {
  const lines = [
    "{{- /* Generated by `npm run gen:crds` from src/runtime/rbac.ts: edit that table, not this file. */ -}}",
  ];
  for (const process of Object.keys(rules) as SlipwayProcess[]) {
    for (const scope of SCOPES) {
      lines.push("", `{{- define "slipway.rbac.${process}.${scope}" }}`);
      for (const rule of rules[process].filter((r) => r.scope === scope)) {
        lines.push(`# ${rule.why}`);
        lines.push(`- apiGroups: ${JSON.stringify([rule.apiGroup])}`);
        lines.push(`  resources: ${JSON.stringify(ruleResources(rule))}`);
        if (rule.resourceNames) lines.push(`  resourceNames: ${JSON.stringify(rule.resourceNames)}`);
        lines.push(`  verbs: ${JSON.stringify(rule.verbs)}`);
      }
      lines.push("{{- end }}");
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Where `npm run gen:crds` writes renderRbacRulesTemplate(), from the repository's root. */
export const RBAC_RULES_TEMPLATE = "charts/slipway/templates/_rbac-rules.tpl";
