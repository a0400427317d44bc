import { describe, expect, it } from "vitest";
import type { ObjectTemplate } from "../../../src/api/index.js";
import { evaluate, type DryRun } from "../../../src/bootstrap/policies/evaluate.js";
import type { KubeObject } from "../../../src/runtime/resource.js";

/**
 * evaluate(template, observed, dry run): the template compared with the existing object as the API server would
 * store it. Each `stored` below is what a real kube-apiserver answers to the dry run (see
 * test/integration/bootstrap/policy-dry-run.test.ts for the same cases against one).
 */
const t = (complianceType: ObjectTemplate["complianceType"], objectDefinition: object): ObjectTemplate => ({
  complianceType,
  objectDefinition: objectDefinition as ObjectTemplate["objectDefinition"],
});
const meta = (name: string, extra: object = {}) => ({
  name,
  namespace: "team",
  uid: "u-1",
  resourceVersion: "7",
  creationTimestamp: "2026-01-01T00:00:00Z",
  managedFields: [{ manager: "slipway-bootstrap" }],
  ...extra,
});
const b64 = (text: string) => Buffer.from(text).toString("base64");
const stored = (object: object): DryRun => ({ stored: object as KubeObject });

const secretTemplate = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "creds", namespace: "team" },
  stringData: { password: "p4ss-template" },
};
const secretStored = (data: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: meta("creds"),
  type: "Opaque",
  data,
});

const serviceTemplate = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "team" },
  spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
};
const serviceStored = (port: number, extraPorts: object[] = []) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: meta("web"),
  spec: {
    ports: [{ name: "http", protocol: "TCP", port, targetPort: "http" }, ...extraPorts],
    selector: { app: "web" },
    clusterIP: "10.0.0.10",
    clusterIPs: ["10.0.0.10"],
    type: "ClusterIP",
    sessionAffinity: "None",
    ipFamilies: ["IPv4"],
    ipFamilyPolicy: "SingleStack",
    internalTrafficPolicy: "Cluster",
  },
  status: { loadBalancer: {} },
});

const deploymentTemplate = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api", namespace: "team" },
  spec: {
    selector: { matchLabels: { app: "api" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } },
    template: {
      metadata: { labels: { app: "api" } },
      spec: {
        containers: [
          {
            name: "api",
            image: "api:1",
            env: [
              { name: "B", value: "2" },
              { name: "A", value: "1" },
            ],
            resources: { requests: { memory: "1024Mi", cpu: "1000m" } },
          },
          { name: "sidecar", image: "sidecar:1" },
        ],
      },
    },
  },
};
const container = (name: string, extra: object) => ({
  name,
  terminationMessagePath: "/dev/termination-log",
  terminationMessagePolicy: "File",
  imagePullPolicy: "IfNotPresent",
  resources: {},
  ...extra,
});
/** The Deployment as the server stores it: defaults filled in, quantities canonical, lists in its order. */
const deploymentStored = (sidecarImage = "sidecar:1", memory = "1Gi") => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: meta("api", { generation: 1, annotations: { "deployment.kubernetes.io/revision": "1" } }),
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: "api" } },
    template: {
      metadata: { labels: { app: "api" }, creationTimestamp: null },
      spec: {
        containers: [
          container("sidecar", { image: sidecarImage }),
          container("api", {
            image: "api:1",
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
            ],
            resources: { requests: { memory, cpu: "1" } },
          }),
        ],
        restartPolicy: "Always",
        terminationGracePeriodSeconds: 30,
        dnsPolicy: "ClusterFirst",
        securityContext: {},
        schedulerName: "default-scheduler",
      },
    },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  },
  status: { observedGeneration: 1, replicas: 1 },
});

describe("evaluate compares what the server would store with what exists", () => {
  const cases: {
    case: string;
    template: ObjectTemplate;
    observed: object;
    dryRun: DryRun;
    compliant: boolean;
    message: string | RegExp;
  }[] = [
    {
      case: "stringData, mustonlyhave: the server stores it as base64 data",
      template: t("mustonlyhave", secretTemplate),
      observed: secretStored({ password: b64("p4ss-template") }),
      dryRun: stored(secretStored({ password: b64("p4ss-template") })),
      compliant: true,
      message: "Secret team/creds is as required (as the API server stores the template)",
    },
    {
      case: "stringData, musthave: another key in data does not matter",
      template: t("musthave", secretTemplate),
      observed: secretStored({ password: b64("p4ss-template"), other: b64("x") }),
      dryRun: stored(secretStored({ password: b64("p4ss-template"), other: b64("x") })),
      compliant: true,
      message: /is as required/,
    },
    {
      case: "stringData, mustonlyhave: an extra key in data is named",
      template: t("mustonlyhave", secretTemplate),
      observed: secretStored({ password: b64("p4ss-template"), other: b64("p4ss-other") }),
      dryRun: stored(secretStored({ password: b64("p4ss-template") })),
      compliant: false,
      message: "Secret team/creds: data.other is set but must not be (values of a Secret are not shown)",
    },
    {
      case: "stringData: a changed value is named by its key",
      template: t("musthave", secretTemplate),
      observed: secretStored({ password: b64("p4ss-cluster") }),
      dryRun: stored(secretStored({ password: b64("p4ss-template") })),
      compliant: false,
      message:
        "Secret team/creds: data.password differs from the template (values of a Secret are not shown)",
    },
    {
      case: "defaulted fields (protocol TCP, type, session affinity, cluster IP) and an int-or-string targetPort",
      template: t("mustonlyhave", serviceTemplate),
      observed: serviceStored(80),
      dryRun: stored(serviceStored(80)),
      compliant: true,
      message: "Service team/web is as required (as the API server stores the template)",
    },
    {
      case: "a port that differs, named by the port's name",
      template: t("mustonlyhave", serviceTemplate),
      observed: serviceStored(8080),
      dryRun: stored(serviceStored(80)),
      compliant: false,
      message: "Service team/web: spec.ports[http].port is 8080, wants 80",
    },
    {
      case: "mustonlyhave: a port the template does not have",
      template: t("mustonlyhave", serviceTemplate),
      observed: serviceStored(80, [{ name: "debug", protocol: "TCP", port: 2345, targetPort: 2345 }]),
      dryRun: stored(serviceStored(80)),
      compliant: false,
      message: /^Service team\/web: spec\.ports\[debug\] is set \({"name":"debug",.*}\) but must not be$/,
    },
    {
      case: "musthave: a port merged by key into the existing ones (the server's merge) is contained",
      template: t("musthave", serviceTemplate),
      observed: serviceStored(80, [{ name: "debug", protocol: "TCP", port: 2345, targetPort: 2345 }]),
      dryRun: stored(serviceStored(80, [{ name: "debug", protocol: "TCP", port: 2345, targetPort: 2345 }])),
      compliant: true,
      message: /is as required/,
    },
    {
      case: "quantities (1024Mi is 1Gi, 1000m is 1), defaults, containers and env in the server's order",
      template: t("mustonlyhave", deploymentTemplate),
      observed: deploymentStored(),
      dryRun: stored(deploymentStored()),
      compliant: true,
      message: "Deployment team/api is as required (as the API server stores the template)",
    },
    {
      case: "musthave Deployment with the server's defaults",
      template: t("musthave", deploymentTemplate),
      observed: deploymentStored(),
      dryRun: stored(deploymentStored()),
      compliant: true,
      message: /is as required/,
    },
    {
      case: "a quantity that differs is shown in the server's form",
      template: t("mustonlyhave", deploymentTemplate),
      observed: deploymentStored("sidecar:1", "2Gi"),
      dryRun: stored(deploymentStored()),
      compliant: false,
      message:
        'Deployment team/api: spec.template.spec.containers[api].resources.requests.memory is "2Gi", wants "1Gi"',
    },
    {
      case: "a container's image, named by the container",
      template: t("musthave", deploymentTemplate),
      observed: deploymentStored("sidecar:2"),
      dryRun: stored(deploymentStored("sidecar:1")),
      compliant: false,
      message:
        'Deployment team/api: spec.template.spec.containers[sidecar].image is "sidecar:2", wants "sidecar:1"',
    },
    {
      case: "labels the template names, compared as musthave; the server's own annotations left alone",
      template: t("musthave", {
        ...deploymentTemplate,
        metadata: { ...deploymentTemplate.metadata, labels: { tier: "x" } },
      }),
      observed: deploymentStored(),
      dryRun: stored({
        ...deploymentStored(),
        metadata: { ...deploymentStored().metadata, labels: { tier: "x" } },
      }),
      compliant: false,
      message: "Deployment team/api: metadata.labels is absent, wants an object",
    },
    {
      case: "no dry run possible: compared as written, and the message says so",
      template: t("mustonlyhave", secretTemplate),
      observed: secretStored({ password: b64("p4ss-template") }),
      dryRun: { unavailable: "415 UnsupportedMediaType: the body of the request was in an unknown format" },
      compliant: false,
      message:
        "Secret team/creds: stringData is missing (values of a Secret are not shown) (compared with the template as written: the cluster's API could not dry-run it: 415 UnsupportedMediaType: the body of the request was in an unknown format)",
    },
  ];

  it.each(cases)("$case", ({ template, observed, dryRun, compliant, message }) => {
    const result = evaluate(template, observed as KubeObject, dryRun);
    expect(result.compliant).toBe(compliant);
    expect(result.action).toBe(compliant ? "none" : "update");
    if (typeof message === "string") expect(result.message).toBe(message);
    else expect(result.message).toMatch(message);
  });

  it("the same objects compared as written (the old comparison) are NonCompliant: the class this closes", () => {
    for (const [template, observed] of [
      [t("mustonlyhave", secretTemplate), secretStored({ password: b64("p4ss-template") })],
      [t("mustonlyhave", serviceTemplate), serviceStored(80)],
      [t("mustonlyhave", deploymentTemplate), deploymentStored()],
    ] as const)
      expect(evaluate(template, observed as KubeObject).compliant).toBe(false);
  });
});

describe("a Secret's message never carries a value", () => {
  const values = ["hunter2-template", "hunter2-cluster", "item-name-secret"];
  const forms = (value: string) => [value, b64(value), JSON.stringify(value), b64(value).slice(0, 12)];
  const secret = (fields: object) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "creds", namespace: "team" },
    ...fields,
  });
  // Every shape a difference can take: a changed value, a missing key, an extra key, a wrong type, lists plain and
  // keyed by a name that is itself a value, labels and annotations.
  const pairs: [object, object][] = [
    [{ data: { k: b64(values[0]!) } }, { data: { k: b64(values[1]!) } }],
    [{ stringData: { k: values[0] } }, { data: { k: b64(values[1]!) } }],
    [{ data: { k: b64(values[0]!) } }, { data: {} }],
    [{ data: { k: b64(values[0]!) } }, { data: { k: b64(values[0]!), other: b64(values[1]!) } }],
    [{ data: { k: b64(values[0]!) } }, { data: values[1] }],
    [{ data: values[0] }, { data: { k: b64(values[1]!) } }],
    [{ type: values[0] }, { type: values[1] }],
    [{ items: [values[0]] }, { items: [values[1]] }],
    [{ items: [values[0]] }, { items: values[1] }],
    [{ items: [{ name: values[2], v: values[0] }] }, { items: [{ name: values[2], v: values[1] }] }],
    [{ items: [{ name: values[2], v: values[0] }] }, { items: [{ name: "x", v: values[1] }, { name: "y" }] }],
    [
      { metadata: { name: "creds", namespace: "team", labels: { k: values[0] } } },
      { metadata: { labels: { k: values[1] } } },
    ],
    [{ metadata: { name: "creds", namespace: "team", annotations: { k: values[0] } } }, { metadata: {} }],
  ];

  it.each(pairs.map(([template, observed], index) => ({ index, template, observed })))(
    "difference shape $index",
    ({ template, observed }) => {
      const observedObject = {
        ...secret(observed),
        metadata: { ...meta("creds"), ...(observed as { metadata?: object }).metadata },
      };
      for (const complianceType of ["musthave", "mustonlyhave"] as const) {
        const tmpl = t(complianceType, secret(template));
        for (const dryRun of [
          undefined,
          stored(secret(template)),
          stored(observedObject),
          { unavailable: "403 Forbidden" },
        ]) {
          const result = evaluate(tmpl, observedObject as KubeObject, dryRun);
          if (result.compliant) continue;
          expect(result.message).toContain("(values of a Secret are not shown)");
          for (const value of values)
            for (const form of forms(value)) expect(result.message).not.toContain(form);
        }
      }
    },
  );
});
