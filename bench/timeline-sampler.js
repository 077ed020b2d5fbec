/**
 * The sampling half of the ingest bench's timeline (bench/timeline.ts; HILUM_BENCH_TIMELINE=<folder>): a process
 * of its own, so that reading /proc does not take the commons' main thread. Every `intervalMs` it reads the
 * scheduler's figures of every thread of the bench's process tree (the commons, DynamoDB Local's JVM, the
 * `hilum upload` child and its threads): /proc/<pid>/task/<tid>/schedstat holds the nanoseconds a thread ran and
 * the nanoseconds it waited runnable for a core. Ran + waited is what the tree asked of the cores, which the other
 * processes of a shared machine do not change (they change how it splits between the two); an interval in which it
 * asked less than the machine's cores is time those cores idled on an idle machine.
 *
 * Usage: node bench/timeline-sampler.js <root pid> <out.jsonl> [intervalMs]. One JSON line per interval:
 * { t (epoch ms, performance.timeOrigin + now), threads: [[pid, tid, comm, ranNs, waitedNs]] } for the threads that
 * ran or waited in it. Ends on SIGTERM or when the root process is gone.
 */
'use strict';
const { readdirSync, readFileSync, writeSync, openSync, closeSync } = require('node:fs');

const [rootPid, out, intervalArg] = process.argv.slice(2);
const intervalMs = Number(intervalArg ?? 50);
const fd = openSync(out, 'w');
/** Per "pid/tid": the last ran and waited nanoseconds. */
const last = new Map();

function childrenOf(pid) {
  const kids = [];
  let tids = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return kids;
  }
  for (const tid of tids) {
    try {
      for (const kid of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ')) if (kid.trim()) kids.push(kid.trim());
    } catch {
      // the thread ended
    }
  }
  return kids;
}

function tree(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i += 1) pids.push(...childrenOf(pids[i]));
  return pids.filter((p) => p !== String(process.pid));
}

function sample() {
  const t = performance.timeOrigin + performance.now();
  const threads = [];
  for (const pid of tree(rootPid)) {
    let tids = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const [ran, waited] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ').map(Number);
        const key = `${pid}/${tid}`;
        const before = last.get(key);
        last.set(key, [ran, waited]);
        if (!before) continue;
        const dRan = ran - before[0];
        const dWaited = waited - before[1];
        if (dRan === 0 && dWaited === 0) continue;
        const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'latin1').trim();
        threads.push([Number(pid), Number(tid), comm, dRan, dWaited]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  writeSync(fd, JSON.stringify({ t, threads }) + '\n');
}

const timer = setInterval(() => {
  try {
    process.kill(Number(rootPid), 0);
  } catch {
    stop();
  }
  sample();
}, intervalMs);

function stop() {
  clearInterval(timer);
  closeSync(fd);
  process.exit(0);
}
process.on('SIGTERM', stop);
