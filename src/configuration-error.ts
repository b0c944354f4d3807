/**
 * A mistake in what the user gave us (an input, a flag, a file). It is reported as one
 * plain sentence, never with a stack trace, and is kept apart from internal failures so
 * that the entry points can tell "fix your workflow" from "this is our bug".
 */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

export function isConfigurationError(error: unknown): error is ConfigurationError {
  return error instanceof ConfigurationError;
}
