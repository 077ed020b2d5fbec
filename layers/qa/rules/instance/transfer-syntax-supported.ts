import type { InstanceRule } from './rule';

export const transferSyntaxSupported: InstanceRule = {
  id: 'transfer-syntax.supported',
  level: 'instance',
  defaultSeverity: 'quarantine',
  description: 'The transfer syntax is one the project accepts',
  overridable: false,
  offline: true,
  check: ({ view, config }) =>
    view && !config.transferSyntaxes.includes(view.transferSyntaxUid) ? ['the transfer syntax is not in the accepted list'] : [],
};
