import fc from 'fast-check';
import { checkInSubmission, scoreCheckIn, type CheckInAnswers } from './checkIn';

const answers = (over: Partial<Record<keyof CheckInAnswers, unknown>> = {}) =>
  checkInSubmission.parse({ card: 'checkIn', questionId: 'q', nervous: '0', worrying: '0', littleInterest: '0', down: '0', harmSelf: '0', harmOthers: 'no', ...over });

describe('scoreCheckIn', () => {
  it('flags nothing when every answer is "not at all" and "no"', () => {
    expect(scoreCheckIn(answers())).toEqual({ level: 'none', reasons: [] });
  });

  it('is urgent on any answer other than "not at all" to the self-harm question, whatever the rest', () => {
    expect(scoreCheckIn(answers({ harmSelf: '1' }))).toEqual({ level: 'urgent', reasons: ['harm-self'] });
  });

  it('is urgent on yes to thoughts of harming someone else', () => {
    expect(scoreCheckIn(answers({ harmOthers: 'yes' }))).toEqual({ level: 'urgent', reasons: ['harm-others'] });
  });

  it('routes an anxiety or depression subscale of 3 or more to the wellbeing service', () => {
    expect(scoreCheckIn(answers({ nervous: '2', worrying: '1' }))).toEqual({ level: 'wellbeing', reasons: ['phq4-anxiety'] });
    expect(scoreCheckIn(answers({ littleInterest: '1', down: '2' }))).toEqual({ level: 'wellbeing', reasons: ['phq4-depression'] });
    expect(scoreCheckIn(answers({ nervous: '1', worrying: '1', littleInterest: '1', down: '1' })).level).toBe('none');
  });

  it('treats a severe total (9 or more) as severe distress: urgent', () => {
    expect(scoreCheckIn(answers({ nervous: '3', worrying: '2', littleInterest: '2', down: '2' }))).toEqual({ level: 'urgent', reasons: ['severe-distress'] });
  });

  it('never lowers the level when any answer goes up (scores only route towards help)', () => {
    const item = fc.constantFrom('0', '1', '2', '3');
    const rank = { none: 0, wellbeing: 1, urgent: 2 };
    fc.assert(
      fc.property(fc.tuple(item, item, item, item, item), fc.constantFrom('nervous', 'worrying', 'littleInterest', 'down', 'harmSelf'), ([a, b, c, d, e], key) => {
        const base = answers({ nervous: a, worrying: b, littleInterest: c, down: d, harmSelf: e });
        const higher = { ...base, [key]: Math.min(3, (base[key as keyof CheckInAnswers] as number) + 1) } as CheckInAnswers;
        expect(rank[scoreCheckIn(higher).level]).toBeGreaterThanOrEqual(rank[scoreCheckIn(base).level]);
      }),
    );
  });

  it('refuses an incomplete or out-of-range submission', () => {
    expect(checkInSubmission.safeParse({ card: 'checkIn', questionId: 'q', nervous: '0' }).success).toBe(false);
    expect(() => answers({ down: '4' })).toThrow();
  });
});
