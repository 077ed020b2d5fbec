import { EnvName } from './env-names';

/** Thrown at module load when a function is deployed without the configuration it needs. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export function requireEnv(name: EnvName): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new ConfigurationError(`environment variable ${name} is not set`);
  return value;
}

export function numberEnv(name: EnvName, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigurationError(`environment variable ${name} must be a positive number`);
  return value;
}

/**
 * Reads a group of variables lazily, once, on first use. Handlers call this at
 * module scope so a missing variable fails the first invocation loudly, while
 * modules that import the handler only for its types do not fail.
 */
export function lazyConfig<T>(read: () => T): () => T {
  let cached: T | undefined;
  return () => (cached ??= read());
}
