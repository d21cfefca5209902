import { startBot } from '../src/app';
import { PersonalChat } from './support/chat';
import { ReplySink } from './support/replySink';
import { silentLogger, testConfig } from './support/bot';

/** One person flooding the bot is slowed politely; others are not; risk always gets through. */
describe('flood protection', () => {
  it('slows one person down after the limit, leaves others alone, and never holds back an urgent message', async () => {
    const sink = await new ReplySink().start();
    const bot = await startBot(testConfig({ MESSAGES_PER_MINUTE_PER_PERSON: '5' }), silentLogger, { outbox: { autoStart: false } });
    try {
      const flooder = new PersonalChat(bot.url, sink);
      const replies: string[] = [];
      for (let i = 0; i < 8; i += 1) replies.push((await flooder.say('help')).all);
      expect(replies.slice(0, 5).every((r) => /type these words at any time/.test(r))).toBe(true);
      expect(replies[5]).toMatch(/You're sending messages faster than I can keep up with/);
      expect(replies.slice(6)).toEqual(['', '']);

      const someoneElse = new PersonalChat(bot.url, sink);
      expect((await someoneElse.say('help')).all).toMatch(/type these words at any time/);

      const urgent = await flooder.say('I am going to kill myself tonight');
      expect(urgent.all).toMatch(/Are you safe right now\?/);
    } finally {
      await bot.stop();
      await sink.stop();
    }
  });
});
