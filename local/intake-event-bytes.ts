/**
 * The bytes of the objects an ingest batch's event names (`{ records: [{ body }] }`, each body an "Object Created"
 * event as the intake pipe hands it on), as the events say them (`detail.object.size`). Undefined for any other
 * event, or one whose sizes cannot all be read: the local Lambda host then gates it by its reserved concurrency alone
 * (ObjectBytesGate). A size is only a weight for scheduling here; the ingest itself never trusts it.
 */
export function intakeEventBytes(event: unknown): number | undefined {
  const records = recordsOf(event);
  if (!records || records.length === 0) return undefined;
  let total = 0;
  for (const record of records) {
    const body = (record as { body?: unknown } | null)?.body;
    const size = typeof body === 'string' ? sizeOf(parsed(body)) : undefined;
    if (size === undefined) return undefined;
    total += size;
  }
  return total;
}

function recordsOf(event: unknown): readonly unknown[] | undefined {
  const records = (event as { records?: unknown } | null)?.records;
  return Array.isArray(records) ? records : undefined;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function sizeOf(event: unknown): number | undefined {
  const size = (event as { detail?: { object?: { size?: unknown } } } | null)?.detail?.object?.size;
  return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}
