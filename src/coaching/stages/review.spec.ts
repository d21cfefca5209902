import type { Programme, SessionRecord } from '../programme';
import { reviewCardData, sameWords } from './review';

const session = (number: 1 | 2, parts: Partial<SessionRecord>): SessionRecord => ({ number, startedAt: '2026-01-05T09:00:00Z', stage: 'review', ...parts });

describe('the final review', () => {
  const programme: Programme = {
    startedAt: '2026-01-05T09:00:00Z',
    current: 2,
    sessions: {
      '1': session(1, {
        goal: { text: 'Get a clinical educator role' },
        personalSuccess: { strengths: ['Patient'], pastSuccesses: ['I ran the flu clinic'], exceptions: 'Quiet weeks were easier' },
        scaling: { whyNotLower: 'I turn up and try' },
        acknowledgement: { resources: 'My union rep' },
        othersSuccess: { roleModels: 'My team leader' },
        actionPlan: { actions: [{ what: 'Book a meeting' }], obstacles: [{ obstacle: 'No time', overcome: 'Block it in my diary' }], updatedAt: '' },
      }),
      '2': session(2, {
        goal: { text: 'get a clinical educator role.' },
        personalSuccess: { strengths: ['patient!', 'Organised'], pastSuccesses: ['I ran the flu clinic.'], exceptions: 'quiet weeks were easier' },
        scaling: { whyNotLower: 'I turn up and try' },
        acknowledgement: { resources: 'My union rep' },
        othersSuccess: { roleModels: 'my team leader' },
        actionPlan: {
          actions: [{ what: 'Ask the practice educator', byWhen: '2027-01-15' }, { what: 'ask the practice educator.', byWhen: '2027-01-15' }],
          obstacles: [
            { obstacle: 'No time', overcome: 'Block it in my diary' },
            { obstacle: 'No time.', overcome: 'block it in my diary' },
            { obstacle: 'No time', overcome: 'Block it in my diary!' },
          ],
          updatedAt: '',
        },
      }),
    },
  };

  it('lists each thing once, in the words first used, ignoring case and punctuation', () => {
    const card = reviewCardData(programme, true);
    expect(card.goals).toEqual([{ label: 'Your goal', text: 'Get a clinical educator role' }]);
    expect(card.strengths.split('\n\n')).toEqual(['Patient', 'Organised']);
    expect(card.successes.split('\n\n')).toEqual(['I ran the flu clinic', 'Quiet weeks were easier', 'I turn up and try']);
    expect(card.resources).toBe('My union rep');
    expect(card.roleModels).toBe('My team leader');
    expect(card.actions).toEqual([{ what: 'Ask the practice educator', byWhen: 'By Friday 15 January' }]);
    expect(card.obstacles).toEqual([{ obstacle: 'No time', overcome: 'Block it in my diary' }]);
    expect(card.planHeading).toBe('Your action plan');
  });

  it('says which session the plan is from when the latest session has none', () => {
    const { actionPlan: _none, ...withoutPlan } = programme.sessions['2']!;
    const card = reviewCardData({ ...programme, sessions: { ...programme.sessions, '2': withoutPlan } }, true);
    expect(card.planHeading).toBe('Your action plan (from session 1)');
    expect(card.actions).toEqual([{ what: 'Book a meeting', byWhen: 'No date yet' }]);
  });

  it('compares words, not case, punctuation or spacing', () => {
    expect(sameWords('  Calm — under   PRESSURE!! ')).toBe(sameWords('calm under pressure'));
    expect(sameWords('Calm under pressure')).not.toBe(sameWords('Calm under more pressure'));
  });
});
