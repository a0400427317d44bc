import { describe, expect, it } from "vitest";
import {
  conditionTime,
  getCondition,
  initialConditions,
  isTrue,
  markReady,
  markReconciling,
  markStalled,
  setCondition,
  summarize,
  summaryState,
  type Condition,
} from "../../../src/runtime/conditions.js";
import { TerminalError } from "../../../src/errors/index.js";

const t0 = new Date("2026-03-01T10:00:00.123Z");
const t1 = new Date("2026-03-01T10:05:00.456Z");
const t2 = new Date("2026-03-01T10:09:00.000Z");

/** The PKO rule: Ready always, and exactly one of Reconciling / Stalled present. */
function expectSummaryInvariant(conditions: Condition[]) {
  expect(getCondition(conditions, "Ready")).toBeDefined();
  const present = ["Reconciling", "Stalled"].filter((type) => getCondition(conditions, type) !== undefined);
  expect(present).toHaveLength(1);
}

describe("summary conditions", () => {
  it("in progress: Ready=False, Reconciling=True, no Stalled", () => {
    const conditions = markReconciling(
      [],
      { reason: "Provisioning", message: "Creating the control plane", observedGeneration: 1 },
      t0,
    );
    expectSummaryInvariant(conditions);
    expect(getCondition(conditions, "Ready")).toMatchObject({
      status: "False",
      reason: "Provisioning",
      observedGeneration: 1,
    });
    expect(getCondition(conditions, "Reconciling")).toMatchObject({ status: "True", reason: "Provisioning" });
    expect(summaryState(conditions)).toBe("Reconciling");
  });

  it("stalled: Ready=False, Stalled=True and Reconciling removed", () => {
    const reconciling = markReconciling([], { message: "working" }, t0);
    const stalled = markStalled(
      reconciling,
      { reason: "CredentialsSecretMissing", message: "Create Secret aws-creds in namespace team-a" },
      t1,
    );
    expectSummaryInvariant(stalled);
    expect(getCondition(stalled, "Reconciling")).toBeUndefined();
    expect(getCondition(stalled, "Stalled")).toMatchObject({
      status: "True",
      reason: "CredentialsSecretMissing",
    });
    expect(summaryState(stalled)).toBe("Stalled");
  });

  it("ready: Ready=True, Reconciling=False and Stalled removed", () => {
    const stalled = markStalled([], { reason: "BadSpec", message: "fix it" }, t0);
    const ready = markReady(
      stalled,
      { reason: "ClusterRunning", message: "The cluster is running", observedGeneration: 3 },
      t1,
    );
    expectSummaryInvariant(ready);
    expect(getCondition(ready, "Stalled")).toBeUndefined();
    expect(getCondition(ready, "Ready")).toMatchObject({
      status: "True",
      reason: "ClusterRunning",
      observedGeneration: 3,
    });
    expect(getCondition(ready, "Reconciling")).toMatchObject({ status: "False" });
    expect(isTrue(ready, "Ready")).toBe(true);
    expect(summaryState(ready)).toBe("Ready");
  });

  it("keeps the invariant through any sequence of transitions", () => {
    const steps = [
      markReady,
      markReconciling,
      markStalled,
      markStalled,
      markReady,
      markReady,
      markReconciling,
      markStalled,
      markReconciling,
    ];
    let conditions = initialConditions(1, t0);
    expectSummaryInvariant(conditions);
    for (const step of steps) {
      conditions = step(conditions, { message: "step" }, t1);
      expectSummaryInvariant(conditions);
    }
  });

  it("keeps domain conditions untouched", () => {
    let conditions = setCondition(
      [],
      { type: "Provisioned", status: "True", reason: "StackUpSucceeded", message: "up done" },
      t0,
    );
    conditions = markStalled(conditions, { reason: "Broken", message: "x" }, t1);
    conditions = markReady(conditions, { message: "ok" }, t2);
    expect(getCondition(conditions, "Provisioned")).toMatchObject({
      status: "True",
      lastTransitionTime: "2026-03-01T10:00:00Z",
    });
  });
});

describe("setCondition", () => {
  it("moves lastTransitionTime only when the status changes", () => {
    let conditions = setCondition(
      [],
      { type: "Registered", status: "False", reason: "Waiting", message: "a" },
      t0,
    );
    expect(getCondition(conditions, "Registered")!.lastTransitionTime).toBe("2026-03-01T10:00:00Z");

    conditions = setCondition(
      conditions,
      { type: "Registered", status: "False", reason: "StillWaiting", message: "b" },
      t1,
    );
    expect(getCondition(conditions, "Registered")).toMatchObject({
      reason: "StillWaiting",
      message: "b",
      lastTransitionTime: "2026-03-01T10:00:00Z",
    });

    conditions = setCondition(
      conditions,
      { type: "Registered", status: "True", reason: "Joined", message: "c" },
      t2,
    );
    expect(getCondition(conditions, "Registered")!.lastTransitionTime).toBe("2026-03-01T10:09:00Z");
  });

  it("summary helpers follow the same rule: Ready's time stays while it stays False", () => {
    const first = markReconciling([], { reason: "Provisioning", message: "a" }, t0);
    const second = markStalled(first, { reason: "QuotaExceeded", message: "b" }, t1);
    expect(getCondition(second, "Ready")!.lastTransitionTime).toBe(conditionTime(t0));
    expect(getCondition(second, "Stalled")!.lastTransitionTime).toBe(conditionTime(t1));
    const third = markReady(second, { message: "c" }, t2);
    expect(getCondition(third, "Ready")!.lastTransitionTime).toBe(conditionTime(t2));
  });

  it("records observedGeneration and keeps the list order, so equal passes give equal lists", () => {
    const a = setCondition(
      setCondition([], { type: "A", status: "True", reason: "Yes", message: "" }, t0),
      { type: "B", status: "True", reason: "Yes", message: "" },
      t0,
    );
    const b = setCondition(
      a,
      { type: "A", status: "True", reason: "Yes", message: "", observedGeneration: 7 },
      t1,
    );
    expect(b.map((c) => c.type)).toEqual(["A", "B"]);
    expect(getCondition(b, "A")!.observedGeneration).toBe(7);
    expect(
      JSON.stringify(setCondition(b, { type: "B", status: "True", reason: "Yes", message: "" }, t2)),
    ).toBe(JSON.stringify(b));
  });

  it("does not change the list it was given", () => {
    const original = setCondition([], { type: "A", status: "True", reason: "Yes", message: "" }, t0);
    const copy = structuredClone(original);
    setCondition(original, { type: "A", status: "False", reason: "No", message: "" }, t1);
    expect(original).toEqual(copy);
  });

  it("refuses reasons that are not CamelCase", () => {
    expect(() => setCondition([], { type: "A", status: "True", reason: "not camel", message: "" })).toThrow(
      /CamelCase/,
    );
    expect(() => setCondition([], { type: "A", status: "True", reason: "lowerStart", message: "" })).toThrow(
      /CamelCase/,
    );
    expect(() => setCondition([], { type: "A", status: "True", reason: "", message: "" })).toThrow(
      /CamelCase/,
    );
    expect(
      setCondition([], { type: "A", status: "True", reason: "StackUp2Succeeded", message: "" }),
    ).toHaveLength(1);
  });

  it("writes second-precision times, as the API server stores them", () => {
    expect(conditionTime(t0)).toBe("2026-03-01T10:00:00Z");
  });
});

describe("summarize", () => {
  const ready = { reason: "ClusterRunning", message: "Running" };
  const domain = (type: string, status: "True" | "False" | "Unknown", reason = `${type}${status}`) =>
    ({
      type,
      status,
      reason,
      message: `${type} is ${status}`,
      lastTransitionTime: "2026-03-01T09:00:00Z",
    }) as Condition;
  const summary = (conditions: Condition[], input: Partial<Parameters<typeof summarize>[1]> = {}) => {
    const list = summarize(
      conditions,
      {
        conditions: ["Provisioned", "Registered", { type: "Pending", polarity: "negative" }],
        ready,
        observedGeneration: 2,
        ...input,
      },
      t0,
    );
    const reasonOf = (type: string) => getCondition(list, type)?.reason;
    const state = summaryState(list);
    return { state, reason: state === "Ready" ? reasonOf("Ready") : reasonOf(state), list };
  };

  it.each([
    {
      name: "every summarized condition good: Ready with the given reason",
      conditions: [domain("Provisioned", "True"), domain("Registered", "True"), domain("Pending", "False")],
      state: "Ready",
      reason: "ClusterRunning",
    },
    {
      name: "a missing condition counts as Unknown",
      conditions: [domain("Provisioned", "True"), domain("Pending", "False")],
      state: "Reconciling",
      reason: "Pending",
    },
    {
      name: "a False one wins over an earlier Unknown one",
      conditions: [
        domain("Provisioned", "Unknown"),
        domain("Registered", "False"),
        domain("Pending", "False"),
      ],
      state: "Reconciling",
      reason: "RegisteredFalse",
    },
    {
      name: "the first bad one in the given order",
      conditions: [domain("Provisioned", "False"), domain("Registered", "False"), domain("Pending", "False")],
      state: "Reconciling",
      reason: "ProvisionedFalse",
    },
    {
      name: "a negative-polarity condition is bad when True",
      conditions: [
        domain("Provisioned", "True"),
        domain("Registered", "True"),
        domain("Pending", "True", "NoClusters"),
      ],
      state: "Reconciling",
      reason: "NoClusters",
    },
    {
      name: "an Unknown one blocks Ready",
      conditions: [
        domain("Provisioned", "True"),
        domain("Registered", "Unknown"),
        domain("Pending", "False"),
      ],
      state: "Reconciling",
      reason: "RegisteredUnknown",
    },
  ])("$name", ({ conditions, state, reason }) => {
    const result = summary(conditions);
    expect(result.state).toBe(state);
    expect(result.reason).toBe(reason);
    expect(getCondition(result.list, "Ready")!.status).toBe(state === "Ready" ? "True" : "False");
    // Exactly one of Reconciling and Stalled is True.
    expect([isTrue(result.list, "Reconciling"), isTrue(result.list, "Stalled")].filter(Boolean)).toHaveLength(
      state === "Ready" ? 0 : 1,
    );
  });

  const allGood = [domain("Provisioned", "True"), domain("Registered", "True"), domain("Pending", "False")];

  it("a TerminalError stalls with its own reason, whatever the domain conditions say", () => {
    const { state, reason, list } = summary(allGood, {
      error: new TerminalError("RegionUnknown", "Region mars-1 does not exist; pick one of ..."),
    });
    expect([state, reason]).toEqual(["Stalled", "RegionUnknown"]);
    expect(getCondition(list, "Stalled")!.observedGeneration).toBe(2);
    expect(getCondition(list, "Reconciling")).toBeUndefined();
  });

  it("another error is retried: Reconciling RetryingAfterError with the scrubbed error text", () => {
    const { state, reason, list } = summary(allGood, {
      error: new Error("connect failed with token=abcdef123"),
    });
    expect([state, reason]).toEqual(["Reconciling", "RetryingAfterError"]);
    const message = getCondition(list, "Reconciling")!.message;
    expect(message).toContain("connect failed");
    expect(message).not.toContain("abcdef123");
  });

  it("deleting is Reconciling, Deleting by default or the reason given", () => {
    expect(summary(allGood, { deleting: { message: "bye" } }).reason).toBe("Deleting");
    expect(summary(allGood, { deleting: { reason: "DestroyFailed", message: "retrying" } }).reason).toBe(
      "DestroyFailed",
    );
  });

  it("a stall goes once the error does: Stalled is removed, Ready comes back", () => {
    const stalled = summary(allGood, { error: new TerminalError("BadSpec", "fix it") }).list;
    const fixed = summarize(stalled, { conditions: ["Provisioned"], ready, observedGeneration: 3 }, t1);
    expect(summaryState(fixed)).toBe("Ready");
    expect(getCondition(fixed, "Stalled")).toBeUndefined();
  });
});
