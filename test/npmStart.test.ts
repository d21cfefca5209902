import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { cardText, ReplySink } from './support/replySink';
import { tempDataDir } from './support/bot';
import { newUser, personalConversationId, post, teamsMessage } from './support/teams';

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist', 'src', 'index.js');

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  startupMs: number;
  output: () => string;
}

/** Starts what `npm start` runs (the built bot) and waits for its "listening" log line. */
function startBuiltBot(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--no-deprecation', entry], { env: { ...process.env, ...env }, cwd: root });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bot did not start:\n${output}`)), 20_000);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      for (const line of output.split('\n')) {
        if (!line.includes('"bot listening"')) continue;
        const { url, startupMs } = JSON.parse(line);
        clearTimeout(timer);
        resolve({ child, url, startupMs, output: () => output });
        return;
      }
    });
    child.once('exit', (code) => reject(new Error(`bot exited with ${code}:\n${output}`)));
  });
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));

describe('npm start (the built bot as App Service runs it)', () => {
  beforeAll(() => {
    if (!existsSync(entry)) throw new Error('dist/ is missing: npm test builds it before jest runs');
  });

  it('serves /healthz, answers through the serviceUrl like Teams, and shuts down cleanly on SIGTERM', async () => {
    const sink = await new ReplySink().start();
    const dataDir = tempDataDir();
    const bot = await startBuiltBot({ PORT: '0', LOCAL_DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    try {
      expect(bot.output()).toContain('LOCAL UNAUTHENTICATED MODE');
      const health = await fetch(`${bot.url}/healthz`);
      expect(health.status).toBe(200);

      const conversation = personalConversationId();
      const user = newUser();
      const secret = 'my private words about my manager';
      expect((await post(bot.url, teamsMessage(sink.url, conversation, user, secret))).status).toBe(200);
      expect((await post(bot.url, teamsMessage(sink.url, conversation, user, 'help'))).status).toBe(200);
      const replies = sink.replies.filter((r) => r.conversationId === conversation);
      expect(replies.every((r) => r.replyToId !== undefined)).toBe(true);
      expect(cardText(sink.messagesTo(conversation)[0]!)).toMatch(/Welcome to staff coaching/);
      expect(sink.messagesTo(conversation).some((a) => /type these words at any time/.test(a.text ?? ''))).toBe(true);

      bot.child.kill('SIGTERM');
      expect(await exited(bot.child)).toBe(0);
      expect(existsSync(path.join(dataDir, 'cosmos-snapshot.json'))).toBe(true);
      expect(bot.output()).not.toContain(secret);
      process.stdout.write(`start-up to listening: ${bot.startupMs} ms\n`);
    } finally {
      bot.child.kill('SIGKILL');
      await sink.stop();
    }
  });

  it('stops with one line naming the setting when configuration is invalid', async () => {
    const child = spawn(process.execPath, ['--no-deprecation', entry], { env: { ...process.env, PORT: 'eighty' }, cwd: root });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    expect(await exited(child)).toBe(1);
    expect(stderr.trim()).toBe('Configuration error: PORT must be a whole number between 0 and 65535 (got "eighty")');
  });

  it('refuses to start in production without credentials', async () => {
    const child = spawn(process.execPath, ['--no-deprecation', entry], { env: { ...process.env, NODE_ENV: 'production', MicrosoftAppId: '' }, cwd: root });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    expect(await exited(child)).toBe(1);
    expect(stderr).toMatch(/^Configuration error: MicrosoftAppId is required when NODE_ENV=production/);
  });
});
