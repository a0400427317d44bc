import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/errors/index.js";
import { configuredClock, ScaledClock, systemClock } from "../../../src/power/clock.js";
import { loadConfig } from "../../../src/runtime/config.js";

describe("the controller's watched namespaces (SLIPWAY_WATCH_NAMESPACES)", () => {
  it("are all namespaces when unset or empty", () => {
    expect(loadConfig({}).controller.watchNamespaces).toBeUndefined();
    expect(loadConfig({ SLIPWAY_WATCH_NAMESPACES: " , " }).controller.watchNamespaces).toBeUndefined();
  });

  it("are read as a comma-separated list", () => {
    expect(loadConfig({ SLIPWAY_WATCH_NAMESPACES: "team-a, team-b" }).controller.watchNamespaces).toEqual([
      "team-a",
      "team-b",
    ]);
  });

  it("refuses a name that cannot be a namespace, naming it", () => {
    expect(() => loadConfig({ SLIPWAY_WATCH_NAMESPACES: "team-a,Team_B" })).toThrow(ConfigError);
    expect(() => loadConfig({ SLIPWAY_WATCH_NAMESPACES: "team-a,Team_B" })).toThrow(/"Team_B"/);
  });
});

describe("the power controller's clock (SLIPWAY_POWER_CLOCK_SCALE, SLIPWAY_POWER_CLOCK_ORIGIN)", () => {
  it("is the system clock by default", () => {
    expect(configuredClock(loadConfig({}).power)).toBe(systemClock);
  });

  it("runs schedule time faster from the origin, so two processes with the same settings agree", () => {
    const origin = Date.now() - 10_000;
    const config = loadConfig({
      SLIPWAY_POWER_CLOCK_SCALE: "60",
      SLIPWAY_POWER_CLOCK_ORIGIN: String(origin),
    }).power;
    const clock = configuredClock(config) as ScaledClock;
    expect(clock).toBeInstanceOf(ScaledClock);
    const other = new ScaledClock(60, origin);
    // Ten real seconds after the origin it is ten minutes after it, in schedule time.
    expect(Math.abs(clock.now().getTime() - (origin + 600_000))).toBeLessThan(60 * 1_000);
    expect(Math.abs(clock.now().getTime() - other.now().getTime())).toBeLessThan(60 * 100);
    // A moment one schedule minute ahead is one real second away.
    const inAMinute = new Date(clock.now().getTime() + 60_000);
    expect(clock.msUntil(inAMinute)).toBeGreaterThan(900);
    expect(clock.msUntil(inAMinute)).toBeLessThanOrEqual(1_000);
  });
});
