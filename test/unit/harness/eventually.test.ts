import { describe, expect, it } from "vitest";
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
});
