import { parseCommand } from './commands';

describe('parseCommand', () => {
  it.each([
    ['help', 'help'],
    ['?', 'help'],
    ['  Where am I? ', 'whereAmI'],
    ['MY PLAN', 'myPlan'],
    ['/start coaching', 'startCoaching'],
    ["I'm not OK", 'support'],
    ['Not OK right now', 'support'],
    ['start again!', 'startAgain'],
  ])('reads %j as %s', (text, command) => expect(parseCommand(text)).toBe(command));

  it.each(['', '   ', '!!', 'I would like help with my rota', 'my plan is to speak up'])('does not read %j as a command', (text) =>
    expect(parseCommand(text)).toBeUndefined(),
  );
});
