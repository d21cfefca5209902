import { recogniseChoice, type ChoiceOption } from '../turn/choices';

const safeNow: ChoiceOption<'yes' | 'no'>[] = [
  { title: "Yes, I'm safe right now", value: 'yes', words: ['yes', 'safe'] },
  { title: "No, I'm not safe", value: 'no', words: ['no', 'not safe'] },
];

describe('recogniseChoice', () => {
  it('takes a tap (the title), a listed word, or the start of a title', () => {
    expect(recogniseChoice("Yes, I'm safe right now", safeNow)).toBe('yes');
    expect(recogniseChoice('no', safeNow)).toBe('no');
    expect(recogniseChoice('not safe at all', safeNow)).toBe('no');
    expect(recogniseChoice('Yes, I', safeNow)).toBe('yes');
  });

  it('does not read a longer sentence that merely begins with yes or no as the answer', () => {
    expect(recogniseChoice('yes, delete my data', safeNow)).toBeUndefined();
    expect(recogniseChoice('no idea what to do', safeNow)).toBeUndefined();
    expect(recogniseChoice('', safeNow)).toBeUndefined();
  });
});
