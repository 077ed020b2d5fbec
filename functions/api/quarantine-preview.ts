import { decodeFrame, readDicomHeader, storedFrames } from '../../layers/dicom';
import { encodeRendered, renderAttributes, renderFrame, type RenderParameters } from '../../layers/dicomweb/render';
import { HttpError, NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { buckets, objects } from '../../layers/services/commons-context';
import { qaRepository } from '../../layers/services/qa-context';
import { quarantinePath } from './quarantine-get';

/** The quarantined object has no pixels hilum can decode: nothing to preview. */
class NoPreview extends HttpError {
  override readonly name = 'NoPreview';
  constructor() {
    super(422, 'this quarantined file cannot be rendered (no pixel data, or an encoding hilum does not decode)');
  }
}

const PIXEL_ERRORS = new Set(['PixelDataError', 'UnsupportedTransferSyntax', 'UnrenderableImage', 'DicomParseError']);
/** `<columns>x<rows>` of the frame the preview was rendered from (read by the portal; CORS exposes it). */
const SOURCE_SIZE_HEADER = 'x-hilum-source-size';
/** Fits the curator's review pane; large enough to read burned-in text. */
const PREVIEW: RenderParameters = { viewport: { width: 512, height: 512 } };

/**
 * GET /quarantine/{id}/preview (curators): the quarantined file's first frame as a PNG, with
 * its own window, for the burned-in text review. It renders the object as quarantined (for a
 * file quarantined during ingest, the upload as received): a curator reviews exactly what would
 * be released. The answer names the frame's size (`X-Hilum-Source-Size: 640x480`), the space of the
 * record's OCR text regions. Nothing else of the file leaves; the request is audited like every other.
 */
export const handler = httpHandler({ path: quarantinePath }, async function previewQuarantined({ path }) {
  const record = await qaRepository().getQuarantine(path.quarantineId);
  if (!record) throw new NotFound('no such quarantine record');
  const bytes = await objects().getBytes(buckets.quarantine(), record.objectKey);
  if (!bytes) throw new NotFound('the quarantined object is no longer available');
  try {
    const stored = storedFrames(bytes);
    const first = stored.frames[0];
    if (!first) throw new NoPreview();
    const decoded = await decodeFrame(first, stored.transferSyntaxUid, stored.pixel);
    const image = renderFrame(decoded, renderAttributes(readDicomHeader(bytes).dict, 0), PREVIEW);
    return {
      statusCode: 200,
      body: undefined,
      binary: encodeRendered(image, 'image/png'),
      // The frame's own size: the curator's page scales the OCR boxes (original pixels) onto the preview with it.
      headers: { 'content-type': 'image/png', 'cache-control': 'no-store', [SOURCE_SIZE_HEADER]: `${decoded.columns}x${decoded.rows}` },
    };
  } catch (error) {
    if (error instanceof Error && PIXEL_ERRORS.has(error.name)) throw new NoPreview();
    throw error;
  }
});
