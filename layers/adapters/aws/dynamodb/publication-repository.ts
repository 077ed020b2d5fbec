import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../../../common/errors';
import type { Instance, ObjectRef, Study, StudyAggregate } from '../../../catalog/entities';
import type { Series, SnapshotPointer } from '../../../catalog/commons-entities';
import * as keys from '../../../catalog/item-keys';
import { PREFIX, PUBLISHED_PARTITION } from '../../../catalog/keys';
import { StudyOwnershipInconsistent, type StudyOwner } from '../../../catalog/ownership';
import { instanceOf } from './instance-item';
import {
  conditionalWrite,
  decodeCursor,
  encodeCursor,
  getItem,
  getItems,
  itemKeyOf,
  putItems,
  queryAllByPrefix,
  queryIndexAll,
  readPages,
  stripKeys,
} from './table-io';

export interface Page<T> {
  readonly items: T[];
  readonly cursor?: string;
}

export class InvalidCursor extends Error {
  override readonly name = 'InvalidCursor';
}

/** The live snapshot moved under a rebuild: retried by the workflow (a TransientError). */
export class SnapshotMoved extends TransientError {}

/**
 * The publication aggregate's storage: studies (their index aggregate and their
 * publication), their series and instances, the object-id index, and the live
 * search snapshot's pointer. Instances and object-id entries are written by
 * staging's transaction, which the intake repository owns (its decision is the
 * file's outcome); this repository reads them.
 */
export class PublicationRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getStudy(studyUid: string): Promise<Study | undefined> {
    return this.get<Study>(keys.study(studyUid));
  }

  /** Studies by UID, a hundred to a request; a UID without a study is absent. */
  async getStudies(studyUids: Iterable<string>): Promise<Map<string, Study>> {
    const wanted = [...new Set(studyUids)];
    const found = await getItems<Study>(this.db, this.table, wanted.map(keys.study));
    const studies = new Map<string, Study>();
    for (const studyUid of wanted) {
      const study = found.get(itemKeyOf(keys.study(studyUid)));
      if (study) studies.set(studyUid, study);
    }
    return studies;
  }

  /** A study's instances, strongly consistent, in key order; read with their keys, which hold part of each (instance-item.ts). */
  async listInstances(studyUid: string): Promise<Instance[]> {
    const { items } = await readPages(this.db, {
      query: {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.study(studyUid).pk, ':prefix': PREFIX.instance },
        ConsistentRead: true,
      },
    });
    return items.map(instanceOf);
  }

  /**
   * A study's instances (as listInstances) and the project and site it was claimed for (undefined: no claim yet,
   * or no study item), strongly consistent, in one query of the study's partition instead of a query and a GetItem:
   * the study item sorts after its instances and series, and a small study's items fit one read unit together.
   */
  async readStudy(studyUid: string): Promise<{ instances: Instance[]; owner: StudyOwner | undefined }> {
    const { items } = await readPages(this.db, {
      query: {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.study(studyUid).pk },
        ConsistentRead: true,
      },
    });
    const study = items.find((item) => item.sk === keys.study(studyUid).sk);
    const owner =
      typeof study?.project === 'string' && typeof study.site === 'string' ? { project: study.project, site: study.site } : undefined;
    return { instances: items.filter((item) => String(item.sk).startsWith(PREFIX.instance)).map(instanceOf), owner };
  }

  async getInstance(studyUid: string, seriesUid: string, sopUid: string): Promise<Instance | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.instance(studyUid, seriesUid, sopUid), ConsistentRead: true }),
    );
    return result.Item ? instanceOf(result.Item) : undefined;
  }

  /** Where an object id (`hilum:<SOP Instance UID>`) lives: its study and series, or undefined. */
  async getObjectRef(sopUid: string): Promise<ObjectRef | undefined> {
    return this.get<ObjectRef>(keys.object(sopUid));
  }

  /**
   * Writes a study's aggregate. Without `publishAt` its publication state is left as it is, so a re-index racing a
   * publication can never hide a published study. With `publishAt` (the submission workflow's indexing, once every
   * study of the submission was read and its owner checked) the same write publishes it, as publishStudy would: one
   * write unit where an aggregate and a publication were two. A published study keeps its first publication time and
   * index entry (`if_not_exists`), so a repeat publishes nothing twice; the aggregate carries `instanceCount` > 0, as
   * publishStudy requires. Returns true when this write published the study (it was not published before).
   * Project and site are the study's claim: written only where there is none yet (a study staged before claims
   * existed), and a differing aggregate is refused (StudyOwnershipInconsistent), so indexing can never move a study.
   */
  async upsertStudyAggregate(study: StudyAggregate, publishAt?: string): Promise<boolean> {
    const { studyUid: _uid, project, site, ...fields } = study;
    const names: Record<string, string> = { '#status': 'status', '#type': 'type', '#project': 'project', '#site': 'site' };
    const values: Record<string, unknown> = { ':type': 'study', ':project': project, ':site': site };
    const sets = ['#type = :type', '#project = if_not_exists(#project, :project)', '#site = if_not_exists(#site, :site)'];
    if (publishAt === undefined) {
      values[':staged'] = 'staged';
      sets.push('#status = if_not_exists(#status, :staged)');
    } else {
      Object.assign(values, { ':published': 'published', ':at': publishAt }, prefixed(keys.publishedStudy(publishAt, study.studyUid)));
      sets.push(
        '#status = :published',
        'publishedAt = if_not_exists(publishedAt, :at)',
        'gsi1pk = :gsi1pk',
        'gsi1sk = if_not_exists(gsi1sk, :gsi1sk)',
      );
    }
    for (const [name, value] of Object.entries(fields)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    const result = await conditionalWrite(
      this.db,
      new UpdateCommand({
        TableName: this.table,
        Key: keys.study(study.studyUid),
        UpdateExpression: `SET ${sets.join(', ')}, studyUid = :studyUid`,
        ConditionExpression: 'attribute_not_exists(#project) OR (#project = :project AND #site = :site)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ':studyUid': study.studyUid },
        // The status before the write (no read units): whether this write is the one that published the study.
        ...(publishAt === undefined ? {} : { ReturnValues: 'UPDATED_OLD' as const }),
      }),
    );
    if (!result.written) throw new StudyOwnershipInconsistent('the study belongs to another project or site; it is not re-indexed');
    return publishAt !== undefined && result.attributes?.status !== 'published';
  }

  /**
   * Publishes a study once, for its owner only, and only once indexed with at least
   * one instance (staging creates the study item when it claims it, and study QA may
   * send every instance back); a second call keeps the first publication time
   * (false). A submission of another project or site naming the study is refused
   * (StudyOwnershipInconsistent), never published.
   */
  async publishStudy(studyUid: string, publishedAt: string, owner: StudyOwner): Promise<boolean> {
    const result = await conditionalWrite(
      this.db,
      new UpdateCommand({
        TableName: this.table,
        Key: keys.study(studyUid),
        UpdateExpression: 'SET #status = :published, publishedAt = :at, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk',
        ConditionExpression:
          'attribute_exists(pk) AND #status <> :published AND instanceCount > :none AND #project = :project AND #site = :site',
        ExpressionAttributeNames: { '#status': 'status', '#project': 'project', '#site': 'site' },
        ExpressionAttributeValues: {
          ':published': 'published',
          ':at': publishedAt,
          ':none': 0,
          ':project': owner.project,
          ':site': owner.site,
          ...prefixed(keys.publishedStudy(publishedAt, studyUid)),
        },
      }),
    );
    if (result.written) return true;
    const study = await this.getStudy(studyUid);
    if (study && (study.project !== owner.project || study.site !== owner.site)) {
      throw new StudyOwnershipInconsistent('the study belongs to another project or site; it is not published');
    }
    return false;
  }

  /** Published studies, newest first, one page at a time. */
  async listPublishedStudies(limit: number, cursor?: string): Promise<Page<Study>> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': PUBLISHED_PARTITION },
        ScanIndexForward: false,
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor, () => new InvalidCursor('the cursor is not valid')) } : {}),
      }),
    );
    return {
      items: (result.Items ?? []).map((item) => stripKeys<Study>(item)),
      ...(result.LastEvaluatedKey ? { cursor: encodeCursor(result.LastEvaluatedKey) } : {}),
    };
  }

  /** Every published study (the release cut reads them all). */
  async listAllPublishedStudies(): Promise<Study[]> {
    return queryIndexAll<Study>(this.db, this.table, PUBLISHED_PARTITION, false);
  }

  /** The series records, 25 to a BatchWriteItem (a submission's studies' series together: IndexSubmission). */
  async putSeries(series: readonly Series[]): Promise<void> {
    await putItems(
      this.db,
      this.table,
      series.map((s) => ({ ...keys.series(s.studyUid, s.seriesUid), type: 'series', ...s })),
      'series records',
    );
  }

  async listSeries(studyUid: string): Promise<Series[]> {
    return this.queryAll<Series>({ pk: keys.study(studyUid).pk, prefix: PREFIX.series });
  }

  async getSnapshotPointer(): Promise<SnapshotPointer | undefined> {
    return this.get<SnapshotPointer>(keys.snapshotPointer());
  }

  /**
   * Moves the live snapshot pointer from `expected` (undefined: none yet) to `next`.
   * Two rebuilds racing: the second sees a changed version and must rebuild on top of
   * the first's (SnapshotMoved, a TransientError, so the workflow retries it).
   */
  async swapSnapshotPointer(expected: number | undefined, next: SnapshotPointer): Promise<void> {
    const result = await conditionalWrite(
      this.db,
      new PutCommand({
        TableName: this.table,
        Item: { ...keys.snapshotPointer(), type: 'snapshot-pointer', ...next },
        ConditionExpression: expected === undefined ? 'attribute_not_exists(pk)' : 'version = :expected',
        ...(expected === undefined ? {} : { ExpressionAttributeValues: { ':expected': expected } }),
      }),
    );
    if (!result.written) throw new SnapshotMoved('the search snapshot changed during the rebuild; retry');
  }

  private get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    return getItem<T>(this.db, this.table, key);
  }

  private queryAll<T>({ pk, prefix }: { pk: string; prefix: string }): Promise<T[]> {
    return queryAllByPrefix<T>(this.db, this.table, pk, prefix);
  }
}

function prefixed(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`:${k}`, v]));
}
