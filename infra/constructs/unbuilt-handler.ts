/**
 * Stand-in code for a function whose handler module does not exist yet. The house
 * function construct uses it only when bundling is skipped (unit tests, the local
 * runtime reading the template), where the code asset is never built or deployed;
 * a real synth with bundling fails instead, naming the missing entry.
 */
export const handler = async (): Promise<never> => {
  throw new Error('hilum: this function was synthesized without its handler module');
};
