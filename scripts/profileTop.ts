/**
 * Reads a V8 CPU profile (a .cpuprofile file, as `node --cpu-prof` or `npm run bench -- --profile DIR` write) and
 * prints where the time went: the top functions by self time and by inclusive time, and the self time of each
 * package (our own code by folder of src/, each library in node_modules by name, Node's own internals).
 *
 *   npm run build && node dist/scripts/profileTop.js FILE.cpuprofile [--top N] [--callers OWNER] [--json]
 *
 * Inclusive time counts a function once per sample even when it is on the stack more than once (recursion),
 * so a row never exceeds 100 %. `--callers OWNER` (a package such as luxon, or a folder such as src/safety) shows,
 * for the self time spent in that owner, the nearest function of ours (src/) on the stack that led there.
 * Only function names, files and times are printed.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: our folder under src/, a package of node_modules, node itself, or V8's own entries. */
export function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node';
  const ours = /\/dist\/((?:src|scripts)\/[^/]+)/.exec(url) ?? /\/((?:src|scripts)\/[^/]+)/.exec(url);
  if (ours) return ours[1]!.replace(/\.js$/, '');
  return url;
}

const frameName = (frame: CallFrame) => {
  const file = frame.url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, '').replace(/^file:\/\//, '');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
};

export interface ProfileSummary {
  totalMs: number;
  /** Time in samples that were not idle, garbage collection included. */
  busyMs: number;
  self: { name: string; owner: string; ms: number }[];
  inclusive: { name: string; owner: string; ms: number }[];
  owners: { owner: string; selfMs: number; inclusiveMs: number }[];
  /** With a callers owner: its self time by the nearest function of ours on the stack. */
  callers?: { name: string; ms: number }[];
}

export function summarise(profile: CpuProfile, callersOf?: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const sampleMs = new Map<number, number>();
  profile.samples.forEach((id, i) => sampleMs.set(id, (sampleMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));

  const self = new Map<string, { owner: string; ms: number }>();
  const inclusive = new Map<string, { owner: string; ms: number }>();
  const ownerSelf = new Map<string, number>();
  const ownerInclusive = new Map<string, number>();
  const callers = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, ms] of sampleMs) {
    totalMs += ms;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const name = frameName(node.callFrame);
    const owner = ownerOf(node.callFrame.url, node.callFrame.functionName);
    const row = self.get(name) ?? { owner, ms: 0 };
    row.ms += ms;
    self.set(name, row);
    ownerSelf.set(owner, (ownerSelf.get(owner) ?? 0) + ms);
    if (callersOf && owner === callersOf) {
      let caller = '(none of ours)';
      for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
        const frame = byId.get(at)!.callFrame;
        if (ownerOf(frame.url, frame.functionName).startsWith('src/')) {
          caller = frameName(frame);
          break;
        }
      }
      callers.set(caller, (callers.get(caller) ?? 0) + ms);
    }
    const seenNames = new Set<string>();
    const seenOwners = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      const n = frameName(frame);
      const o = ownerOf(frame.url, frame.functionName);
      if (!seenNames.has(n)) {
        seenNames.add(n);
        const r = inclusive.get(n) ?? { owner: o, ms: 0 };
        r.ms += ms;
        inclusive.set(n, r);
      }
      if (!seenOwners.has(o)) {
        seenOwners.add(o);
        ownerInclusive.set(o, (ownerInclusive.get(o) ?? 0) + ms);
      }
    }
  }
  const sorted = (m: Map<string, { owner: string; ms: number }>) =>
    [...m].map(([name, { owner, ms }]) => ({ name, owner, ms })).sort((a, b) => b.ms - a.ms);
  return {
    totalMs,
    busyMs: totalMs - idleMs,
    self: sorted(self),
    inclusive: sorted(inclusive).filter((r) => r.name !== '(root) :0'),
    owners: [...ownerSelf].map(([owner, selfMs]) => ({ owner, selfMs, inclusiveMs: ownerInclusive.get(owner) ?? 0 })).sort((a, b) => b.selfMs - a.selfMs),
    ...(callersOf ? { callers: [...callers].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms) } : {}),
  };
}

function main(): void {
  const argv = process.argv.slice(2);
  const file = argv.find((a, i) => !a.startsWith('--') && !['--top', '--callers'].includes(argv[i - 1] ?? ''));
  if (!file) throw new Error('usage: node dist/scripts/profileTop.js FILE.cpuprofile [--top N] [--json]');
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 25;
  const callersAt = argv.indexOf('--callers');
  const callersOf = callersAt >= 0 ? argv[callersAt + 1] : undefined;
  const summary = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, callersOf);
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ ...summary, self: summary.self.slice(0, top), inclusive: summary.inclusive.slice(0, top), callers: summary.callers?.slice(0, top) })}\n`);
    return;
  }
  const pct = (ms: number) => `${((100 * ms) / summary.busyMs).toFixed(1).padStart(5)} %`;
  const row = (ms: number, label: string) => console.log(`${ms.toFixed(0).padStart(8)} ms ${pct(ms)}  ${label}`);
  console.log(`${file}: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms busy (percentages are of busy time)`);
  if (summary.callers) {
    console.log(`\nSelf time in ${callersOf}, by the nearest function of ours on the stack:`);
    for (const c of summary.callers.slice(0, top)) row(c.ms, c.name);
    return;
  }
  console.log('\nSelf time by owner (inclusive in brackets):');
  for (const o of summary.owners.slice(0, top)) row(o.selfMs, `${o.owner} (${o.inclusiveMs.toFixed(0)} ms incl.)`);
  console.log('\nTop functions by self time:');
  for (const r of summary.self.slice(0, top)) row(r.ms, r.name);
  console.log('\nTop functions by inclusive time:');
  for (const r of summary.inclusive.slice(0, top)) row(r.ms, r.name);
}

if (require.main === module) main();
