import { z } from 'zod';
import {
  INDEXED_VARIANTS,
  LINK_VARIANT_NAMES,
  TOKEN_PATTERN,
  missingIndexedVariants,
  type LinkVariant,
} from '../../layers/clinical/linkage';
import { slug } from '../../layers/common/id-schemas';
import { httpHandler } from '../../layers/adapters/aws/http';
import { logger } from '../../layers/adapters/aws/powertools';
import { matchLinkTokens } from '../../layers/services/linkage-match';

const MAX_PEOPLE = 1000;
const variantEnum = z.enum(LINK_VARIANT_NAMES as [LinkVariant, ...LinkVariant[]]);
const tokensSchema = z
  .record(variantEnum, z.string().regex(TOKEN_PATTERN, 'a token is 43 base64url characters (hilum link-tokens writes them)'))
  .refine(
    (tokens) => missingIndexedVariants(tokens).length === 0,
    `a person needs at least the ${INDEXED_VARIANTS.join(', ')} tokens (hilum link-tokens --query writes them for everyone)`,
  );

const bodySchema = z
  .object({
    /** The projects to search; every project when absent. */
    projects: z.array(slug).max(100).optional(),
    people: z
      .array(z.object({ ref: z.string().min(1).max(128), tokens: tokensSchema }).strict())
      .min(1)
      .max(MAX_PEOPLE),
  })
  .strict();

const answerSchema = z.object({
  people: z.array(
    z.object({
      ref: z.string(),
      matches: z.array(z.object({ project: z.string(), casePseudonym: z.string(), agreed: z.array(variantEnum), score: z.number() })),
    }),
  ),
  matchedPeople: z.number().int(),
  rule: z.string(),
});

/**
 * POST /linkage/match (the `linker` role, the honest broker): another registry's people as
 * token sets computed with the same linkage key, answered per person with the matching case
 * pseudonyms and the strength of each match (the variants that agreed, a score), by the rule
 * of docs/linkage.md. Every query is audited with counts only: never a token or a ref.
 */
export const handler = httpHandler({ body: bodySchema, responses: { 200: answerSchema } }, async function matchLinkage({ audit, body }) {
  const answer = await matchLinkTokens(body.people, body.projects);
  const matchedPeople = answer.people.filter((p) => p.matches.length > 0).length;
  const matches = answer.people.reduce((n, p) => n + p.matches.length, 0);
  const counts = {
    people: body.people.length,
    tokens: body.people.reduce((n, p) => n + Object.keys(p.tokens).length, 0),
    projects: answer.projects.length,
    lookups: answer.lookups,
    candidateCases: answer.candidateCases,
    readUnits: answer.readUnits,
    matchedPeople,
    matches,
  };
  // The projects searched and counts: never the query's tokens or refs.
  const target = body.projects?.length ? [...new Set(body.projects)].sort().join(',') : '*';
  audit.resource('linkage', target);
  audit.record({ action: 'linkage.match', targetType: 'linkage', targetId: target, details: counts });
  logger.info('linkage query answered', counts);
  return {
    statusCode: 200,
    body: { people: answer.people, matchedPeople, rule: 'exact agrees, or at least 2 other variants; per project the strongest' },
  };
});
