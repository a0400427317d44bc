import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "../../harness/eventually.js";

describe("eventually", () => {
  it("returns the first value that is not undefined or false, retrying through errors", async () => {
    let calls = 0;
    const value = await eventually(
      "the third call",
      () => {
        calls += 1;
        if (calls === 1) throw new Error("not reachable yet");
        return calls === 3 ? { calls } : false;
      },
      5_000,
      10,
    );
    expect(value).toEqual({ calls: 3 });
  });

  it("keeps 0 and empty strings: only undefined and false mean not yet", async () => {
    expect(await eventually("zero", () => 0, 1_000, 10)).toBe(0);
    expect(await eventually("empty", async () => "", 1_000, 10)).toBe("");
  });

  it("fails with what it waited for and the last error it saw", async () => {
    await expect(
      eventually(
        "pool Ready",
        () => {
          throw new Error("connection refused");
        },
        300,
        20,
      ),
    ).rejects.toThrow("timed out after 0.3s waiting for pool Ready: Error: connection refused");
    await expect(eventually("claim Bound", () => undefined, 300, 20)).rejects.toThrow(
      /^timed out after 0\.3s waiting for claim Bound$/,
    );
  });

  it("gives up at the deadline on a check that never answers", async () => {
    await expect(eventually("a hung check", () => new Promise<never>(() => {}), 200, 20)).rejects.toThrow(
      /^timed out after 0\.2s waiting for a hung check$/,
    );
  });
});

// vitest's expect.poll fails in a concurrent test once another test of the file has ended; eventually does not.
describe.concurrent("eventually in concurrent tests", () => {
  let otherEnded = false;
  afterEach(() => {
    otherEnded = true;
  });
  it("ends first", async () => {
    await eventually("the first call", () => true, 1_000, 20);
  });
  it("polls on after the other test has ended", async () => {
    await eventually("the other test ended", () => otherEnded, 1_000, 20);
    let calls = 0;
    expect(await eventually("the fifth call", () => (++calls === 5 ? calls : undefined), 2_000, 20)).toBe(5);
  });
});
