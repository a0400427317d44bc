import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hubKubeConfig, newNamespace } from "../../harness/hub.js";
import { EventRecorder } from "../../../src/runtime/events.js";
import { KubeClient } from "../../../src/runtime/kube-client.js";
import { coreResources, type KubeObject } from "../../../src/runtime/resource.js";

interface CoreEvent extends KubeObject {
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string; uid?: string };
  source?: { component?: string };
}

describe("EventRecorder against a real kube-apiserver", () => {
  let client: KubeClient;
  let ns: string;
  let regarding: KubeObject;

  beforeAll(async () => {
    client = new KubeClient(hubKubeConfig());
    ns = await newNamespace("events");
    regarding = await client.create(coreResources.configMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { namespace: ns, name: "subject" },
    });
  });

  afterAll(() => client.close());

  const eventsOf = async () => (await client.list<CoreEvent>(coreResources.events, { namespace: ns })).items;

  it("aggregates identical events into one Event with a count", async () => {
    const recorder = new EventRecorder({ client, component: "slipway-controller", instance: "test" });
    const input = {
      type: "Normal" as const,
      reason: "ProvisionStarted",
      message: "Enqueuing up for generation 1",
    };
    await recorder.record(regarding, input);
    await recorder.record(regarding, input);
    // A second recorder (another replica, or a restart) finds the existing Event and bumps it.
    await new EventRecorder({ client, component: "slipway-controller", instance: "other" }).record(
      regarding,
      input,
    );
    const matching = (await eventsOf()).filter((e) => e.reason === "ProvisionStarted");
    expect(matching).toHaveLength(1);
    expect(matching[0]).toMatchObject({
      count: 3,
      type: "Normal",
      involvedObject: { kind: "ConfigMap", name: "subject", uid: regarding.metadata?.uid },
      source: { component: "slipway-controller" },
    });
    expect(matching[0]!.metadata?.name).toBe(EventRecorder.eventName(regarding, input));
  });

  it("keeps different messages apart and never writes secret-looking text", async () => {
    const recorder = new EventRecorder({ client, component: "slipway-controller" });
    await recorder.record(regarding, {
      type: "Warning",
      reason: "StackUpFailed",
      message: "provider said: token=abc123secret is invalid",
    });
    await recorder.record(regarding, { type: "Warning", reason: "StackUpFailed", message: "quota exceeded" });
    const failed = (await eventsOf()).filter((e) => e.reason === "StackUpFailed");
    expect(failed).toHaveLength(2);
    expect(failed.map((e) => e.message).join(" ")).not.toContain("abc123secret");
  });

  it("never throws into the caller, even for an invalid reason", async () => {
    const recorder = new EventRecorder({ client, component: "slipway-controller" });
    await expect(
      recorder.record(regarding, { type: "Normal", reason: "not camel case", message: "x" }),
    ).resolves.toBeUndefined();
  });
});
