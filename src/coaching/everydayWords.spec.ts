import { everydayWords } from './everydayWords';

describe('the small things people type', () => {
  it.each([
    ['not yet', 'notYet'],
    ['Later', 'later'],
    ['maybe next week', 'later'],
    ['Thanks!', 'thanks'],
    ['thank you so much', 'thanks'],
    ['bye', 'bye'],
    ['OK', 'ok'],
    ['okay.', 'ok'],
    ['what?', 'explain'],
    ['Sorry?', 'explain'],
    ["I don't understand", 'explain'],
    ['I don’t understand', 'explain'],
    ['can you explain?', 'explain'],
    ['Can you explain please', 'explain'],
    ['skip', 'skip'],
    ['Skip this one please', 'skip'],
    ['go back', 'back'],
    ['Go back!', 'back'],
  ])('reads "%s" as %s', (text, kind) => {
    expect(everydayWords(text)).toBe(kind);
  });

  it.each(['ok so my goal is to lead handover', 'thanks to my team I stayed calm', 'later shifts are harder', 'I want to go back to studying', 'skip lunch less often', 'no', '5', ''])(
    'leaves "%s" as an answer',
    (text) => {
      expect(everydayWords(text)).toBeUndefined();
    },
  );
});
