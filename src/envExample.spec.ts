import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, settingNames } from './config';

describe('.env.example', () => {
  const text = readFileSync(path.resolve(__dirname, '..', '.env.example'), 'utf8');
  const entries = text
    .split('\n')
    .filter((line) => /^[A-Za-z_]+=/.test(line))
    .map((line) => line.split('=')[0]!);

  it('lists every setting the bot reads, and nothing else', () => {
    expect([...entries].sort()).toEqual([...settingNames].sort());
  });

  it('holds values the bot accepts as they stand', () => {
    const env = Object.fromEntries(text.split('\n').filter((l) => /^[A-Za-z_]+=/.test(l)).map((l) => l.split(/=(.*)/s).slice(0, 2)));
    expect(() => loadConfig(env)).not.toThrow();
  });
});
