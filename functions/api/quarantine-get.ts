import { z } from 'zod';
import { NotFound } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { uuid } from '../../layers/common/id-schemas';
import { auditHistory } from '../../layers/services/commons-context';
import { qaRepository } from '../../layers/services/qa-context';

export const quarantinePath = z.object({ quarantineId: uuid });

/** GET /quarantine/{id} (curators): the record (rules, value-free messages, review) and its audit history. */
export const handler = httpHandler({ path: quarantinePath }, async function getQuarantined({ path }) {
  const record = await qaRepository().getQuarantine(path.quarantineId);
  if (!record) throw new NotFound('no such quarantine record');
  const history = await auditHistory().forTarget('quarantine', record.quarantineId);
  return { statusCode: 200, body: { ...record, history } };
});
