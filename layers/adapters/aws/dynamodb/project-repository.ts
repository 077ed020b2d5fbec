import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Case, Project } from '../../../catalog/commons-entities';
import * as keys from '../../../catalog/item-keys';
import { PREFIX, PROJECTS_PARTITION } from '../../../catalog/keys';
import { conditionalWrite, getItem, getItems, itemKeyOf, putItems, queryAllByPrefix, queryIndexAll, stripKeys } from './table-io';

/**
 * Projects (with the sites that may contribute) and their cases (single table, see
 * docs/catalog.md): project `PROJECT#{id}`/`PROJECT` (gsi1 `PROJECTS`), its cases
 * `PROJECT#{id}`/`CASE#{pseudonym}`, and which cases a submission supplied
 * `SUBMISSION#{id}`/`CASE#{pseudonym}`. Who was given access to a project is
 * access-repository.ts's.
 */
export class ProjectRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Creates or updates a project; its creation time and creator survive updates. */
  async putProject(project: Project): Promise<Project> {
    const { projectId, createdAt, createdBy, ...rest } = project;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const set = (name: string, value: unknown, onlyIfNew = false) => {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(onlyIfNew ? `#${name} = if_not_exists(#${name}, :${name})` : `#${name} = :${name}`);
    };
    for (const [name, value] of Object.entries({ ...rest, type: 'project', projectId, ...keys.projectIndex(projectId) }))
      if (value !== undefined) set(name, value);
    set('createdAt', createdAt, true);
    set('createdBy', createdBy, true);
    const result = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.project(projectId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return stripKeys<Project>(result.Attributes);
  }

  /** Replaces the sites that may contribute to an existing project; undefined when there is no such project. */
  async setProjectSites(projectId: string, sites: readonly string[], updatedAt: string): Promise<Project | undefined> {
    const result = await conditionalWrite(
      this.db,
      new UpdateCommand({
        TableName: this.table,
        Key: keys.project(projectId),
        UpdateExpression: 'SET #sites = :sites, #updatedAt = :updatedAt',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#sites': 'sites', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':sites': sites, ':updatedAt': updatedAt },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.written ? stripKeys<Project>(result.attributes) : undefined;
  }

  async getProject(projectId: string): Promise<Project | undefined> {
    return getItem<Project>(this.db, this.table, keys.project(projectId));
  }

  async listProjects(): Promise<Project[]> {
    return queryIndexAll<Project>(this.db, this.table, PROJECTS_PARTITION, true);
  }

  /** Upserts cases (25 per batch) and records which submission supplied them. */
  async putCases(cases: readonly Case[]): Promise<void> {
    const items = cases.flatMap((c) => [
      { ...keys.case(c.project, c.casePseudonym), type: 'case', ...c },
      {
        ...keys.submissionCase(c.submissionId, c.casePseudonym),
        type: 'submission-case',
        project: c.project,
        casePseudonym: c.casePseudonym,
      },
    ]);
    await putItems(this.db, this.table, items, 'cases');
  }

  async getCase(project: string, casePseudonym: string): Promise<Case | undefined> {
    return getItem<Case>(this.db, this.table, keys.case(project, casePseudonym));
  }

  /** Cases of a project by pseudonym, a hundred to a request; a pseudonym without a case is absent. */
  async getCases(project: string, casePseudonyms: Iterable<string>): Promise<Map<string, Case>> {
    const wanted = [...new Set(casePseudonyms)];
    const found = await getItems<Case>(
      this.db,
      this.table,
      wanted.map((pseudonym) => keys.case(project, pseudonym)),
    );
    const cases = new Map<string, Case>();
    for (const pseudonym of wanted) {
      const record = found.get(itemKeyOf(keys.case(project, pseudonym)));
      if (record) cases.set(pseudonym, record);
    }
    return cases;
  }

  async listCases(project: string): Promise<Case[]> {
    return queryAllByPrefix<Case>(this.db, this.table, keys.project(project).pk, PREFIX.case);
  }

  async listSubmissionCases(submissionId: string): Promise<{ project: string; casePseudonym: string }[]> {
    return queryAllByPrefix<{ project: string; casePseudonym: string }>(this.db, this.table, keys.submission(submissionId).pk, PREFIX.case);
  }
}
