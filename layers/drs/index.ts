/**
 * GA4GH Data Repository Service 1.x mapping, pure: hilum's released instances as
 * DRS objects. Object ids are `hilum:<SOP Instance UID>` (the manifest's ids):
 * stable across releases, unique across projects. The colon is a legal path
 * character (RFC 3986 pchar), so ids go into URLs as they are; a client that
 * percent-encodes it (`hilum%3A...`) is understood too.
 */
export const DRS_ACCESS_ID = 'released';
const OBJECT_ID = /^hilum:([0-9]+(?:\.[0-9]+)*)$/;

export interface DrsChecksum {
  readonly type: string;
  readonly checksum: string;
}
export interface DrsAccessMethod {
  readonly type: 'https';
  readonly access_id: string;
}
export interface DrsObject {
  readonly id: string;
  readonly self_uri: string;
  readonly size: number;
  readonly created_time: string;
  readonly name: string;
  readonly mime_type: string;
  readonly version: string;
  readonly checksums: readonly DrsChecksum[];
  readonly access_methods: readonly DrsAccessMethod[];
  readonly description?: string;
}

/** The SOP Instance UID of an object id, or undefined when the id is not one of hilum's. */
export function sopUidOfObjectId(raw: string): string | undefined {
  let id = raw;
  if (id.includes('%')) {
    try {
      id = decodeURIComponent(id);
    } catch {
      return undefined;
    }
  }
  const match = OBJECT_ID.exec(id);
  return match && match[1]!.length <= 64 ? match[1] : undefined;
}

export function drsObjectOf(instance: { sopUid: string; size: number; sha256: string; stagedAt: string }, hostname: string): DrsObject {
  const id = `hilum:${instance.sopUid}`;
  return {
    id,
    self_uri: `drs://${hostname}/${id}`,
    size: instance.size,
    created_time: instance.stagedAt,
    name: `${instance.sopUid}.dcm`,
    mime_type: 'application/dicom',
    // The released bytes of an instance never change; its checksum is its version.
    version: instance.sha256.slice(0, 16),
    checksums: [{ type: 'sha-256', checksum: instance.sha256 }],
    access_methods: [{ type: 'https', access_id: DRS_ACCESS_ID }],
    description: 'a de-identified DICOM instance (Part 10)',
  };
}

export function drsServiceInfo(hostname: string, version: string) {
  return {
    id: `org.hilum.${hostname.replace(/[^A-Za-z0-9]+/g, '-')}.drs`,
    name: 'hilum DRS',
    type: { group: 'org.ga4gh', artifact: 'drs', version: '1.2.0' },
    description: 'GA4GH Data Repository Service for the de-identified DICOM instances of a hilum commons',
    organization: { name: 'hilum', url: 'https://github.com/hilum' },
    documentationUrl: 'https://github.com/hilum/hilum/blob/main/docs/access.md',
    version,
  };
}
