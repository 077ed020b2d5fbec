import { z } from 'zod';
import {
  STOW_MAX_BODY_BYTES,
  STOW_TOO_LARGE_MESSAGE,
  FAILURE_REASON,
  examinePart,
  parseMultipart,
  storeInstancesResponse,
  storeStatus,
  stowBoundary,
  type FailedReference,
  type StowInstance,
} from '../../layers/dicomweb';
import { BadRequest, HttpError } from '../../layers/common/errors';
import { uid, uuid } from '../../layers/common/id-schemas';
import { httpHandler, type HttpResponse } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { apiBaseUrl, headerOf } from '../../layers/services/api-base-url';
import { loadSubmissionFor, requireOpen } from '../../layers/services/submission-access';
import { publishedUidOf, receiveIntoSubmission } from '../../layers/services/stow-intake';

class UnsupportedMediaType extends HttpError {
  override readonly name = 'UnsupportedMediaType';
  constructor(message: string) {
    super(415, message);
  }
}

class PayloadTooLarge extends HttpError {
  override readonly name = 'PayloadTooLarge';
  constructor(message: string) {
    super(413, message);
  }
}

class NotAcceptable extends HttpError {
  override readonly name = 'NotAcceptable';
  constructor(message: string) {
    super(406, message);
  }
}

/** Names the submission for clients that build the STOW-RS URL themselves (dicomweb-client, OHIF) but send extra headers. */
const SUBMISSION_HEADER = 'x-hilum-submission';

/**
 * STOW-RS (PS3.18 10.5): `POST /dicomweb/studies[/{study}]` with a multipart/related body of
 * `application/dicom` parts, by a site uploader, into one of its open submissions, named by
 * the `submission` query parameter or the `X-Hilum-Submission` header (the site opens it with
 * POST /submissions and seals it with POST /submissions/{id}/complete, as `hilum upload` does).
 * "Stored" means received into intake: each accepted part becomes a file of the submission
 * and the pipeline de-identifies, verifies and checks it like any upload. A part that is not
 * a DICOM instance, or whose study is not the one in the path, is failed and the others
 * stored. A stored instance's Retrieve URL is where it will be once published (its UIDs as
 * the de-identifier remaps them). Bodies above STOW_MAX_BODY_BYTES are 413 (docs/dicomweb.md).
 */
export const handler = httpHandler(
  {
    path: z.object({ study: uid }).partial(),
    query: z.object({ submission: uuid }).partial().passthrough(),
  },
  async function storeInstances({ caller, audit, path, query, event }): Promise<HttpResponse> {
    const accept = headerOf(event, 'accept');
    if (accept && !/application\/(dicom\+)?json|application\/\*|\*\/\*/i.test(accept))
      throw new NotAcceptable('the Store Instances Response is application/dicom+json');
    const submissionId = query.submission ?? headerOf(event, SUBMISSION_HEADER)?.trim();
    if (!submissionId)
      throw new BadRequest(
        'name the open submission to store into: the submission query parameter or the X-Hilum-Submission header (POST /submissions opens one)',
      );
    if (!uuid.safeParse(submissionId).success) throw new BadRequest('the submission is not a submission id');
    const submission = await loadSubmissionFor(caller, submissionId, 'write');
    requireOpen(submission);
    audit.resource('submission', submission.submissionId);

    const framing = stowBoundary(headerOf(event, 'content-type'));
    if ('refused' in framing) throw new UnsupportedMediaType(framing.refused);
    const body = requestBody(event.body, event.isBase64Encoded);
    if (body.byteLength > STOW_MAX_BODY_BYTES) throw new PayloadTooLarge(STOW_TOO_LARGE_MESSAGE);
    const parts = parseMultipart(body, framing.boundary);
    if (parts.length === 0) throw new BadRequest('the multipart/related body has no parts');

    const failed: FailedReference[] = [];
    const accepted: { instance: StowInstance; body: Uint8Array }[] = [];
    for (const part of parts) {
      const examined = examinePart(part, path.study);
      if (examined.accepted) accepted.push({ instance: examined.instance, body: part.body });
      else failed.push(examined);
    }
    const { received, notReceived } = await receiveIntoSubmission(submission, accepted);
    for (const instance of notReceived) failed.push({ ...instance, reason: FAILURE_REASON.processingFailure });

    const published = received.length > 0 ? await publishedUidOf(submission) : (value: string) => value;
    const dicomweb = `${apiBaseUrl(event)}/dicomweb`;
    const stored = received.map((instance) => ({
      sopClassUid: instance.sopClassUid,
      sopInstanceUid: instance.sopInstanceUid,
      retrieveUrl: `${dicomweb}/studies/${published(instance.studyInstanceUid)}/series/${published(instance.seriesInstanceUid)}/instances/${published(instance.sopInstanceUid)}`,
    }));
    const studyUrl = path.study && stored.length > 0 ? `${dicomweb}/studies/${published(path.study)}` : undefined;

    const status = storeStatus({ stored, failed });
    audit.record({
      action: 'stow.store',
      targetType: 'submission',
      targetId: submission.submissionId,
      details: { parts: parts.length, stored: stored.length, failed: failed.length, bytes: body.byteLength, status },
    });
    logger.info('stow: instances received into intake', {
      submissionId: submission.submissionId,
      parts: parts.length,
      stored: stored.length,
      failed: failed.length,
    });
    return {
      statusCode: status,
      body: storeInstancesResponse({ ...(studyUrl ? { retrieveUrl: studyUrl } : {}), stored, failed }),
      headers: { 'content-type': 'application/dicom+json' },
    };
  },
);

function requestBody(body: string | null, base64: boolean): Buffer {
  if (body === null || body === '') return Buffer.alloc(0);
  // API Gateway passes a binary media type base64-encoded (multipart/related is one: infra/constructs/api.ts).
  return base64 ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}
