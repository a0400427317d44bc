import { describe, expect, it } from "vitest";
import { PulumiRunner } from "../../../src/queue/pulumi-runner.js";
import { defaultPulumiBackendUrl, loadConfig } from "../../../src/runtime/config.js";

describe("the Pulumi backend default", () => {
  it("is one: a runner given no backend uses the one the configuration defaults to", () => {
    const stateDir = "/var/lib/slipway";
    const config = loadConfig({ SLIPWAY_STATE_DIR: stateDir });
    const runner = new PulumiRunner({ toolsBinDir: "/opt/slipway/bin", stateDir, passphrase: "unused" });
    expect(config.pulumi.backendUrl).toBe("file:///var/lib/slipway/pulumi");
    expect(runner.backendUrl).toBe(config.pulumi.backendUrl);
    expect(defaultPulumiBackendUrl(stateDir)).toBe(config.pulumi.backendUrl);
  });

  it("gives way to the configured backend", () => {
    const config = loadConfig({ SLIPWAY_STATE_DIR: "/s", SLIPWAY_PULUMI_BACKEND_URL: "s3://bucket/slipway" });
    expect(config.pulumi.backendUrl).toBe("s3://bucket/slipway");
  });
});
