import { z } from 'zod';

/**
 * The bodies of every refusal and failure the API answers: hilum's own, and GA4GH DRS's on
 * the DRS routes. The handler chain (layers/adapters/aws/http.ts) builds its answers to these
 * types and the OpenAPI document (docs/openapi.json) describes them with these schemas.
 */
export const errorBodySchema = z
  .object({
    /** What was wrong and what to do; never a DICOM value. */
    message: z.string(),
    /**
     * A 400 with several findings: one entry each, with where it is (`field`: `body.files.0.size`
     * for the request validator; `row`, `column` for a cases.csv).
     */
    details: z.array(z.object({ message: z.string() }).passthrough()).optional(),
    /** A 500: the request id to quote to the operators. */
    requestId: z.string().optional(),
  })
  .describe('A refusal (4xx) or a failure (5xx); 5xx messages carry no internals');

export const drsErrorBodySchema = z
  .object({ msg: z.string(), status_code: z.number().int() })
  .describe('A GA4GH DRS error (the DRS routes only)');

export type ErrorBody = z.infer<typeof errorBodySchema>;
export type DrsErrorBody = z.infer<typeof drsErrorBodySchema>;
