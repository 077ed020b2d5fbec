/// <reference lib="webworker" />
import { prepareFile } from './prepare';
import type { PrepareReply, PrepareRequest } from './protocol';

/**
 * The Web Worker that de-identifies and checks files in the browser, off the page's thread, with
 * the commons' pure engine (layers/dicom through web/src/upload/prepare.ts). Errors are answered
 * by name only: a message could quote a value.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;

const checkSecret = (): string => Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');

scope.onmessage = (event: MessageEvent<PrepareRequest>) => {
  const { id, bytes, options } = event.data;
  let reply: PrepareReply;
  try {
    const prepared = prepareFile(new Uint8Array(bytes), options, checkSecret);
    // A fresh buffer holding exactly the output: the engine's chunks may be views of a larger one.
    const out = prepared.bytes.slice().buffer;
    reply = {
      kind: 'prepared',
      id,
      bytes: out,
      deidentified: prepared.deidentified,
      outcome: prepared.outcome,
      findings: prepared.findings,
      ...(prepared.verification ? { verification: prepared.verification } : {}),
    };
    scope.postMessage(reply, [out]);
  } catch (error) {
    reply = { kind: 'failed', id, message: `could not prepare the file (${error instanceof Error ? error.name : 'error'})` };
    scope.postMessage(reply);
  }
};
