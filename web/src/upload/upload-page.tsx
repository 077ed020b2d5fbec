import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { api } from '../api/client';
import { liveSession } from '../auth/session';
import { uploaderSitesOf } from '../lib/roles';
import { ErrorBanner, Notice } from '../ui/error-banner';
import { SelectField, TextField } from '../ui/form';
import { fromDrop, fromInput, isCandidate, type PickedFile } from './folder-files';
import { Preparer, type WorkerLike } from './protocol';
import { TransferProgress } from './transfer';
import { runUpload, type ReadyFile } from './uploader';
import { fileKey, folderOf, loadRecord, namesOf, resumable, storeKey, type UploadRecord } from './upload-state';
import { SubmissionStatus } from './submission-status';
import { mayUpload, refusalText, verdictOf, type Verdict } from './verdict';

/**
 * Site uploader: drop a folder (or pick one with the keyboard), check every file with the
 * commons' QA rules and, when the site de-identifies, de-identify it in a Web Worker with the
 * project's key, so only de-identified bytes leave (each copy passed by the independent verifier;
 * the checks are the project's QA configuration); then upload through presigned URLs with
 * per-file and total progress, resumable after a reload, and follow the submission's status
 * and QA report with each file under the site's own name.
 */

type Phase = 'pick' | 'preparing' | 'ready' | 'uploading' | 'done';

interface Row {
  readonly picked: PickedFile;
  readonly key: string;
  state: 'waiting' | Verdict;
  ready?: ReadyFile;
  findings?: readonly { ruleId: string; severity: string; message: string }[];
  note?: string;
}

const STATE_TEXT: Record<Row['state'], string> = {
  waiting: 'not checked',
  checked: 'passes',
  held: 'would be quarantined',
  refused: 'not uploaded',
};

const pct = (fraction: number): string => `${Math.round(fraction * 100)}%`;
const identity = (p: PickedFile) => ({ relativePath: p.relativePath, size: p.file.size, lastModified: p.file.lastModified });

export default function UploadPage() {
  const sites = uploaderSitesOf(liveSession()?.groups ?? []);
  const [project, setProject] = useState('');
  const [site, setSite] = useState(sites[0] ?? '');
  const [deidHere, setDeidHere] = useState(true);
  const [rows, setRows] = useState<Row[]>([]);
  const [phase, setPhase] = useState<Phase>('pick');
  const [sendHeld, setSendHeld] = useState(false);
  const [error, setError] = useState<unknown>();
  const [record, setRecord] = useState<UploadRecord>();
  const [failed, setFailed] = useState<readonly { relativePath: string; reason: string }[]>([]);
  const [, setTick] = useState(0);
  const progress = useRef<TransferProgress>(new TransferProgress([]));
  const preparer = useRef<Preparer | undefined>(undefined);

  useEffect(() => () => preparer.current?.close(), []);

  const folder = useMemo(() => folderOf(rows.map((r) => r.picked)), [rows]);
  const key = storeKey(project, site, folder);

  const choose = (picked: PickedFile[]) => {
    setError(undefined);
    setRecord(undefined);
    setFailed([]);
    setRows(picked.filter((p) => isCandidate(p.relativePath)).map((p) => ({ picked: p, key: fileKey(identity(p)), state: 'waiting' })));
    setPhase('pick');
  };

  const check = async () => {
    setError(undefined);
    setPhase('preparing');
    try {
      const projectPath = `/projects/${encodeURIComponent(project)}`;
      // The checks the pipeline will apply to this project's files, not the defaults.
      const { config: qaConfig } = await api.get<{ config: unknown }>(`${projectPath}/qa-config`);
      const secret = deidHere ? (await api.get<{ key: string }>(`${projectPath}/site-key`)).key : undefined;
      const worker = (preparer.current ??= new Preparer(
        // A Worker is a WorkerLike; only the DOM's handler parameter types are narrower.
        new Worker(new URL('./deid-worker.ts', import.meta.url), { type: 'module', name: 'hilum-deidentify' }) as unknown as WorkerLike,
      ));
      const next = [...rows];
      for (const row of next) {
        const prepared = await worker.prepare(await row.picked.file.arrayBuffer(), {
          qaConfig,
          ...(secret ? { deid: { secret, project, site } } : {}),
        });
        row.findings = prepared.findings;
        row.state = verdictOf(prepared);
        row.note = row.state === 'refused' ? refusalText(row.picked.relativePath, prepared) : undefined;
        row.ready = { ...identity(row.picked), prepared };
        setRows([...next]);
      }
      setPhase('ready');
    } catch (e) {
      setError(e);
      setPhase('pick');
    }
  };

  const upload = async () => {
    setError(undefined);
    const chosen = rows.filter((r) => r.ready && mayUpload(r.state, sendHeld));
    const files = chosen.map((r) => r.ready as ReadyFile);
    const stored = loadRecord(localStorage, key);
    const wanted = { project, site, deidentifiedAtSite: deidHere };
    progress.current = new TransferProgress(files.map((f) => ({ key: fileKey(f), size: f.prepared.bytes.byteLength })));
    setPhase('uploading');
    try {
      const result = await runUpload({
        project,
        site,
        deidentifiedAtSite: deidHere,
        files,
        record: resumable(stored, files, wanted) ? stored : undefined,
        store: localStorage,
        storeKey: key,
        progress: progress.current,
        onChange: () => setTick((t) => t + 1),
      });
      setRecord(result.record);
      setFailed(result.failed);
      setPhase('done');
    } catch (e) {
      setError(e);
      setPhase('ready');
    }
  };

  const onDrop = async (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    choose(await fromDrop(event.dataTransfer.items));
  };

  const total = progress.current.total();
  const held = rows.filter((r) => r.state === 'held').length;
  const refused = rows.filter((r) => r.state === 'refused');
  const previous = folder ? loadRecord(localStorage, key) : undefined;

  return (
    <section aria-labelledby="upload-title">
      <h1 id="upload-title">Upload a folder</h1>
      <ErrorBanner error={error} />
      <div className="form-row">
        <TextField
          label="Project"
          hint="The project's id, as your data commons contact gave it (hilum upload --project)."
          value={project}
          onChange={(e) => setProject(e.currentTarget.value.trim())}
          pattern="[a-z0-9-]+"
          required
        />
        <SelectField
          label="Your site"
          value={site}
          onChange={(e) => setSite(e.currentTarget.value)}
          options={sites.map((s) => ({ value: s, label: s }))}
        />
      </div>
      <div className="checkbox">
        <input
          id="deid-here"
          type="checkbox"
          checked={deidHere}
          onChange={(e) => setDeidHere(e.currentTarget.checked)}
          disabled={phase !== 'pick'}
        />
        <label htmlFor="deid-here">De-identify in this browser with the project's key (only de-identified bytes leave this computer)</label>
      </div>
      <div className="drop-zone" data-testid="drop-zone" onDragOver={(e) => e.preventDefault()} onDrop={(e) => void onDrop(e)}>
        <p>Drop a folder of DICOM files here, or</p>
        <label htmlFor="folder-input" className="button">
          Choose a folder
        </label>
        <input
          id="folder-input"
          className="visually-hidden-input"
          type="file"
          multiple
          webkitdirectory=""
          onChange={(e) => e.currentTarget.files && choose(fromInput(e.currentTarget.files))}
        />
      </div>
      {rows.length > 0 && (
        <>
          <p>
            {rows.length} file(s) in <strong>{folder || 'the selection'}</strong>
            {previous && !previous.sealed && ` — an earlier upload of this folder (submission ${previous.submissionId}) will resume`}
          </p>
          <div className="actions">
            <button type="button" onClick={() => void check()} disabled={!project || !site || phase !== 'pick'}>
              {deidHere ? 'Check and de-identify' : 'Check'}
            </button>
            <button type="button" onClick={() => void upload()} disabled={phase !== 'ready'}>
              Upload
            </button>
          </div>
          {refused.length > 0 && (
            <div className="banner banner-error" data-testid="refused-files">
              <p>{refused.length} file(s) will not be uploaded:</p>
              <ul>
                {refused.map((r) => (
                  <li key={r.key}>{r.note}</li>
                ))}
              </ul>
            </div>
          )}
          {held > 0 && (
            <div className="checkbox">
              <input id="send-held" type="checkbox" checked={sendHeld} onChange={(e) => setSendHeld(e.currentTarget.checked)} />
              <label htmlFor="send-held">Send the {held} file(s) the rules would quarantine too (a curator reviews them)</label>
            </div>
          )}
          {(phase === 'uploading' || phase === 'done') && (
            <p>
              <label htmlFor="total-progress">
                Total: {total.filesDone} of {total.files} files, {pct(total.fraction)}
              </label>{' '}
              <progress id="total-progress" max={1} value={total.fraction} />
            </p>
          )}
          <table className="data-table">
            <caption className="visually-hidden">Files and their state</caption>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Check</th>
                <th scope="col">Upload</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const p = row.ready ? progress.current.of(row.key) : undefined;
                return (
                  <tr key={row.key}>
                    <td>{row.picked.relativePath}</td>
                    <td>
                      {STATE_TEXT[row.state]}
                      {row.findings?.map((f) => (
                        <div key={`${f.ruleId}:${f.message}`} className="hint">
                          {f.severity} {f.ruleId}: {f.message}
                        </div>
                      ))}
                    </td>
                    <td>
                      {p && p.size > 0 ? <progress aria-label={`Upload of ${row.picked.relativePath}`} max={1} value={p.fraction} /> : '—'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      {failed.length > 0 && (
        <div role="alert" className="banner banner-error">
          <p>{failed.length} file(s) could not be sent; upload the same folder again to retry them.</p>
          <ul>
            {failed.map((f) => (
              <li key={f.relativePath}>
                {f.relativePath}: {f.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {record?.sealed && (
        <>
          <Notice>Submission {record.submissionId} is sealed: the commons is checking it.</Notice>
          <SubmissionStatus submissionId={record.submissionId} names={namesOf(record)} />
        </>
      )}
    </section>
  );
}
