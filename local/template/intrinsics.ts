import { isRecord, TemplateError, type CfnTemplate } from './cfn-template';
import { LOCAL_ACCOUNT, LOCAL_PARTITION, LOCAL_REGION, LOCAL_URL_SUFFIX, localPhysicalValues, type PhysicalValue } from './names';

/**
 * CloudFormation's intrinsic functions (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`,
 * `Fn::Split`, `Fn::If` and the conditions, `Fn::FindInMap`, ...) and pseudo parameters, resolved
 * against the local physical names, so definitions, event patterns and environment variables
 * read as they would once deployed.
 */

const PSEUDO: Record<string, unknown> = {
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::Partition': LOCAL_PARTITION,
  'AWS::URLSuffix': LOCAL_URL_SUFFIX,
  'AWS::StackName': 'hilum-local',
  'AWS::StackId': `arn:aws:cloudformation:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stack/hilum-local/00000000-0000-0000-0000-000000000000`,
  'AWS::NoValue': undefined,
  'AWS::NotificationARNs': [],
};

export class Resolver {
  readonly physical: Map<string, PhysicalValue>;

  constructor(
    readonly template: CfnTemplate,
    physical?: Map<string, PhysicalValue>,
  ) {
    this.physical = physical ?? localPhysicalValues(template);
  }

  ref(logicalId: string): unknown {
    if (logicalId in PSEUDO) return PSEUDO[logicalId];
    const parameter = this.template.Parameters?.[logicalId];
    if (parameter) {
      if (parameter.Default === undefined) throw new TemplateError(`parameter ${logicalId} has no default`);
      return parameter.Default;
    }
    const value = this.physical.get(logicalId);
    if (!value) throw new TemplateError(`Ref to unknown resource ${logicalId}`);
    return value.ref;
  }

  getAtt(logicalId: string, attribute: string): string {
    const value = this.physical.get(logicalId);
    if (!value) throw new TemplateError(`Fn::GetAtt on unknown resource ${logicalId}`);
    const attr = value.attrs[attribute];
    if (attr === undefined) {
      const type = this.template.Resources[logicalId]?.Type ?? '?';
      throw new TemplateError(`Fn::GetAtt ${logicalId}.${attribute} is not known locally (${type})`);
    }
    return attr;
  }

  condition(name: string): boolean {
    const expr = this.template.Conditions?.[name];
    if (expr === undefined) throw new TemplateError(`unknown condition ${name}`);
    return Boolean(this.resolve(expr));
  }

  /** Resolves every intrinsic function in `value` (deeply). `AWS::NoValue` removes the key. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== undefined);
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const key = keys[0] as string;
      const arg = value[key];
      if (key === 'Ref') return this.ref(expectString(arg, 'Ref'));
      if (key === 'Condition' && typeof arg === 'string' && this.template.Conditions?.[arg] !== undefined) return this.condition(arg);
      if (key.startsWith('Fn::')) return this.intrinsic(key, arg);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = this.resolve(v);
      if (resolved !== undefined) out[k] = resolved;
    }
    return out;
  }

  private intrinsic(fn: string, arg: unknown): unknown {
    switch (fn) {
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? [arg[0], arg[1]] : expectString(arg, fn).split(/\.(.*)/s);
        return this.getAtt(expectString(logicalId, fn), expectString(this.resolve(attribute), fn));
      }
      case 'Fn::Join': {
        const [sep, list] = expectArray(arg, fn);
        const items = expectArray(this.resolve(list), fn);
        return items.map((i) => scalarString(i, fn)).join(expectString(sep, fn));
      }
      case 'Fn::Sub':
        return this.sub(arg);
      case 'Fn::Select': {
        const [index, list] = expectArray(arg, fn);
        const items = expectArray(this.resolve(list), fn);
        const i = Number(this.resolve(index));
        if (!Number.isInteger(i) || i < 0 || i >= items.length) throw new TemplateError(`Fn::Select index ${i} out of range`);
        return items[i];
      }
      case 'Fn::Split': {
        const [sep, source] = expectArray(arg, fn);
        return expectString(this.resolve(source), fn).split(expectString(sep, fn));
      }
      case 'Fn::If': {
        const [cond, whenTrue, whenFalse] = expectArray(arg, fn);
        return this.condition(expectString(cond, fn)) ? this.resolve(whenTrue) : this.resolve(whenFalse);
      }
      case 'Fn::Equals': {
        const [a, b] = expectArray(arg, fn);
        return JSON.stringify(this.resolve(a)) === JSON.stringify(this.resolve(b));
      }
      case 'Fn::Not':
        return !this.resolve(expectArray(arg, fn)[0]);
      case 'Fn::And':
        return expectArray(arg, fn).every((c) => Boolean(this.resolve(c)));
      case 'Fn::Or':
        return expectArray(arg, fn).some((c) => Boolean(this.resolve(c)));
      case 'Fn::FindInMap': {
        const [map, top, second] = expectArray(arg, fn).map((a) => this.resolve(a));
        const found = this.template.Mappings?.[expectString(map, fn)]?.[expectString(top, fn)]?.[expectString(second, fn)];
        if (found === undefined) throw new TemplateError(`Fn::FindInMap ${String(map)}.${String(top)}.${String(second)} not found`);
        return found;
      }
      case 'Fn::GetAZs':
        return [`${LOCAL_REGION}a`, `${LOCAL_REGION}b`, `${LOCAL_REGION}c`];
      case 'Fn::Base64':
        return Buffer.from(expectString(this.resolve(arg), fn)).toString('base64');
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(arg));
      default:
        throw new TemplateError(`intrinsic ${fn} is not supported locally`);
    }
  }

  private sub(arg: unknown): string {
    const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
    const variables = isRecord(vars) ? (this.resolve(vars) as Record<string, unknown>) : {};
    return expectString(text, 'Fn::Sub').replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`; // ${!Literal}
      if (name in variables) return scalarString(variables[name], 'Fn::Sub');
      const dot = name.indexOf('.');
      if (dot > 0 && !(name in PSEUDO)) return this.getAtt(name.slice(0, dot), name.slice(dot + 1));
      return scalarString(this.ref(name), 'Fn::Sub');
    });
  }
}

function expectString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new TemplateError(`${where}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}
function expectArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new TemplateError(`${where}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}
function scalarString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`${where}: cannot join ${JSON.stringify(value)}`);
}
