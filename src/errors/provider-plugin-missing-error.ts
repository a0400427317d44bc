/**
 * A platform's Pulumi provider plugin is not installed where the run would look for it (Slipway never downloads
 * one). Transient: the run is retried with backoff and goes on once someone installs it.
 */
export class ProviderPluginMissingError extends Error {
  override name = "ProviderPluginMissingError";

  constructor(
    /** `aws 7.48.0`, ...: names and versions, never anything secret. */
    readonly plugins: string[],
    message: string,
  ) {
    super(message);
  }
}
