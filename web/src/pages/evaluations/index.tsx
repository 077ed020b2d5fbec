import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { liveSession } from '../../auth/session';
import { DEFAULT_EVALUATION_FORM, hex, readStarted, specOf, startedKey, withStarted, type EvaluationForm } from '../../lib/evaluation-form';
import { formatBytes, formatTime } from '../../lib/format';
import { Link, navigate } from '../../router';
import { ErrorBanner } from '../../ui/error-banner';
import { SelectField, TextField } from '../../ui/form';

/**
 * An evaluator's start page (docs/evaluation.md): the evaluations started from this browser
 * (the API has no list of them), one opened by its id, and a new one: the model file is hashed
 * here, declared with its spec (`POST /evaluations`), sent to the presigned PUT and run.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default function Evaluations() {
  const username = liveSession()?.username ?? '';
  const [started, setStarted] = useState(() => readStarted(localStorage.getItem(startedKey(username))));
  const [openId, setOpenId] = useState('');
  const [openProblem, setOpenProblem] = useState<string>();
  const open = (event: FormEvent) => {
    event.preventDefault();
    const id = openId.trim();
    if (!UUID.test(id)) return setOpenProblem('An evaluation id looks like 0f8c…-…: 36 characters with hyphens.');
    setOpenProblem(undefined);
    navigate(`/evaluations/${id.toLowerCase()}`);
  };
  return (
    <section>
      <h1>Model evaluations</h1>
      <p>
        Run a model on a project's sequestered cases inside the commons and receive only aggregate results: no image, label, score or case
        identifier of a sequestered case leaves.
      </p>
      <h2>Started from this browser</h2>
      {started.length === 0 ? (
        <p>None yet.</p>
      ) : (
        <ul>
          {started.map((e) => (
            <li key={e.evaluationId}>
              <Link to={`/evaluations/${e.evaluationId}`}>
                {e.project}, {formatTime(e.createdAt)}
              </Link>{' '}
              (<code>{e.evaluationId}</code>)
            </li>
          ))}
        </ul>
      )}
      <h2>Open an evaluation</h2>
      <form onSubmit={open} className="inline">
        <TextField label="Evaluation id" value={openId} onChange={(e) => setOpenId(e.currentTarget.value)} required />
        <button type="submit">Open</button>
      </form>
      {openProblem && (
        <p role="alert" className="banner banner-error">
          {openProblem}
        </p>
      )}
      <NewEvaluation
        onStarted={(e) => {
          const list = withStarted(started, e);
          localStorage.setItem(startedKey(username), JSON.stringify(list));
          setStarted(list);
          navigate(`/evaluations/${e.evaluationId}`);
        }}
      />
    </section>
  );
}

function NewEvaluation({ onStarted }: { onStarted: (e: { evaluationId: string; project: string; createdAt: string }) => void }) {
  const [form, setForm] = useState<EvaluationForm>(DEFAULT_EVALUATION_FORM);
  const [file, setFile] = useState<File>();
  const [step, setStep] = useState<string>();
  const [error, setError] = useState<unknown>();
  // The value is read in the handler: React has cleared the event's currentTarget by the time an updater runs.
  const set = (key: keyof EvaluationForm) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setForm((f) => ({ ...f, [key]: value }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (!file) return setError(new Error('Choose the model file (ONNX).'));
    try {
      setStep('Computing the model’s SHA-256…');
      const bytes = await file.arrayBuffer();
      const sha256 = hex(await crypto.subtle.digest('SHA-256', bytes));
      const built = specOf(form, { bytes: bytes.byteLength, sha256 });
      if ('problem' in built) throw new Error(built.problem);
      setStep('Declaring the evaluation…');
      const created = await api.post<{ evaluationId: string; createdAt: string; upload: { url: string } }>('/evaluations', built.spec);
      setStep(`Uploading the model (${formatBytes(bytes.byteLength)})…`);
      const put = await fetch(created.upload.url, { method: 'PUT', body: bytes });
      if (!put.ok) throw new Error(`The model upload was refused (${put.status}); declare the evaluation again.`);
      setStep('Starting the run…');
      await api.post(`/evaluations/${created.evaluationId}/run`);
      onStarted({ evaluationId: created.evaluationId, project: built.spec.project, createdAt: created.createdAt });
    } catch (e) {
      setError(e);
    } finally {
      setStep(undefined);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="new-evaluation">
      <h2 id="new-evaluation">New evaluation</h2>
      <TextField label="Project" value={form.project} onChange={set('project')} required />
      <div className="field">
        <label htmlFor="model-file">Model (ONNX, at most 200 MiB)</label>
        <input
          id="model-file"
          type="file"
          accept=".onnx,application/octet-stream"
          aria-describedby="model-file-hint"
          onChange={(e) => setFile(e.currentTarget.files?.[0])}
        />
        <small id="model-file-hint" className="hint">
          It takes float32 [1, 1, height, width]; its first output's first value is the case's score.
        </small>
      </div>
      <TextField label="Input width" type="number" value={form.width} onChange={set('width')} />
      <TextField label="Input height" type="number" value={form.height} onChange={set('height')} />
      <SelectField
        label="Pre-processing"
        value={form.preprocessing}
        onChange={set('preprocessing')}
        options={[
          { value: 'window', label: 'VOI window to [0, 1]' },
          { value: 'normalize', label: '(value − mean) / standard deviation' },
        ]}
      />
      <TextField label={form.preprocessing === 'window' ? 'Window center' : 'Mean'} value={form.first} onChange={set('first')} />
      <TextField
        label={form.preprocessing === 'window' ? 'Window width' : 'Standard deviation'}
        value={form.second}
        onChange={set('second')}
      />
      <TextField label="Modality" value={form.modality} onChange={set('modality')} />
      <SelectField
        label="Image of each case"
        value={form.instance}
        onChange={set('instance')}
        options={[
          { value: 'middle', label: 'the middle instance of the series' },
          { value: 'first', label: 'the first instance of the series' },
        ]}
      />
      <TextField
        label="Label"
        hint="A case attribute the commons holds: covid19, or a label the project defines."
        value={form.label}
        onChange={set('label')}
      />
      <TextField label="Positive value" value={form.positive} onChange={set('positive')} />
      <TextField
        label="Operating points"
        hint="Thresholds, separated by commas: a score at or above one is positive."
        value={form.operatingPoints}
        onChange={set('operatingPoints')}
      />
      <ErrorBanner error={error} />
      {step && <p role="status">{step}</p>}
      <button type="submit" className="primary" disabled={step !== undefined}>
        Upload the model and run
      </button>
    </form>
  );
}
