import { Writable } from 'node:stream';
import { startBot } from '../src/app';
import { createLogger } from '../src/logger';
import { PersonalChat } from './support/chat';
import { ReplySink } from './support/replySink';
import { testConfig } from './support/bot';

/** No log line may carry what a person typed: a whole session 1, logged at the most verbose level. */
describe('logs from a full coaching walk-through', () => {
  it('contain ids, stages, levels and timings, never the person’s words', async () => {
    let logs = '';
    const logger = createLogger(
      'trace',
      new Writable({
        write(chunk, _encoding, done) {
          logs += chunk.toString();
          done();
        },
      }),
    );
    const sink = await new ReplySink().start();
    const bot = await startBot(testConfig(), logger, { outbox: { autoStart: false } });
    const said: string[] = [];
    try {
      const chat = new PersonalChat(bot.url, sink);
      const say = async (words: string) => {
        said.push(words);
        return chat.say(words);
      };
      await chat.startCoaching();
      for (const w of ['Quokka goal about rostering', 'Next few weeks', 'Because of the marmoset rota', 'A pangolin plan', 'Mongoose next step', 'Axolotl calm handovers', 'Narwhal evenings', 'The benefits outweigh the costs']) await say(w);
      let seen = await chat.say('where am I');
      seen = await chat.submit({ ...seen.card('scaling'), scale: 3 });
      for (const w of ['Wombat huddles', 'Okapi volunteering', 'Tapir audit talk', 'no', 'Capybara quiet weeks', 'Gecko patience', 'no', 'Ibis scouting', 'Lemur delegation', 'Meerkat manager', 'Sloth planning', 'Kiwi practice', 'Yes, I could', 'Dingo preceptor', 'Puffin calm'])
        seen = await say(w);
      const plan = 'Heron action with a date';
      said.push(plan, 'Bison obstacle', 'Walrus workaround');
      seen = await chat.submit({ ...seen.card('actionPlan'), action1: plan, byWhen1: '2027-02-01', obstacle1: 'Bison obstacle', overcome1: 'Walrus workaround' });
      seen = await chat.submit({ ...seen.card('scaling'), scale: 6 });
      seen = await say('Otter new goal');
      expect(seen.all).toMatch(/end of your first session/);

      expect(logs).toMatch(/"msg":"turn complete"/);
      for (const words of said) {
        for (const word of words.split(' ').filter((w) => w.length > 4 && /^[A-Z]/.test(w))) {
          expect({ word, found: logs.includes(word) }).toEqual({ word, found: false });
        }
      }
    } finally {
      await bot.stop();
      await sink.stop();
    }
  });
});
