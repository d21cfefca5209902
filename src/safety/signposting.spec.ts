import { crisisContacts, signposting } from './signposting';

describe('signposting', () => {
  const nations = ['england', 'scotland', 'wales', 'northern-ireland'] as const;

  it.each(nations)('%s has a domestic abuse helpline for someone in danger from another person', (nation) => {
    const forDanger = signposting.nations[nation].filter((c) => c.for?.includes('danger-from-others'));
    expect(forDanger).toHaveLength(1);
    expect(forDanger[0]!.how).toMatch(/^Call 0800|^Call 0808/);
  });

  it.each(nations)('%s: with the danger reason its helpline comes straight after emergency services, nothing lost', (nation) => {
    const plain = crisisContacts(nation);
    const forDanger = crisisContacts(nation, ['danger-from-others']);
    expect(plain[0]!.name).toBe('Emergency services');
    expect(forDanger[0]!.name).toBe('Emergency services');
    expect(forDanger[1]!.for).toEqual(['danger-from-others']);
    expect([...forDanger].sort((a, b) => a.name.localeCompare(b.name))).toEqual([...plain].sort((a, b) => a.name.localeCompare(b.name)));
  });

  it('other reasons keep the file order', () => {
    expect(crisisContacts('england', ['suicidal-ideation'])).toEqual(signposting.nations.england);
  });
});
