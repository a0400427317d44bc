import { kubectlOk } from "../../harness/hub.js";
import type { KubeObject, ResourceRef } from "../../../src/runtime/resource.js";
import type { Condition } from "../../../src/runtime/conditions.js";

/** A throwaway custom resource with a status subresource, so runtime tests do not depend on Slipway's own API. */
export const widgets: ResourceRef = {
  group: "runtime-test.slipway.dev",
  version: "v1",
  plural: "widgets",
  kind: "Widget",
  namespaced: true,
};

export interface Widget extends KubeObject {
  spec?: { size?: number; fail?: "transient" | "terminal" };
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    size?: number;
    lastOperation?: Record<string, unknown>;
  };
}

const crd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.runtime-test.slipway.dev" },
  spec: {
    group: "runtime-test.slipway.dev",
    scope: "Namespaced",
    names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              status: {
                type: "object",
                properties: {
                  observedGeneration: { type: "integer", format: "int64" },
                  size: { type: "integer" },
                  lastOperation: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                  conditions: {
                    type: "array",
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["type"],
                    items: {
                      type: "object",
                      required: ["type", "status"],
                      properties: {
                        type: { type: "string" },
                        status: { type: "string" },
                        reason: { type: "string" },
                        message: { type: "string" },
                        lastTransitionTime: { type: "string", format: "date-time" },
                        observedGeneration: { type: "integer", format: "int64" },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

export async function installWidgetCrd(): Promise<ResourceRef> {
  await kubectlOk(["apply", "--server-side", "--field-manager=runtime-tests", "-f", "-"], {
    input: JSON.stringify(crd),
  });
  await kubectlOk([
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    "crd/widgets.runtime-test.slipway.dev",
  ]);
  return widgets;
}

export function widget(namespace: string, name: string, spec: Widget["spec"] = {}): Widget {
  return { apiVersion: "runtime-test.slipway.dev/v1", kind: "Widget", metadata: { namespace, name }, spec };
}
