import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { ErrorBanner, Notice } from '../ui/error-banner';
import { SelectField, TextArea } from '../ui/form';

export interface ProjectSummary {
  readonly projectId: string;
  readonly name: string;
  readonly availability: 'open' | 'restricted' | 'sequestered';
  readonly description?: string;
  readonly sites?: readonly string[];
}

/**
 * A project's settings a curator changes here: its availability (POST /projects, the same
 * project with its name and sites unchanged) and its QA configuration (PUT
 * /projects/{project}/qa-config, JSON as docs/qa.md describes; the API validates it).
 */
export function ProjectSettings({ project }: { project: ProjectSummary | undefined }) {
  const [availability, setAvailability] = useState(project?.availability ?? 'open');
  const [qaConfig, setQaConfig] = useState('');
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  useEffect(() => setAvailability(project?.availability ?? 'open'), [project]);
  if (!project) return null;

  const save = async (what: 'availability' | 'qa') => {
    setError(undefined);
    setSaved(undefined);
    try {
      if (what === 'availability') {
        await api.post('/projects', {
          projectId: project.projectId,
          name: project.name,
          availability,
          ...(project.description ? { description: project.description } : {}),
          ...(project.sites ? { sites: project.sites } : {}),
        });
        setSaved(`Availability of ${project.projectId} saved: ${availability}.`);
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(qaConfig);
        } catch {
          throw new Error('The QA configuration is not valid JSON.');
        }
        await api.put(`/projects/${encodeURIComponent(project.projectId)}/qa-config`, parsed);
        setSaved(`QA configuration of ${project.projectId} saved.`);
      }
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section aria-labelledby="settings-title" className="card">
      <h2 id="settings-title">Settings of {project.name || project.projectId}</h2>
      <SelectField
        label="Availability"
        value={availability}
        onChange={(e) => setAvailability(e.currentTarget.value as ProjectSummary['availability'])}
        options={[
          { value: 'open', label: 'Open (every researcher)' },
          { value: 'restricted', label: 'Restricted (by approved access request)' },
          { value: 'sequestered', label: 'Sequestered (curators only)' },
        ]}
      />
      <button type="button" onClick={() => void save('availability')}>
        Save availability
      </button>
      <TextArea
        label="QA configuration (JSON)"
        hint="Replaces the project's QA configuration; see docs/qa.md for the fields."
        value={qaConfig}
        onChange={(e) => setQaConfig(e.currentTarget.value)}
        rows={6}
      />
      <button type="button" onClick={() => void save('qa')} disabled={qaConfig.trim() === ''}>
        Save QA configuration
      </button>
      <ErrorBanner error={error} />
      {saved && <Notice>{saved}</Notice>}
    </section>
  );
}
