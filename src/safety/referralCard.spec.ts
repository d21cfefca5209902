import { chatLink, describeShown, describeTrigger, listInWords, londonTime, referralCard, referralCardData } from './referralCard';
import type { Referral } from './referrals';

const referral = (overrides: Partial<Referral> = {}): Referral => ({
  id: '0123456789abcdef0123456789abcdef',
  docType: 'referral',
  tenantId: 'tenant-1',
  level: 'urgent',
  person: { userId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', teamsId: '29:abc', name: 'Alex Morgan' },
  trigger: { source: 'keywords', reasons: ['suicidal-ideation', 'self-harm'] },
  shown: ['crisis-signposting', 'wellbeing-service'],
  consented: false,
  conversationType: 'personal',
  createdAt: '2026-07-01T13:05:00.000Z',
  status: 'open',
  delivery: { state: 'pending', attempts: 0, nextAttemptAt: '2026-07-01T13:05:00.000Z', reposts: 0 },
  audit: [],
  ...overrides,
});

/** Every string in the rendered card, to check nothing was left unexpanded. */
function strings(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(strings);
  if (node && typeof node === 'object') return Object.values(node).flatMap(strings);
  return [];
}

describe('the referral card', () => {
  it('puts keyword categories and check-in items into plain words, with a fallback for codes it does not know', () => {
    expect(describeTrigger('suicidal-ideation')).toBe('thoughts of suicide');
    expect(describeTrigger('harm-self', 'checkIn')).toBe('thoughts of being better off dead or of hurting themselves');
    expect(describeTrigger('harm-others', 'checkIn')).toBe('thoughts of harming someone else');
    expect(describeTrigger('harm-to-others')).toBe('thoughts of harming someone else');
    expect(describeTrigger('phq4-depression', 'checkIn')).toMatch(/feeling down or having little interest/);
    expect(describeTrigger('severe-distress', 'checkIn')).toBe('a very high distress score on the check-in');
    expect(describeTrigger('severe-distress', 'keywords')).toBe('severe distress or hopelessness');
    expect(describeTrigger('stress')).toBe('stress');
    expect(describeTrigger('new-category_2')).toBe('new category 2');
    expect(describeTrigger('<b>')).toBe('b');
    expect(describeTrigger('---')).toBe('another concern');
    expect(describeShown('crisis-signposting')).toMatch(/crisis and support contacts/);
    expect(describeShown('wellbeing-service')).toBe('details of the Stress Support and Wellbeing service');
    expect(listInWords(['a', 'b', 'c', 'b'])).toBe('a, b and c');
  });

  it('gives times in UK time, summer and winter', () => {
    expect(londonTime('2026-07-01T13:05:00.000Z')).toBe('Wednesday 1 July 2026 at 14:05');
    expect(londonTime('2026-01-14T09:30:00.000Z')).toBe('Wednesday 14 January 2026 at 09:30');
  });

  it('links to a 1:1 chat by Entra object id, encoded, and only for an object id', () => {
    expect(chatLink('6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b')).toBe('https://teams.microsoft.com/l/chat/0/0?users=8%3Aorgid%3A6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b');
    expect(chatLink('29:abc')).toBeUndefined();
    expect(chatLink('6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b&users=evil')).toBeUndefined();
  });

  it('renders an open urgent referral with a chat link and an Acknowledge button with a Submit fallback', () => {
    const card = referralCard(referral()).content;
    expect(card.version).toBe('1.5');
    expect(strings(card).join('\n')).not.toContain('${');
    expect(strings(card)).toEqual(
      expect.arrayContaining([
        'Urgent referral',
        'Alex Morgan',
        'Wednesday 1 July 2026 at 14:05 (UK time)',
        'thoughts of suicide and thoughts, urges or acts of self-harm',
        'Not asked: urgent concerns are always passed on to a service lead',
      ]),
    );
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Chat with Alex Morgan', url: chatLink(referral().person.userId) },
      {
        type: 'Action.Execute',
        title: 'Acknowledge',
        verb: 'acknowledge',
        style: 'positive',
        data: { card: 'referral', referralId: referral().id },
        fallback: { type: 'Action.Submit', title: 'Acknowledge', data: { card: 'referral', verb: 'acknowledge', referralId: referral().id } },
      },
    ]);
    expect(strings(card).some((s) => s.startsWith('Acknowledged by'))).toBe(false);
    expect(strings(card).some((s) => s.includes('They also said') || s.startsWith('Reminder'))).toBe(false);
  });

  it('renders a wellbeing referral with consent and the person saying the bot misunderstood', () => {
    const data = referralCardData(referral({ level: 'wellbeing', consented: true, personSaid: 'misunderstood', trigger: { source: 'checkIn', reasons: ['phq4-total'] } }));
    expect(data).toMatchObject({ heading: 'Wellbeing referral', style: 'warning', consent: 'Yes, they agreed to this referral', personSaid: 'That the bot misunderstood what they meant' });
    expect(strings(referralCard(referral({ personSaid: 'misunderstood' })).content)).toContain('They also said');
  });

  it('shows who acknowledged it and when, and no Acknowledge button, once acknowledged', () => {
    const card = referralCard(
      referral({ status: 'acknowledged', acknowledged: { by: 'lead-id', byName: 'Priya Shah', at: '2026-07-01T13:20:00.000Z' } }),
      { reminder: true },
    ).content;
    expect(strings(card)).toContain('Acknowledged by Priya Shah at 14:20 on Wednesday 1 July 2026');
    expect(card.actions.map((a: { type: string }) => a.type)).toEqual(['Action.OpenUrl']);
    expect(strings(card).some((s) => s.startsWith('Reminder'))).toBe(false);
  });

  it('marks a repeat post as a reminder', () => {
    expect(strings(referralCard(referral(), { reminder: true }).content)).toContain(
      'Reminder: nobody has acknowledged this yet. It was first raised on Wednesday 1 July 2026 at 14:05.',
    );
  });

  it('has no chat button without an Entra object id', () => {
    const card = referralCard(referral({ person: { userId: '29:xyz', teamsId: '29:xyz', name: '' } })).content;
    expect(card.actions.map((a: { type: string }) => a.type)).toEqual(['Action.Execute']);
    expect(strings(card)).toContain('A member of staff');
  });
});
