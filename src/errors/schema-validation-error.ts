export interface FieldError {
  /** Dotted path as the API server prints it: spec.platform.aws.nodePools[0].name */
  path: string;
  message: string;
}

/** A value does not match its schema (src/api/validate.ts): every field error, as the API server lists them. */
export class SchemaValidationError extends Error {
  override name = "SchemaValidationError";

  constructor(
    readonly what: string,
    readonly errors: FieldError[],
  ) {
    super(`${what} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
  }
}
