import { describe, expect, it } from "vitest";
import { kubectl } from "../../../src/local/kubectl.js";
import { toolsBinDir } from "../../../src/runtime/paths.js";
import { hubKubeconfigPath } from "../../harness/hub.js";

describe("kubectl from tools/bin", () => {
  it("reports a kubectl that ends without reading its input by its exit code, never as an uncaught EPIPE", async () => {
    // `kubectl version --client` reads no input and exits at once; 8 MiB cannot fit in the pipe before it does.
    const input = "x".repeat(8 * 1024 * 1024);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        kubectl(toolsBinDir, hubKubeconfigPath(), ["version", "--client"], input),
      ),
    );
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Client Version");
    }
  });

  it("gives a command without input no stdin at all", async () => {
    const r = await kubectl(toolsBinDir, hubKubeconfigPath(), ["get", "--raw", "/readyz"]);
    expect(r).toMatchObject({ code: 0, stdout: "ok" });
  });
});
