import { z } from 'zod';

/**
 * The answer of `GET /health`: the API answers, and which version of hilum it runs. Nothing
 * else: no counts, no names, nothing a caller without a token may not know.
 */
export const healthSchema = z
  .object({ status: z.literal('ok'), service: z.literal('hilum'), version: z.string() })
  .strict()
  .describe('The API is up');

export type Health = z.infer<typeof healthSchema>;

export function healthOf(version: string): Health {
  return { status: 'ok', service: 'hilum', version };
}
