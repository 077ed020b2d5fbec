/**
 * `npm run bench search`: the faceted search snapshot against SQLite on the same
 * 1,000,000 synthetic studies and the same 1,000 random queries (six facet filters
 * each, OR within a facet, AND across, a researcher's project scope), each answered
 * in full: the total, the counts of all 13 facets with each facet's own filter left
 * out, and the first page of 50 studies. SQLite (Node's built-in node:sqlite, in memory,
 * one index per filtered column, a child table for the multi-valued modality) runs
 * one COUNT and one GROUP BY per facet, as a relational faceted search does.
 * Every answer of SQLite is compared with the snapshot's: a mismatch stops the run.
 *
 * BENCH_STUDIES and BENCH_QUERIES override the sizes (for a quick look).
 */
import { DatabaseSync, StatementSync } from 'node:sqlite';
import {
  ageBand,
  buildSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  FACETS,
  FacetName,
  search,
  SearchFilters,
  snapshotBytes,
  StudyRow,
} from '../layers/search';
import { rng } from '../test/support/random';

const STUDIES = Number(process.env.BENCH_STUDIES ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 1_000);
const PAGE = 50;
const FILTERED_FACETS = 6;

/** Skewed choice: earlier values are more frequent (real facets are skewed too). */
function skewed<T>(r: () => number, values: readonly T[]): T {
  return values[Math.min(values.length - 1, Math.floor(values.length * r() * r()))]!;
}

const VOCAB = {
  project: ['covid-open', 'lung-screening', 'cardiac-ct', 'pediatric-chest', 'sequestered-eval', 'trial-42'],
  site: Array.from({ length: 40 }, (_, i) => `site-${String(i + 1).padStart(2, '0')}`),
  modality: ['DX', 'CR', 'CT', 'MR', 'PT', 'US', 'NM'],
  bodyPart: ['CHEST', 'ABDOMEN', 'HEAD', 'PELVIS', 'NECK', 'WHOLEBODY', 'unknown'],
  sex: ['Female', 'Male', 'Other', 'unknown'],
  race: [
    'White',
    'Black or African American',
    'Asian',
    'American Indian or Alaska Native',
    'Native Hawaiian or other Pacific Islander',
    'Other',
    'unknown',
  ],
  ethnicity: ['Not Hispanic or Latino', 'Hispanic or Latino', 'unknown'],
  covid19: ['No', 'Yes', 'unknown'],
  condition: ['U07', 'J12', 'I10', 'E11', 'J44', 'unknown'],
  manufacturer: [
    'GE MEDICAL SYSTEMS',
    'SIEMENS',
    'Philips',
    'TOSHIBA',
    'Canon',
    'FUJIFILM',
    'Carestream',
    'Agfa',
    'Konica Minolta',
    'Samsung',
  ],
  viewPosition: ['unknown', 'PA', 'AP', 'LL', 'RL'],
  sliceThickness: ['unknown', '0-1mm', '1-2.5mm', '2.5-5mm', '5mm+'],
  release: ['1', '2', '3', '4', '5', '6', '7', '8'],
};
const DESCRIPTIONS = [
  'CT CHEST WO CONTRAST',
  'CT CHEST W CONTRAST',
  'XR CHEST PA AND LATERAL',
  'XR CHEST AP PORTABLE',
  'CT ANGIO CHEST',
  'MR BRAIN',
  'CT ABDOMEN PELVIS',
  'PET CT WHOLE BODY',
];

function generate(count: number): StudyRow[] {
  const r = rng(20261);
  const rows: StudyRow[] = new Array(count);
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < count; i += 1) {
    const hi = BigInt(Math.floor(r() * 2 ** 52));
    const lo = BigInt(Math.floor(r() * 2 ** 52));
    const modality = skewed(r, VOCAB.modality);
    const second = r() < 0.08 ? skewed(r, VOCAB.modality) : undefined;
    const unknownOr = (v: string) => (v === 'unknown' ? [] : [v]);
    const release = Math.floor(r() * 9); // 0: published, not released yet
    rows[i] = {
      studyUid: `2.25.${(hi << 64n) | lo}`,
      project: skewed(r, VOCAB.project),
      site: skewed(r, VOCAB.site),
      ...(release ? { firstRelease: release } : {}),
      modalities: second && second !== modality ? [modality, second] : [modality],
      bodyParts: unknownOr(skewed(r, VOCAB.bodyPart)),
      manufacturers: [skewed(r, VOCAB.manufacturer)],
      viewPositions: unknownOr(modality === 'DX' || modality === 'CR' ? skewed(r, VOCAB.viewPosition.slice(1)) : 'unknown'),
      sliceThicknessBands: unknownOr(modality === 'CT' ? skewed(r, VOCAB.sliceThickness.slice(1)) : 'unknown'),
      ...(r() < 0.95 ? { sex: skewed(r, VOCAB.sex.slice(0, 3)) } : {}),
      ...(r() < 0.9 ? { age: Math.floor(r() * 90) } : {}),
      ...(r() < 0.85 ? { race: skewed(r, VOCAB.race.slice(0, 6)) } : {}),
      ...(r() < 0.85 ? { ethnicity: skewed(r, VOCAB.ethnicity.slice(0, 2)) } : {}),
      ...(r() < 0.9 ? { covid19: skewed(r, VOCAB.covid19.slice(0, 2)) } : {}),
      conditions: unknownOr(skewed(r, VOCAB.condition)),
      ...(r() < 0.9 ? { studyYear: 2018 + Math.floor(r() * 8) } : {}),
      ...(r() < 0.8 ? { description: skewed(r, DESCRIPTIONS) } : {}),
      publishedAt: new Date(start + Math.floor(r() * 5 * 365 * 86400) * 1000).toISOString(),
    };
  }
  return rows;
}

// Every facet but the project: a query is already scoped to the projects the caller may see.
const QUERY_FACETS: readonly FacetName[] = FACETS.filter((facet) => facet !== 'project');
const AGE_BAND_VALUES = ['0-17', '18-29', '30-39', '40-49', '50-64', '65-74', '75-84', '85+', 'unknown'];

function queries(count: number): SearchFilters[] {
  const r = rng(4242);
  return Array.from({ length: count }, () => {
    const chosen = [...QUERY_FACETS].sort(() => r() - 0.5).slice(0, FILTERED_FACETS);
    const facets: Partial<Record<FacetName, string[]>> = {};
    for (const facet of chosen) {
      const values = facet === 'ageBand' ? AGE_BAND_VALUES : VOCAB[facet as keyof typeof VOCAB];
      const n = 1 + Math.floor(r() * 3);
      // A researcher picks values for what they study, not by how common they are: uniform.
      facets[facet] = [...new Set(Array.from({ length: n }, () => values[Math.floor(r() * values.length)]!))];
    }
    return { facets };
  });
}

/** A researcher: every project but the sequestered one. */
const SCOPE = new Set(VOCAB.project.filter((p) => p !== 'sequestered-eval'));

// ---- SQLite --------------------------------------------------------------------------------------

const SQL_COLUMN: Record<Exclude<FacetName, 'modality' | 'release'>, string> = {
  project: 'project',
  site: 'site',
  bodyPart: 'body_part',
  sex: 'sex',
  ageBand: 'age_band',
  race: 'race',
  ethnicity: 'ethnicity',
  covid19: 'covid19',
  condition: 'condition',
  manufacturer: 'manufacturer',
  viewPosition: 'view_position',
  sliceThickness: 'slice_band',
};

const MODALITY_BIT = new Map(VOCAB.modality.map((m, i) => [m, 1 << i]));

function loadSqlite(rows: readonly StudyRow[]): DatabaseSync {
  // In memory, so neither engine reads a disk during the timed queries.
  const db = new DatabaseSync(':memory:');
  db.exec(`
    CREATE TABLE studies (id INTEGER PRIMARY KEY, uid TEXT NOT NULL, project TEXT, site TEXT, first_release INTEGER,
      modality_mask INTEGER, body_part TEXT, sex TEXT, age INTEGER, age_band TEXT, race TEXT, ethnicity TEXT, covid19 TEXT,
      condition TEXT, manufacturer TEXT, view_position TEXT, slice_band TEXT, study_year INTEGER, description TEXT, published_at INTEGER)`);
  const insert = db.prepare(`INSERT INTO studies VALUES (@id, @uid, @project, @site, @first_release, @modality_mask, @body_part, @sex,
    @age, @age_band, @race, @ethnicity, @covid19, @condition, @manufacturer, @view_position, @slice_band, @study_year, @description, @published_at)`);
  const one = (values: readonly string[]) => values[0] ?? 'unknown';
  db.exec('BEGIN');
  rows.forEach((row, id) => {
    insert.run({
      id,
      uid: row.studyUid,
      project: row.project,
      site: row.site,
      first_release: row.firstRelease ?? 0,
      modality_mask: row.modalities.reduce((mask, m) => mask | MODALITY_BIT.get(m)!, 0),
      body_part: one(row.bodyParts),
      sex: row.sex ?? 'unknown',
      age: row.age ?? null,
      age_band: ageBand(row.age),
      race: row.race ?? 'unknown',
      ethnicity: row.ethnicity ?? 'unknown',
      covid19: row.covid19 ?? 'unknown',
      condition: one(row.conditions ?? []),
      manufacturer: one(row.manufacturers),
      view_position: one(row.viewPositions),
      slice_band: one(row.sliceThicknessBands),
      study_year: row.studyYear ?? null,
      description: row.description ?? null,
      published_at: Math.floor(Date.parse(row.publishedAt) / 1000),
    });
  });
  db.exec('COMMIT');
  for (const column of [...Object.values(SQL_COLUMN), 'first_release']) db.exec(`CREATE INDEX studies_${column} ON studies (${column})`);
  db.exec('CREATE INDEX studies_page ON studies (published_at DESC, uid)');
  db.exec('ANALYZE');
  return db;
}

interface SqlAnswer {
  total: number;
  facets: Record<string, Record<string, number>>;
  page: string[];
}

/**
 * The relational answer: one COUNT, one GROUP BY per facet with that facet's own
 * filter left out, one ORDER BY ... LIMIT for the page. The multi-valued modality
 * is a bit mask (filter: mask & wanted != 0; counts: one SUM per bit), which is
 * faster in SQLite than a child table and a join.
 */
function sqliteSearch(db: DatabaseSync, filters: SearchFilters, statements: Map<string, StatementSync>): SqlAnswer {
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  const where = (exclude?: FacetName) => {
    const clauses = [`project IN (${[...SCOPE].map(() => '?').join(',')})`];
    const params: (string | number)[] = [...SCOPE];
    for (const [facet, values] of Object.entries(filters.facets ?? {}) as [FacetName, string[]][]) {
      if (facet === exclude || values.length === 0) continue;
      if (facet === 'modality') {
        clauses.push('(modality_mask & ?) != 0');
        params.push(values.reduce((mask, m) => mask | (MODALITY_BIT.get(m) ?? 0), 0));
      } else if (facet === 'release') {
        // A study is in release r when its first release is 1..r.
        clauses.push('first_release BETWEEN 1 AND ?');
        params.push(Math.max(...values.map(Number)));
      } else {
        clauses.push(`${SQL_COLUMN[facet]} IN (${values.map(() => '?').join(',')})`);
        params.push(...values);
      }
    }
    return { sql: clauses.join(' AND '), params };
  };
  const all = where();
  const total = (prepared(`SELECT COUNT(*) AS n FROM studies WHERE ${all.sql}`).get(...all.params) as { n: number }).n;
  const facets: Record<string, Record<string, number>> = {};
  for (const facet of FACETS) {
    const w = where(facet);
    let rows: { v: string | number; n: number }[];
    if (facet === 'modality') {
      const sums = VOCAB.modality.map((_m, i) => `SUM((modality_mask >> ${i}) & 1) AS m${i}`).join(', ');
      const got = prepared(`SELECT ${sums} FROM studies WHERE ${w.sql}`).get(...w.params) as Record<string, number | null>;
      rows = VOCAB.modality.map((m, i) => ({ v: m, n: got[`m${i}`] ?? 0 }));
    } else if (facet === 'release') {
      const byFirst = prepared(`SELECT first_release AS v, COUNT(*) AS n FROM studies WHERE ${w.sql} GROUP BY first_release`).all(
        ...w.params,
      ) as typeof rows;
      rows = VOCAB.release.map((r) => ({
        v: r,
        n: byFirst.filter((b) => Number(b.v) >= 1 && Number(b.v) <= Number(r)).reduce((s, b) => s + b.n, 0),
      }));
    } else {
      rows = prepared(`SELECT ${SQL_COLUMN[facet]} AS v, COUNT(*) AS n FROM studies WHERE ${w.sql} GROUP BY ${SQL_COLUMN[facet]}`).all(
        ...w.params,
      ) as typeof rows;
    }
    facets[facet] = Object.fromEntries(rows.filter((row) => row.n > 0).map((row) => [String(row.v), row.n]));
  }
  const page = (
    prepared(`SELECT uid FROM studies WHERE ${all.sql} ORDER BY published_at DESC, uid LIMIT ${PAGE}`).all(...all.params) as {
      uid: string;
    }[]
  ).map((p) => p.uid);
  return { total, facets, page };
}

// ---- run ------------------------------------------------------------------------------------------

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const ms = (n: number) => `${n.toFixed(2)} ms`;
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export async function run(): Promise<void> {
  let t = performance.now();
  const rows = generate(STUDIES);
  console.log(`generated ${STUDIES.toLocaleString('en-US')} studies in ${ms(performance.now() - t)}`);

  t = performance.now();
  const built = buildSnapshot(rows);
  const buildMs = performance.now() - t;
  t = performance.now();
  const stored = encodeSnapshot(built);
  const encodeMs = performance.now() - t;
  t = performance.now();
  const snapshot = decodeSnapshot(stored);
  const decodeMs = performance.now() - t;
  console.log(
    `snapshot: built in ${ms(buildMs)}, encoded in ${ms(encodeMs)} (${mib(stored.byteLength)} gzip), loaded in ${ms(decodeMs)}; in memory ${mib(snapshotBytes(snapshot))}`,
  );

  {
    t = performance.now();
    const db = loadSqlite(rows);
    console.log(`sqlite: loaded and indexed in ${ms(performance.now() - t)}`);

    const work = queries(QUERIES);
    // Warm both (JIT, page cache) on a few queries that are not timed.
    const statements = new Map<string, StatementSync>();
    for (const q of work.slice(0, 5)) {
      search(snapshot, q, { scope: SCOPE, limit: PAGE });
      sqliteSearch(db, q, statements);
    }

    const snapTimes: number[] = [];
    const sqlTimes: number[] = [];
    let matched = 0;
    for (const [i, q] of work.entries()) {
      let start = performance.now();
      const ours = search(snapshot, q, { scope: SCOPE, limit: PAGE });
      snapTimes.push(performance.now() - start);
      start = performance.now();
      const theirs = sqliteSearch(db, q, statements);
      sqlTimes.push(performance.now() - start);
      compare(i, ours, theirs);
      if (ours.total > 0) matched += 1;
      if ((i + 1) % 100 === 0) console.log(`  ${i + 1} queries compared`);
    }
    db.close();

    snapTimes.sort((a, b) => a - b);
    sqlTimes.sort((a, b) => a - b);
    const p50 = percentile(snapTimes, 50);
    const p99 = percentile(snapTimes, 99);
    const s50 = percentile(sqlTimes, 50);
    const s99 = percentile(sqlTimes, 99);
    console.log(
      `${QUERIES} queries (${FILTERED_FACETS} facet filters each, ${matched} with matches), every answer identical in both engines`,
    );
    console.log(`snapshot: p50 ${ms(p50)}  p99 ${ms(p99)}`);
    console.log(`sqlite:   p50 ${ms(s50)}  p99 ${ms(s99)}`);
    console.log(`ratio snapshot/sqlite: p50 ${(p50 / s50).toFixed(3)} (target <= 0.1)  p99 ${(p99 / s99).toFixed(3)}`);
    console.log(`snapshot memory ${mib(snapshotBytes(snapshot))} (target < 64 MiB)`);
  }
}

function compare(index: number, ours: ReturnType<typeof search>, theirs: SqlAnswer): void {
  const fail = (what: string) => {
    throw new Error(`query ${index}: the engines disagree on ${what}`);
  };
  if (ours.total !== theirs.total) fail('the total');
  for (const facet of FACETS) {
    const mine = Object.fromEntries(ours.facets[facet].map((c) => [c.value, c.count]));
    const other = theirs.facets[facet]!;
    const keys = new Set([...Object.keys(mine), ...Object.keys(other)]);
    for (const k of keys) if ((mine[k] ?? 0) !== (other[k] ?? 0)) fail(`facet ${facet}`);
  }
  if (ours.studies.map((s) => s.studyUid).join() !== theirs.page.join()) fail('the first page');
}
