import { pino } from "pino";
import { SurvivingDestination } from "./log-destination.js";
import type { KubeObject } from "./resource.js";
import { objectKey } from "./resource.js";

export type Logger = pino.Logger;
export type LogLevel = pino.LevelWithSilent;

export interface LoggingOptions {
  level: LogLevel;
  /**
   * Where JSON lines go; standard output when omitted, through a destination that drops lines on a full disk
   * instead of killing the process. Tests pass a stream that collects lines.
   */
  destination?: pino.DestinationStream;
}

/**
 * Fields that carry secret material in the shapes Slipway logs (Secrets, kubeconfigs, Pulumi config), at the
 * top level and one level down. A secret must never reach a log line even when someone logs a whole object.
 */
const redactedPaths = [
  "password",
  "passphrase",
  "token",
  "kubeconfig",
  "privateKey",
  "stringData",
  "secretAccessKey",
  "clientSecret",
].flatMap((key) => [key, `*.${key}`]);

/**
 * The root logger writes through this indirection so that `configureLogging`, called once the configuration is
 * parsed, also redirects loggers that modules created at import time.
 */
let currentDestination: pino.DestinationStream = new SurvivingDestination();
const forwardingDestination: pino.DestinationStream = {
  write: (line: string) => currentDestination.write(line),
};

const root: Logger = pino(
  { level: "info", redact: { paths: redactedPaths, censor: "[redacted]" }, base: { pid: process.pid } },
  forwardingDestination,
);
const namedLoggers = new Map<string, Logger>();

/** Applies the parsed configuration (level, destination) to every logger, including ones made earlier. */
export function configureLogging(options: LoggingOptions): void {
  if (options.destination) currentDestination = options.destination;
  root.level = options.level;
  for (const named of namedLoggers.values()) named.level = options.level;
}

/**
 * The logger of one component ("runtime.informer", "provisioners.cluster-deployment"). Add per-object keys with
 * `.child(forObject("ClusterDeployment", cd))`, `.child({ jobId })` and so on.
 */
export function logger(name: string): Logger {
  let named = namedLoggers.get(name);
  if (!named) {
    named = root.child({ logger: name });
    namedLoggers.set(name, named);
  }
  return named;
}

/** A standalone logger that does not follow `configureLogging`, for tests and tools that want their own stream. */
export function createLogger(options: LoggingOptions & { name?: string }): Logger {
  const standalone = pino(
    { level: options.level, redact: { paths: redactedPaths, censor: "[redacted]" } },
    options.destination ?? new SurvivingDestination(),
  );
  return options.name ? standalone.child({ logger: options.name }) : standalone;
}

/** The structured key controllers log an object under: `{ ClusterDeployment: "ns/name" }`. */
export function forObject(kind: string, object: KubeObject | string): Record<string, string> {
  return { [kind]: typeof object === "string" ? object : objectKey(object) };
}
