import { z } from 'zod';
import { InvalidQaConfig, loadQaConfig, qaConfigSchema } from '../../layers/qa';
import { BadRequest } from '../../layers/common/errors';
import { httpHandler } from '../../layers/adapters/aws/http';
import { slug } from '../../layers/common/id-schemas';
import { auditLog } from '../../layers/services/commons-context';
import { qaRepository } from '../../layers/services/qa-context';

/**
 * PUT /projects/{project}/qa-config (curators): a project's QA configuration
 * (scope, transfer syntaxes, pixel-review SOP classes, rule severities, missing-file
 * grace period), validated against hilum's rules; applies to files QA'd from now on.
 */
export const handler = httpHandler(
  // The schema's shape here; loadQaConfig then checks the rule ids against the rules hilum has.
  { path: z.object({ project: slug }), body: qaConfigSchema },
  async function putQaConfig({ caller, path, body }) {
    let config;
    try {
      config = loadQaConfig(body);
    } catch (error) {
      if (error instanceof InvalidQaConfig) throw new BadRequest(error.message);
      throw error;
    }
    const at = new Date().toISOString();
    await qaRepository().putProjectConfig(path.project, config, caller.subject, at);
    await auditLog().append({
      actor: caller.subject,
      action: 'qa.config.update',
      targetType: 'project',
      targetId: path.project,
      at,
      details: { rules: config.rules, modalities: config.modalities },
    });
    return { statusCode: 200, body: { project: path.project, config } };
  },
);
