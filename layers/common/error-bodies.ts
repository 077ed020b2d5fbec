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

/** The FHIR routes' refusals and failures (the Bulk Data IG asks for an OperationOutcome on every error). */
export const operationOutcomeSchema = z
  .object({
    resourceType: z.literal('OperationOutcome'),
    issue: z
      .array(
        z
          .object({ severity: z.enum(['fatal', 'error', 'warning', 'information']), code: z.string(), diagnostics: z.string().optional() })
          .passthrough(),
      )
      .min(1),
  })
  .describe('A FHIR R4 OperationOutcome (the FHIR Bulk Data routes only); 5xx diagnostics carry no internals');

export type ErrorBody = z.infer<typeof errorBodySchema>;
export type DrsErrorBody = z.infer<typeof drsErrorBodySchema>;
export type OperationOutcomeBody = z.infer<typeof operationOutcomeSchema>;

/** FHIR's issue type of a refusal by its HTTP status (http://hl7.org/fhir/issue-type). */
function issueCodeOf(status: number): string {
  return status === 400
    ? 'invalid'
    : status === 401
      ? 'login'
      : status === 403
        ? 'forbidden'
        : status === 404
          ? 'not-found'
          : status === 409
            ? 'conflict'
            : status >= 500
              ? 'exception'
              : 'processing';
}

/** The OperationOutcome of a refusal or failure: one error issue, its diagnostics the (value-free) message. */
export function operationOutcomeOf(status: number, diagnostics: string): OperationOutcomeBody {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: issueCodeOf(status), diagnostics }] };
}
