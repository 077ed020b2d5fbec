import type { QaReport } from './report';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The human-readable summary of a QA report (GitHub-flavoured Markdown). */
export function renderReportMarkdown(report: QaReport): string {
  const lines: string[] = [];
  const title = report.submission ? `QA report: submission ${report.submission.submissionId}` : 'QA report (offline check)';
  lines.push(`# ${title}`, '');
  if (report.submission)
    lines.push(`Project **${report.submission.project}**, site **${report.submission.site}**, status **${report.submission.status}**.`);
  lines.push(`Generated ${report.generatedAt}${report.final ? '' : ' (provisional: files or checks are still pending)'}.`, '');

  const c = report.counts;
  lines.push(
    '## Outcomes',
    '',
    '| files | pass | warn | quarantine | missing | pending |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${c.files} | ${c.pass} | ${c.warn} | ${c.quarantine} | ${c.missing} | ${c.pending} |`,
    '',
  );

  lines.push('## Findings by rule', '');
  if (report.rules.length === 0) lines.push('No findings.', '');
  else {
    lines.push('| rule | severity | findings | checks |', '| --- | --- | ---: | --- |');
    for (const r of report.rules) lines.push(`| \`${r.ruleId}\` | ${r.severity} | ${r.count} | ${cell(r.description)} |`);
    lines.push('');
  }

  lines.push('## Quarantined files', '');
  if (report.quarantined.length === 0) lines.push('None.', '');
  else {
    lines.push('| file | rules | reasons |', '| --- | --- | --- |');
    for (const q of report.quarantined)
      lines.push(`| ${cell(q.fileId)} | ${q.rules.map((r) => `\`${r}\``).join(', ')} | ${cell(q.reasons.join('; '))} |`);
    lines.push('');
  }

  if (report.reviewed.length > 0) {
    lines.push('## Curator decisions', '', '| file | decision | when | overridden rules |', '| --- | --- | --- | --- |');
    for (const r of report.reviewed) lines.push(`| ${cell(r.fileId)} | ${r.action} | ${r.at} | ${r.overrides.join(', ') || '-'} |`);
    lines.push('');
  }

  lines.push('## Warnings', '');
  if (report.warnings.length === 0) lines.push('None.', '');
  else {
    for (const w of report.warnings) {
      const where = w.fileId
        ? `file ${w.fileId}`
        : w.seriesUid
          ? `series ${w.seriesUid}`
          : w.studyUid
            ? `study ${w.studyUid}`
            : 'submission';
      lines.push(`- \`${w.ruleId}\` (${cell(where)}): ${cell(w.message)}`);
    }
    lines.push('');
  }

  if (report.missing.length > 0) {
    lines.push('## Announced but never received', '', ...report.missing.map((id) => `- ${id}`), '');
  }
  return lines.join('\n');
}
