import { createWriteStream, WriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { constants, Dataset, log, responses, Scp, association as dimseAssociation, requests } from 'dcmjs-dimse';
import { parseDicom } from '../../layers/dicom';
import { part10Header } from './file-meta';
import { fsyncFile, Spool } from './spool';

const { PresentationContextResult, RejectReason, RejectResult, RejectSource, SopClass, Status, TransferSyntax } = constants;

// dcmjs-dimse logs every PDU at info level; the gateway reports what matters itself.
log.setLevel('error');

/** Storage SOP classes a chest imaging commons accepts (CR, DX, CT, MR). */
export const ACCEPTED_STORAGE_CLASSES: ReadonlySet<string> = new Set([
  '1.2.840.10008.5.1.4.1.1.1', // CR Image Storage
  '1.2.840.10008.5.1.4.1.1.1.1', // Digital X-Ray Image Storage - For Presentation
  '1.2.840.10008.5.1.4.1.1.1.1.1', // Digital X-Ray Image Storage - For Processing
  '1.2.840.10008.5.1.4.1.1.2', // CT Image Storage
  '1.2.840.10008.5.1.4.1.1.2.1', // Enhanced CT Image Storage
  '1.2.840.10008.5.1.4.1.1.4', // MR Image Storage
  '1.2.840.10008.5.1.4.1.1.4.1', // Enhanced MR Image Storage
]);

/**
 * Transfer syntaxes spooled as received (no transcoding: the sender's bytes are
 * kept). Preference order when a sender proposes several.
 */
export const ACCEPTED_TRANSFER_SYNTAXES: readonly string[] = [
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ImplicitVRLittleEndian,
  '1.2.840.10008.1.2.4.70', // JPEG Lossless SV1
  '1.2.840.10008.1.2.4.57', // JPEG Lossless
  '1.2.840.10008.1.2.4.90', // JPEG 2000 Lossless
  '1.2.840.10008.1.2.4.80', // JPEG-LS Lossless
  '1.2.840.10008.1.2.5', // RLE Lossless
];

export interface GatewayEvents {
  /** An instance was spooled durably (before the sender is told success). */
  stored(studyKey: string, bytes: number): void;
  rejected(reason: string): void;
}

export interface ScpOptions {
  readonly spool: Spool;
  readonly calledAeTitle: string;
  /** Calling AE titles allowed to send; empty means any. */
  readonly allowedCallingAeTitles: readonly string[];
  readonly events: GatewayEvents;
}

interface SpoolResult {
  ok: boolean;
  status: number;
}

/** Builds the dcmjs-dimse SCP class bound to a spool and an AE-title policy. */
export function createScpClass(options: ScpOptions) {
  return class HilumScp extends Scp {
    private callingAeTitle = '';
    private readonly results: Promise<SpoolResult>[] = [];

    constructor(socket: Socket, opts: unknown) {
      super(socket, opts as never);
    }

    override associationRequested(association: dimseAssociation.Association): void {
      this.callingAeTitle = association.getCallingAeTitle().trim();
      const allowed = options.allowedCallingAeTitles;
      if (association.getCalledAeTitle().trim() !== options.calledAeTitle) {
        options.events.rejected(`called AE title is not ${options.calledAeTitle}`);
        this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized);
        return;
      }
      if (allowed.length && !allowed.includes(this.callingAeTitle)) {
        options.events.rejected(`calling AE title ${this.callingAeTitle} is not allowed`);
        this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized);
        return;
      }
      for (const { id } of association.getPresentationContexts()) {
        const context = association.getPresentationContext(id);
        const abstract = context.getAbstractSyntaxUid();
        if (abstract !== SopClass.Verification && !ACCEPTED_STORAGE_CLASSES.has(abstract)) {
          context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
          continue;
        }
        const proposed = context.getTransferSyntaxUids();
        const chosen = ACCEPTED_TRANSFER_SYNTAXES.find((ts) => proposed.includes(ts));
        if (chosen) context.setResult(PresentationContextResult.Accept, chosen);
        else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
      }
      this.sendAssociationAccept();
    }

    override associationReleaseRequested(): void {
      this.sendAssociationReleaseResponse();
    }

    override cEchoRequest(request: requests.CEchoRequest, callback: (response: responses.CEchoResponse) => void): void {
      const response = responses.CEchoResponse.fromRequest(request);
      response.setStatus(Status.Success);
      callback(response);
    }

    /** Streams the data set to a spool file behind a Part 10 header, never into memory. */
    override createStoreWritableStream(context: dimseAssociation.PresentationContext, request: requests.CStoreRequest): Writable {
      const path = options.spool.newIncomingPath();
      const stream = createWriteStream(path);
      stream.write(
        part10Header({
          sopClassUid: request.getAffectedSopClassUid(),
          sopInstanceUid: request.getAffectedSopInstanceUid(),
          transferSyntaxUid: context.getAcceptedTransferSyntaxUid() ?? TransferSyntax.ImplicitVRLittleEndian,
          sourceAeTitle: this.callingAeTitle,
        }),
      );
      this.results.push(spoolWhenWritten(stream, path, request.getAffectedSopInstanceUid(), options));
      return stream;
    }

    override createDatasetFromStoreWritableStream(
      _writable: Writable,
      context: dimseAssociation.PresentationContext,
      callback: (dataset: Dataset) => void,
    ): void {
      // The instance itself is on disk; cStoreRequest only needs to know how spooling went.
      callback(new Dataset({}, context.getAcceptedTransferSyntaxUid()));
    }

    override cStoreRequest(request: requests.CStoreRequest, callback: (response: responses.CStoreResponse) => void): void {
      const result = this.results.shift() ?? Promise.resolve({ ok: false, status: Status.ProcessingFailure });
      void result.then((outcome) => {
        const response = responses.CStoreResponse.fromRequest(request);
        response.setStatus(outcome.status);
        callback(response);
      });
    }

    override abort(): void {
      // The socket closes; anything not acknowledged stays the sender's to retry.
    }
  };
}

/** Waits for the file, flushes it, checks it is a readable instance, and commits it to its study. */
async function spoolWhenWritten(stream: WriteStream, path: string, sopInstanceUid: string, options: ScpOptions): Promise<SpoolResult> {
  try {
    await new Promise<void>((resolve, reject) => {
      if (stream.closed) resolve();
      stream.on('close', () => resolve());
      stream.on('error', reject);
    });
    await fsyncFile(path);
    const bytes = await readFile(path);
    const { summary } = parseDicom(bytes);
    const studyKey = await options.spool.commit(path, summary.studyInstanceUid, sopInstanceUid);
    options.events.stored(studyKey, bytes.byteLength);
    return { ok: true, status: Status.Success };
  } catch (error) {
    await rm(path, { force: true });
    options.events.rejected(`an instance could not be spooled: ${error instanceof Error ? error.name : 'error'}`);
    // 0xC000: "Error: Cannot understand"; the sender keeps the instance and may retry.
    return { ok: false, status: 0xc000 };
  }
}
