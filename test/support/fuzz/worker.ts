/** A fuzz worker process: runs the cases its parent sends (one at a time) and answers with each outcome and its memory. */
import { fuzzSeeds, runCase } from './cases';

interface Task {
  runSeed: number;
  index: number;
}

fuzzSeeds();
process.on('message', (task: Task) => {
  const outcome = runCase(task.runSeed, task.index);
  process.send?.({ outcome, rss: process.memoryUsage().rss });
});
process.send?.({ ready: true });
