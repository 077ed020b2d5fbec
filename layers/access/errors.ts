import { HttpError } from '../common/errors';

/** A request the rules refuse whatever the caller's role (sequestered data, an open project, a decided request). */
export class AccessRuleRefused extends HttpError {
  override readonly name = 'AccessRuleRefused';
  constructor(message: string) {
    super(409, message);
  }
}
