import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { configureLogging, createLogger, forObject, logger } from "../../../src/runtime/logging.js";

function collector() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, stream };
}

describe("logging", () => {
  afterEach(() => configureLogging({ level: "info", destination: process.stdout }));

  it("loggers made before configuration follow the configured level and destination", () => {
    const early = logger("test.early");
    const { lines, stream } = collector();
    configureLogging({ level: "debug", destination: stream });
    early.debug(
      {
        ...forObject("ClusterDeployment", { metadata: { namespace: "team-a", name: "dev1" } }),
        jobId: "up-dev1-4",
      },
      "Enqueuing up for generation 4",
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      logger: "test.early",
      ClusterDeployment: "team-a/dev1",
      jobId: "up-dev1-4",
      msg: "Enqueuing up for generation 4",
    });

    configureLogging({ level: "warn", destination: stream });
    early.info("not shown");
    expect(lines).toHaveLength(1);
  });

  it("redacts secret-looking fields even when a whole object is logged", () => {
    const { lines, stream } = collector();
    const log = createLogger({ level: "info", destination: stream });
    log.info(
      { token: "abc", config: { passphrase: "p", region: "eu-west-1" }, stringData: { kubeconfig: "x" } },
      "object",
    );
    expect(JSON.stringify(lines[0])).not.toMatch(/"abc"|"p"|"x"/);
    expect(lines[0]).toMatchObject({ config: { region: "eu-west-1" } });
  });
});
