import * as pulumi from "@pulumi/pulumi";

/**
 * The stack config key holding a run's cloud credentials: the keys and values of the Secret the spec's
 * credentialsRef names, as one JSON object, set by the runner as a secret (encrypted in the stack's settings and
 * state, never on a command line).
 */
export const CREDENTIALS_CONFIG_KEY = "credentials";

/** The credentials the run received, as a secret output; fails the run when it received none. */
export function requireCredentials(): pulumi.Output<Record<string, string>> {
  return new pulumi.Config()
    .requireSecret(CREDENTIALS_CONFIG_KEY)
    .apply((json) => JSON.parse(json) as Record<string, string>);
}

/** "present: keys a,b": which keys a run received, never their values, so it may be a plain output. */
export function credentialsFingerprint(
  credentials: pulumi.Output<Record<string, string>>,
): pulumi.Output<string> {
  return pulumi.unsecret(credentials.apply((c) => `present: keys ${Object.keys(c).sort().join(",")}`));
}
