/**
 * Rows a caller is not shown although their project is in scope: the studies of a project
 * that sequesters which no release assigned to the open set (docs/sequestration.md). The mask
 * is a hard filter of the search: a withheld study counts nowhere, no total, no facet, no page.
 */
import { studyUidAt, type Snapshot } from './snapshot';

/**
 * One byte per row, 1 where the row is withheld: every row of a project in `openByProject`
 * whose study is not in that project's open set. Undefined when no row is withheld.
 */
export function withheldRows(snapshot: Snapshot, openByProject: ReadonlyMap<string, ReadonlySet<string>>): Uint8Array | undefined {
  if (openByProject.size === 0) return undefined;
  const column = snapshot.facets.project;
  const openOfCode = column.members.map((members) => {
    const project = members.length === 1 ? column.values[members[0]!] : undefined;
    return project === undefined ? undefined : openByProject.get(project);
  });
  if (openOfCode.every((open) => open === undefined)) return undefined;
  const mask = new Uint8Array(snapshot.count);
  let any = false;
  for (let i = 0; i < snapshot.count; i += 1) {
    const open = openOfCode[column.codes[i]!];
    if (open && !open.has(studyUidAt(snapshot, i))) {
      mask[i] = 1;
      any = true;
    }
  }
  return any ? mask : undefined;
}
