/**
 * CPU per turn of two builds of the coaching bot and the echo bot, all three driven at the same time, so that a
 * change's effect is not lost in the load of a shared machine (which moves `npm run bench`'s figures by a third
 * between runs, as coaching and echo are measured minutes apart there, and even between back-to-back blocks of
 * ten seconds).
 *
 *   npm run build && node dist/scripts/benchCompare.js [--before DIST] [--after DIST] [--cycles N] [--users U] [--rounds R] [--json]
 *
 * `--before` and `--after` are build folders (`dist` by default for both): another commit's is its dist/ inside a copy
 * of the repository at that commit, with cards/ and a node_modules beside it as here (git archive, a symlink to
 * node_modules, then tsc -p tsconfig.build.json). The bots run against one store process. In each cycle every bot
 * gets the same walks of session 1 (`users` people × `rounds` walks, back to back) at the same time as the others,
 * so each turn of each bot meets the same machine. A build's bench.js needs only the workers' mark and report.
 * Turns/s and latency mean nothing here (the bots share the cores); CPU per turn is each worker's own. Printed: each
 * bot's CPU per turn in every cycle and its median, the median per-cycle ratio to the echo bot, the median per-cycle
 * ratio after/before, and store round trips per turn. The workers are scripts/bench.ts's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { args, load, round, Sink, startWorker, stopWorker, whole, type Worker } from './bench';

interface Bot {
  name: 'before' | 'after' | 'echo';
  worker: Worker;
  cpuMsPerTurn: number[];
  roundTripsPerTurn: number[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<void> {
  const opts = args(process.argv.slice(2));
  const cycles = whole(opts.cycles, 6, 'cycles');
  const users = whole(opts.users, 10, 'users');
  const rounds = whole(opts.rounds, 1, 'rounds');
  const json = opts.json === 'true';
  const here = path.resolve(__dirname, '..');
  const benchOf = (dist: string | undefined) => path.join(dist ? path.resolve(dist) : here, 'scripts', 'bench.js');
  const log = (line: string) => {
    if (!json) process.stderr.write(`${line}\n`);
  };
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coaching-compare-'));
    dirs.push(dir);
    return dir;
  };

  const sink = new Sink();
  await sink.start();
  const store = await startWorker('store', {});
  const bots: Bot[] = [];
  try {
    const tls = { NODE_TLS_REJECT_UNAUTHORIZED: '0', NODE_NO_WARNINGS: '1' };
    const coaching = (script: string) => startWorker('coaching', { dataDir: dataDir(), endpoint: store.ready.endpoint!, key: store.ready.key! }, tls, script);
    bots.push({ name: 'before', worker: await coaching(benchOf(opts.before)), cpuMsPerTurn: [], roundTripsPerTurn: [] });
    bots.push({ name: 'after', worker: await coaching(benchOf(opts.after)), cpuMsPerTurn: [], roundTripsPerTurn: [] });
    bots.push({ name: 'echo', worker: await startWorker('echo', { dataDir: dataDir() }, {}, benchOf(opts.after)), cpuMsPerTurn: [], roundTripsPerTurn: [] });

    log(`warm-up: 4 walks each`);
    for (const bot of bots) {
      const warm = await load(bot.worker.ready.url!, sink, 4, 1, bot.name !== 'echo');
      if (warm.failures.length > 0) throw new Error(`${bot.name} warm-up failed: ${warm.failures.slice(0, 3).join('; ')}`);
    }
    for (let cycle = 0; cycle < cycles; cycle++) {
      log(`cycle ${cycle + 1} of ${cycles}`);
      await Promise.all(
        bots.map(async (bot) => {
          await bot.worker.call('mark');
          const run = await load(bot.worker.ready.url!, sink, users, rounds, bot.name !== 'echo');
          const report = await bot.worker.call('report');
          if (run.failures.length > 0) throw new Error(`${bot.name}: ${run.failures.slice(0, 3).join('; ')}`);
          const turns = run.latencies.length;
          bot.cpuMsPerTurn.push(report.cpuMs / turns);
          const counts = report.counts as Record<string, number>;
          bot.roundTripsPerTurn.push(Object.values(counts).reduce((a, b) => a + b, 0) / turns);
        }),
      );
    }
  } finally {
    for (const bot of bots) await stopWorker(bot.worker);
    await stopWorker(store);
    await sink.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }

  const [before, after, echo] = bots as [Bot, Bot, Bot];
  const ratios = (a: Bot, b: Bot) => a.cpuMsPerTurn.map((v, i) => v / b.cpuMsPerTurn[i]!);
  const result = {
    cycles,
    turnsPerBotPerCycle: users * rounds * 29,
    cpuMsPerTurn: Object.fromEntries(bots.map((b) => [b.name, { median: round(median(b.cpuMsPerTurn), 2), cycles: b.cpuMsPerTurn.map((v) => round(v, 2)) }])),
    toEcho: { before: round(median(ratios(before, echo)), 2), after: round(median(ratios(after, echo)), 2) },
    afterToBefore: { median: round(median(ratios(after, before)), 3), cycles: ratios(after, before).map((v) => round(v, 3)) },
    storeRoundTripsPerTurn: { before: round(median(before.roundTripsPerTurn), 2), after: round(median(after.roundTripsPerTurn), 2) },
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  console.log(`CPU per turn, ${cycles} cycles, the bots driven at the same time, about ${result.turnsPerBotPerCycle} turns per bot (ms):`);
  for (const bot of bots) console.log(`  ${bot.name.padEnd(8)} median ${String(result.cpuMsPerTurn[bot.name]!.median).padStart(6)}   cycles ${result.cpuMsPerTurn[bot.name]!.cycles.join(' ')}`);
  console.log(`Median per-cycle ratio to echo: before ${result.toEcho.before}, after ${result.toEcho.after}`);
  console.log(`Median per-cycle ratio after / before: ${result.afterToBefore.median} (cycles ${result.afterToBefore.cycles.join(' ')})`);
  console.log(`Store round trips per turn: before ${result.storeRoundTripsPerTurn.before}, after ${result.storeRoundTripsPerTurn.after}`);
}

main().catch((err) => {
  process.stderr.write(`benchCompare failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
