import { randomUUID } from 'node:crypto';
import { ActivityTracker } from './activity';
import { busNameOf, LOCAL_ACCOUNT, LOCAL_REGION } from './template/names';
import type { LocalRule } from './template/local-model';
import type { UsageMeter } from './usage-meter';

/**
 * The local EventBridge: events (from PutEvents or from S3) are matched against the
 * template's rules and each matching rule's targets get the event. Delivery is
 * asynchronous, as in EventBridge, but tracked so `idle()` waits for it.
 */

export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/** Starts a target (a state machine execution) with the transformed event. */
export type TargetStarter = (targetArn: string, input: unknown, context: { rule: string; event: BusEvent }) => void | Promise<void>;

export interface EventBusOptions {
  readonly rules: readonly LocalRule[];
  /** Names of the buses that exist (besides `default`). */
  readonly buses: readonly string[];
  readonly startTarget: TargetStarter;
  readonly tracker?: ActivityTracker;
  readonly log?: (message: string) => void;
  /**
   * Fault injection (tests, chaos runs): an event for which this returns true is lost, as
   * EventBridge may lose a delivery to a failing target: recorded with no matched rule, delivered nowhere.
   */
  readonly drop?: (event: BusEvent, bus: string) => boolean;
  /** Counts each event put, by who puts it (bench cost). */
  readonly meter?: UsageMeter;
}

export class EventBusNotFoundError extends Error {
  override readonly name = 'ResourceNotFoundException';
}

export interface DeliveredEvent {
  readonly bus: string;
  readonly event: BusEvent;
  readonly matchedRules: readonly string[];
}

export class LocalEventBus {
  readonly tracker: ActivityTracker;
  private readonly log: (message: string) => void;
  private readonly buses: Set<string>;
  private readonly delivered: DeliveredEvent[] = [];

  constructor(private readonly options: EventBusOptions) {
    this.tracker = options.tracker ?? new ActivityTracker();
    this.log = options.log ?? (() => undefined);
    this.buses = new Set(['default', ...options.buses]);
  }

  hasBus(nameOrArn: string | undefined): boolean {
    return this.buses.has(busNameOf(nameOrArn ?? 'default'));
  }

  /** Events put so far, with the rules each matched (diagnostics and tests). */
  events(): readonly DeliveredEvent[] {
    return this.delivered;
  }

  /** Rules of `bus` whose pattern matches `event`. */
  matchingRules(bus: string, event: BusEvent): LocalRule[] {
    const name = busNameOf(bus);
    return this.options.rules.filter((r) => r.enabled && r.busName === name && matchesPattern(r.pattern, event));
  }

  /**
   * Puts an event on a bus (name or ARN; absent: `default`). Matching is synchronous,
   * target delivery asynchronous; throws EventBusNotFoundError for an unknown bus.
   */
  put(event: BusEvent, bus = 'default'): DeliveredEvent {
    const name = busNameOf(bus);
    if (!this.buses.has(name)) throw new EventBusNotFoundError(`Event bus ${name} does not exist.`);
    this.options.meter?.event(event.source);
    const rules = this.options.drop?.(event, name) ? [] : this.matchingRules(name, event);
    const delivered: DeliveredEvent = { bus: name, event, matchedRules: rules.map((r) => r.name) };
    this.delivered.push(delivered);
    for (const rule of rules) {
      for (const target of rule.targets) {
        const end = this.tracker.begin();
        // Delivered on a later tick, as EventBridge delivers after PutEvents returns.
        setImmediate(() => {
          Promise.resolve()
            .then(() => this.options.startTarget(target.arn, targetInput(target, event), { rule: rule.name, event }))
            .catch((error: unknown) => {
              const errName = error instanceof Error ? error.name : 'Error';
              this.log(`event bus ${name}: rule ${rule.name} could not start target ${target.id}: ${errName}`);
            })
            .finally(end);
        });
      }
    }
    return delivered;
  }
}

/** Builds a full EventBridge event from PutEvents-style fields. */
export function busEvent(fields: {
  source: string;
  detailType: string;
  detail: unknown;
  resources?: readonly string[];
  time?: Date;
}): BusEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': fields.detailType,
    source: fields.source,
    account: LOCAL_ACCOUNT,
    time: (fields.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [...(fields.resources ?? [])],
    detail: fields.detail,
  };
}

// ---------------------------------------------------------------------------
// Target input: whole event, Input, InputPath or InputTransformer

function targetInput(target: LocalRule['targets'][number], event: BusEvent): unknown {
  if (target.input !== undefined) return JSON.parse(target.input);
  if (target.inputPath !== undefined) return jsonPath(event, target.inputPath);
  if (target.inputTransformer) {
    const values: Record<string, unknown> = {};
    for (const [k, p] of Object.entries(target.inputTransformer.InputPathsMap ?? {})) values[k] = jsonPath(event, p);
    const text = target.inputTransformer.InputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (whole, k: string) => {
      if (k === 'aws.events.event.json') return JSON.stringify(event);
      if (!(k in values)) return whole;
      const v = values[k];
      return typeof v === 'string' ? v : JSON.stringify(v ?? null);
    });
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return event;
}

/** `$`, `$.a.b`, `$.a[0]`: the subset EventBridge allows in InputPath and InputPathsMap. */
function jsonPath(value: unknown, path: string): unknown {
  if (path === '$') return value;
  let current: unknown = value;
  for (const part of path
    .replace(/^\$\.?/, '')
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== '')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

// ---------------------------------------------------------------------------
// Event patterns

/**
 * EventBridge content filtering: every pattern field must match. A leaf is an array of
 * alternatives: literal values, or `{prefix}`, `{suffix}`, `{equals-ignore-case}`,
 * `{wildcard}`, `{exists}`, `{anything-but}`, `{numeric}`, `{cidr}`-less rules; a
 * nested object matches a nested object; `$or` takes alternative sub-patterns.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(rule) || !rule.some((alt) => isRecord(alt) && matchesPattern(alt, event))) return false;
      continue;
    }
    const present = isRecord(event) && Object.prototype.hasOwnProperty.call(event, key);
    const value = present ? (event as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(rule)) {
      if (!matchesLeaf(rule, present, value)) return false;
    } else if (isRecord(rule)) {
      if (!present || !matchesPattern(rule, value)) return false;
    } else {
      throw new Error(`event pattern field ${key} must be an array or an object`);
    }
  }
  return true;
}

function matchesLeaf(alternatives: readonly unknown[], present: boolean, value: unknown): boolean {
  // An array value in the event matches when any of its elements matches.
  const values = Array.isArray(value) ? value : [value];
  return alternatives.some((alt) => {
    if (isRecord(alt) && 'exists' in alt) return alt.exists === present && (!present || value !== undefined);
    if (!present) return false;
    return values.some((v) => matchesOne(alt, v));
  });
}

function matchesOne(alt: unknown, v: unknown): boolean {
  if (!isRecord(alt)) return alt === v; // literal (string, number, boolean, null)
  if ('prefix' in alt) {
    const p = alt.prefix;
    if (isRecord(p) && typeof p['equals-ignore-case'] === 'string') {
      return typeof v === 'string' && v.toLowerCase().startsWith(p['equals-ignore-case'].toLowerCase());
    }
    return typeof v === 'string' && typeof p === 'string' && v.startsWith(p);
  }
  if ('suffix' in alt) {
    const s = alt.suffix;
    if (isRecord(s) && typeof s['equals-ignore-case'] === 'string') {
      return typeof v === 'string' && v.toLowerCase().endsWith(s['equals-ignore-case'].toLowerCase());
    }
    return typeof v === 'string' && typeof s === 'string' && v.endsWith(s);
  }
  if ('equals-ignore-case' in alt) {
    return (
      typeof v === 'string' && typeof alt['equals-ignore-case'] === 'string' && v.toLowerCase() === alt['equals-ignore-case'].toLowerCase()
    );
  }
  if ('wildcard' in alt) {
    if (typeof v !== 'string' || typeof alt.wildcard !== 'string') return false;
    const re = new RegExp(
      `^${alt.wildcard
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      's',
    );
    return re.test(v);
  }
  if ('anything-but' in alt) {
    const but = alt['anything-but'];
    if (isRecord(but)) {
      if (typeof but.prefix === 'string') return typeof v === 'string' && !v.startsWith(but.prefix);
      if (typeof but.suffix === 'string') return typeof v === 'string' && !v.endsWith(but.suffix);
      if (but['equals-ignore-case'] !== undefined) {
        const list = (Array.isArray(but['equals-ignore-case']) ? but['equals-ignore-case'] : [but['equals-ignore-case']]).map((s) =>
          String(s).toLowerCase(),
        );
        return typeof v === 'string' && !list.includes(v.toLowerCase());
      }
      throw new Error(`unsupported anything-but rule ${JSON.stringify(but)}`);
    }
    const list = Array.isArray(but) ? but : [but];
    return !list.includes(v);
  }
  if ('numeric' in alt) {
    if (typeof v !== 'number' || !Array.isArray(alt.numeric)) return false;
    const ops = alt.numeric;
    for (let i = 0; i + 1 < ops.length; i += 2) {
      const op = ops[i];
      const n = Number(ops[i + 1]);
      const ok = op === '=' ? v === n : op === '<' ? v < n : op === '<=' ? v <= n : op === '>' ? v > n : op === '>=' ? v >= n : false;
      if (!ok) return false;
    }
    return true;
  }
  throw new Error(`unsupported event pattern rule ${JSON.stringify(alt)}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
