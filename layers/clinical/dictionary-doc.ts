/** docs/clinical-dictionary.md, rendered from the dictionary (a unit test fails when the page is stale). */
import { CODE_SYSTEMS, INDEX_DATE_COLUMN, type Dictionary, type PropertyDef } from './dictionary';
import { AGE_CAP, MAX_DAYS } from './clinical-sheet';

export function renderDictionaryPage(dictionary: Dictionary): string {
  const out: string[] = [
    '# Clinical data dictionary',
    '',
    '<!-- Generated from layers/clinical/dictionary/ by layers/clinical/dictionary-doc.ts. Do not edit: change the',
    '     dictionary and run `HILUM_WRITE_DOCS=1 npx jest test/unit/clinical/dictionary-doc.test.ts`. -->',
    '',
    "The clinical side of a case, in nodes after MIDRC's data dictionary (uc-cdis/midrc_dictionary). A site sends",
    'each node as a sheet (`PUT /submissions/{id}/clinical/{node}`, CSV, TSV or JSON; `hilum upload --clinical DIR`',
    'with files named `{node}.csv|tsv|json`); docs/catalog.md, "Clinical data", says how it is stored, searched and exported.',
    '',
    "- Every record names its case by `case_id`, the PatientID of the patient's studies, pseudonymized on arrival",
    "  with the project key exactly as PatientID is, so the case joins its studies. The site's id is never stored.",
    `- No real date is kept. By default time is whole days from the case's index event (\`days_to_*\`, negative before it, at most ${MAX_DAYS}`,
    `  either way). A site may send a date column instead (\`*_date\`, YYYY-MM-DD) with the case's \`${INDEX_DATE_COLUMN}\` in the same`,
    '  row; the intake converts it and keeps neither date (`hilum upload --clinical` converts at the site, from',
    `  the \`${INDEX_DATE_COLUMN}\` column of case.csv, so no date leaves it).`,
    '- Or, as the project chooses (`settings.clinicalDates: shifted`, for a project whose de-identification profile',
    "  shifts the images' dates): dates stay dates, shifted. The sheets then carry the date columns instead of the",
    `  days (\`*_date\`, YYYY-MM-DD; the \`case\` node also its \`${INDEX_DATE_COLUMN}\`), and each is moved back by the patient's own`,
    "  image date shift (the same HMAC of project key, site and PatientID), so a record's date lines up with its",
    "  studies' shifted StudyDate. The commons shifts them on arrival, beside the case pseudonym, and never stores the",
    '  date it received; a site that de-identifies its images itself shifts them there too and says so (`dates=shifted`).',
    '  The mode is fixed once the project has cases. Days properties without a date column stay days.',
    `- Ages above 89 are stored as \`${AGE_CAP}\`.`,
    '- A project may add nodes and properties by configuration (`loadDictionary` in layers/clinical/dictionary/index.ts',
    '  validates the extension and names every problem).',
    '',
    '## Nodes',
    '',
    '| node | version | MIDRC | one record per | description |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const n of dictionary.nodes)
    out.push(
      `| [${n.node}](#${n.node.replace(/_/g, '_')}) | ${n.version} | ${n.midrc ?? ''} | ${['case', ...n.key].join(', ')} | ${n.description} |`,
    );
  for (const n of dictionary.nodes) {
    out.push(
      '',
      `## ${n.node}`,
      '',
      `${n.description} Version ${n.version}.`,
      '',
      '| property | type | required | values | description |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const p of n.properties)
      out.push(`| \`${p.name}\` | ${typeOf(p)} | ${p.required ? 'yes' : ''} | ${valuesOf(p)} | ${p.description} |`);
  }
  out.push('', '## Code systems', '', '| name | system |', '| --- | --- |');
  const used = new Set(dictionary.nodes.flatMap((n) => n.properties.map((p) => p.codeSystem).filter(Boolean)));
  for (const [name, system] of Object.entries(CODE_SYSTEMS))
    if (used.has(name as keyof typeof CODE_SYSTEMS)) out.push(`| ${name} | ${system.url} |`);
  return `${out.join('\n')}\n`;
}

function typeOf(p: PropertyDef): string {
  if (p.type === 'days') return `days${p.dateColumn ? ` (or \`${p.dateColumn}\`)` : ''}`;
  if (p.type === 'code') return `code (${p.codeSystem})`;
  if (p.type === 'enum' && p.codeSystem) return `enum (${p.codeSystem})`;
  return p.unit ? `${p.type} (${p.unit})` : p.type;
}

function valuesOf(p: PropertyDef): string {
  if (p.values) return p.values.join('; ');
  const range = [p.minimum, p.maximum].some((v) => v !== undefined) ? `${p.minimum ?? ''}..${p.maximum ?? ''}` : '';
  if (p.type === 'age') return `0..89, ${AGE_CAP}`;
  if (p.type === 'days') return `-${MAX_DAYS}..${MAX_DAYS}`;
  if (p.type === 'string') return `up to ${p.maxLength ?? 256} characters`;
  return range;
}
