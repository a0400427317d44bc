/** Slipway's own configuration (flags, environment) is invalid: the process cannot start. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
