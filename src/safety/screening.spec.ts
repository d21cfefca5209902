import fc from 'fast-check';
import {
  lexiconReviewDate,
  lexiconReviewOverdue,
  lexiconVersion,
  normaliseForScreening,
  screenText,
  screeningReasonCodes,
  type RiskLevel,
} from './screening';
import { rulesLevelOf } from './screenMessage';

const RANK: Record<RiskLevel, number> = { none: 0, wellbeing: 1, urgent: 2 };
const level = (text: string): RiskLevel => screenText(text).level;
const norm = (text: string): string => normaliseForScreening(text).join(' | ');

describe('lexicon', () => {
  it('is versioned with a review date about six months ahead', () => {
    expect(lexiconVersion).toMatch(/^\d{4}\.\d+\.\d+$/);
    expect(lexiconReviewDate).toBe('2027-05-24');
    expect(lexiconReviewOverdue(new Date('2026-11-24T12:00:00Z'))).toBe(false);
    expect(lexiconReviewOverdue(new Date('2027-06-01T12:00:00Z'))).toBe(true);
  });

  it('exposes the reason codes, most severe first', () => {
    expect(screeningReasonCodes.slice(0, 5)).toEqual([
      'immediate-danger',
      'suicidal-ideation',
      'self-harm',
      'harm-to-others',
      'danger-from-others',
    ]);
    expect(screeningReasonCodes[5]).toBe('severe-distress');
    for (const c of ['stress', 'anxiety', 'burnout', 'panic', 'low-mood', 'sleep']) expect(screeningReasonCodes).toContain(c);
  });

  describe('a bad edit stops start-up (validated when the module loads)', () => {
    const loadWith = (edit: (lexicon: Record<string, unknown>) => void): unknown => {
      const good = JSON.parse(JSON.stringify(require('./lexicon.json'))) as Record<string, unknown>;
      edit(good);
      let thrown: unknown;
      jest.isolateModules(() => {
        jest.doMock('./lexicon.json', () => good);
        try {
          require('./screening');
        } catch (e) {
          thrown = e;
        }
      });
      jest.dontMock('./lexicon.json');
      return thrown;
    };

    it('loads the real lexicon', () => {
      expect(loadWith(() => undefined)).toBeUndefined();
    });
    it('rejects a missing review date', () => {
      expect(loadWith((l) => delete l.reviewDate)).toBeDefined();
    });
    it('rejects an unknown field (typo in a key)', () => {
      expect(loadWith((l) => (l.idiom = []))).toBeDefined();
    });
    it('rejects a phrase naming a slot that does not exist, and a slot word with choices in it', () => {
      const firstEntry = (l: any) => l.categories[0].entries[0];
      expect(loadWith((l) => firstEntry(l).phrases.push('stockpiling my {medicines}'))).toBeDefined();
      expect(loadWith((l: any) => l.slots.classes.medicine.push('(pills|tabs)'))).toBeDefined();
    });
    it('rejects a phrase with broken syntax', () => {
      expect(
        loadWith((l) => {
          const cats = l.categories as Array<{ entries: Array<{ phrases: string[] }> }>;
          cats[0]!.entries[0]!.phrases.push('(want to die');
        }),
      ).toBeDefined();
    });
    it('rejects "requires" naming a category that does not exist', () => {
      expect(
        loadWith((l) => {
          const cats = l.categories as Array<{ entries: Array<{ requires?: string[] }> }>;
          cats[0]!.entries[0]!.requires = ['no-such-category'];
        }),
      ).toBeDefined();
    });
  });
});

describe('normalisation', () => {
  it.each([
    ['case and punctuation', 'I WANT TO DIE!!!', 'i want to die'],
    ['curly quotes', 'I’m can’t', "I'm can't"],
    ['whitespace', 'I   want\tto    die', 'i want to die'],
    ['repeated letters', 'im sooooo tired, i want to diiiie', 'im so tired, i want to die'],
    ['misspelling suicidle', 'suicidle', 'suicidal'],
    ['misspelling sucidal', 'sucidal', 'suicidal'],
    ['misspelling overdoes', 'took an overdoes', 'took an overdose'],
    ['misspelling myslef', 'kill myslef', 'kill myself'],
    ['text-speak u r', 'u r', 'you are'],
    ['text-speak ur', 'ur', 'your'],
    ['text-speak im', 'im', "I'm"],
    ['text-speak cant', 'cant', "can't"],
    ['cannot', 'cannot', 'can not'],
    ['text-speak wanna', 'wanna', 'want to'],
    ['text-speak gonna', 'gonna', 'going to'],
    ['text-speak idk', 'idk', "I don't know"],
    ['text-speak kms', 'kms', 'kill myself'],
    ['text-speak 2', 'want 2 die', 'want to die'],
    ['leetspeak', 's3lf h4rm', 'self harm'],
    ['leetspeak in a phrase', 'k1ll mys3lf', 'kill myself'],
    ['full-width letters', 'ｉ ｗａｎｔ ｔｏ ｄｉｅ', 'i want to die'],
    ['zero-width characters', 'su\u200bicidal', 'suicidal'],
    ['accents', 'café', 'cafe'],
    ['hyphenated words', 'self-harm', 'self harm'],
    ['honesty markers', 'to be honest', 'tbh'],
  ])('%s', (_name, typed, canonical) => {
    expect(norm(typed)).toBe(norm(canonical));
  });

  it('leaves times and numbers alone (no leetspeak on 3am or 12h)', () => {
    expect(norm('3am')).not.toBe(norm('eam'));
    expect(norm('took 30 tablets')).toContain('30');
  });

  it('splits clauses at punctuation, line breaks and "but", not at quotes or colons', () => {
    expect(normaliseForScreening("I'm not okay, I want to end it all")).toHaveLength(2);
    expect(normaliseForScreening('not suicidal but exhausted')).toHaveLength(2);
    expect(normaliseForScreening('line one\nline two')).toHaveLength(2);
    expect(normaliseForScreening('she said: "I want to die"')).toHaveLength(1);
    expect(normaliseForScreening('self-harm - drop-dead')).toHaveLength(2);
  });

  it('handles empty and odd input', () => {
    expect(screenText('')).toEqual({ level: 'none', reasons: [] });
    expect(screenText('   \n\t ')).toEqual({ level: 'none', reasons: [] });
    expect(screenText('😀🙂🙃')).toEqual({ level: 'none', reasons: [] });
    expect(screenText(undefined as unknown as string)).toEqual({ level: 'none', reasons: [] });
  });

  it('screens misspelt, text-speak and leetspeak messages the same as plain ones', () => {
    for (const t of ['feeling sucidal tbh', 'wanna kms', 'i want to diiiie', 's3lf h4rm urges', 'thinking i might k1ll mys3lf', 'I’M GOING TO END IT ALL'])
      expect(level(t)).toBe('urgent');
  });
});

describe('categories', () => {
  it.each([
    ['immediate-danger', "I've taken an overdose about an hour ago"],
    ['immediate-danger', 'Just swallowed a whole packet of paracetamol'],
    ['immediate-danger', 'Took 30 sertraline about 20 mins ago'],
    ['immediate-danger', "I'm stood on the roof of the multi storey"],
    ['immediate-danger', "I've got all my meds lined up on the table"],
    ['immediate-danger', 'the voices are telling me to hurt people'],
    ['suicidal-ideation', 'I want to kill myself'],
    ['suicidal-ideation', 'honestly might just top myself at this rate'],
    ['suicidal-ideation', "swear down I'm going to do myself in"],
    ['suicidal-ideation', 'want to unalive myself'],
    ['suicidal-ideation', 'I wish I could go to sleep and not wake up'],
    ['suicidal-ideation', 'I want to disappear forever'],
    ['suicidal-ideation', 'been thinking about jumping off the Tyne bridge'],
    ['suicidal-ideation', 'thought about hanging myself in the garage'],
    ['suicidal-ideation', "I keep thinking I'd be better off dead"],
    ['suicidal-ideation', 'I think about suicide constantly'],
    ['suicidal-ideation', "i'm planning to OD tonight"],
    ['self-harm', "I've started cutting again"],
    ['self-harm', 'been burning myself when it gets too much'],
    ['self-harm', 'the urge to self harm is really strong'],
    ['self-harm', 'I relapsed with sh last night'],
    ['harm-to-others', "I'm going to hit him if he speaks to me like that again"],
    ['harm-to-others', "I'm scared I'm going to hurt someone at work"],
    ['harm-to-others', 'I have thoughts about hurting my baby'],
    ['danger-from-others', 'he threatened to kill me if I leave'],
    ['danger-from-others', 'my husband strangled me until I passed out'],
    ['danger-from-others', 'he put his hands round my neck on sunday'],
    ['danger-from-others', 'my ex is stalking me and followed me home from work'],
    ['danger-from-others', "I don't feel safe at home"],
    ['danger-from-others', 'my partner threatened me with his shotgun last night'],
    ['danger-from-others', 'he came at me with a kitchen knife'],
    ['danger-from-others', 'My ex has breached the non molestation order twice this week'],
    ['danger-from-others', 'smashed my phone n said next time it wont be the phone'],
    ['severe-distress', "I can't go on like this"],
    ['severe-distress', "There's no point in anything anymore"],
    ['severe-distress', 'everyone would be better off without me'],
    ['severe-distress', "can't be arsed living anymore"],
    ['severe-distress', "I'm a burden to everyone"],
  ])('%s: %s', (code, text) => {
    const r = screenText(text);
    expect(r.level).toBe('urgent');
    expect(r.reasons).toContain(code);
  });

  it.each([
    ['stress', "I'm so stressed I can't think straight"],
    ['anxiety', 'Feeling really anxious about going back'],
    ['burnout', "I think I'm burnt out"],
    ['panic', 'Had a panic attack in the sluice'],
    ['low-mood', 'My mood has been really low'],
    ['low-mood', "I've been crying in the car before every shift"],
    ['sleep', "I haven't slept properly in weeks"],
    ['overwhelm', 'I feel completely overwhelmed'],
    ['overwhelm', 'honestly im not coping'],
  ])('%s: %s', (code, text) => {
    expect(screenText(text)).toEqual({ level: 'wellbeing', reasons: [code] });
  });

  it('lists the most severe reason first', () => {
    const r = screenText("I'm so stressed. I want to end it all.");
    expect(r.level).toBe('urgent');
    expect(r.reasons[0]).toBe('suicidal-ideation');
    expect(r.reasons).toContain('stress');
  });

  it('needs the context for context-only phrases', () => {
    expect(level('I want to do the same')).toBe('none');
    expect(level('a patient took an overdose and honestly I want to do the same')).toBe('urgent');
    expect(level("I've started again")).toBe('none');
    expect(level("I used to self-harm. I've started again.")).toBe('urgent');
  });
});

describe('negation', () => {
  it('softens an urgent phrase about the writer to wellbeing, not none', () => {
    expect(screenText("I'm not suicidal")).toEqual({ level: 'wellbeing', reasons: ['suicidal-ideation'] });
    expect(level('I would never hurt myself')).toBe('wellbeing');
    expect(level('never would hurt myself')).toBe('wellbeing');
    expect(level('I have no intention of harming myself')).toBe('wellbeing');
  });

  it('takes a wellbeing phrase to none', () => {
    expect(level("I'm not stressed at all")).toBe('none');
    expect(level("Don't stress, the shift is covered")).toBe('none');
    expect(level('No panic attacks for months now')).toBe('none');
  });

  it('only reaches the phrase right after it, in the same clause', () => {
    expect(level("I'm not okay, I want to end it all")).toBe('urgent');
    expect(level("I'm not suicidal but I keep thinking everyone would be better off without me")).toBe('urgent');
    expect(level("I'm not being dramatic, I genuinely don't want to wake up tomorrow")).toBe('urgent');
    expect(level('no i want to die')).toBe('urgent');
    expect(level("not joking i want to die")).toBe('urgent');
    expect(level("I'm not suicidal. I want to die.")).toBe('urgent');
  });

  it('does not treat negated-risk phrasings as negations', () => {
    expect(level("I don't want to be alive anymore")).toBe('urgent');
    expect(level("I don't want to wake up")).toBe('urgent');
    expect(level('no point in anything')).toBe('urgent');
    expect(level("I can't kill myself because of my kids")).toBe('urgent');
  });
});

describe('workload idioms', () => {
  it.each([
    'This rota is killing me',
    "I'm dead tired",
    'I could murder a coffee',
    'Dying for a cuppa',
    'Shoot me an email',
    'You were killing it in resus',
    'Drop-dead deadline for the business case is Friday',
    'The printer wants to die',
    'My laptop battery is about to die',
    'That training was so boring I lost the will to live',
    'I nearly died laughing',
    "I'll jump off the call at half two",
    'Honestly could kill him for leaving the sluice like that',
    'Cut myself on a broken ampoule',
    'I burnt myself on the kettle',
    'Overdosed on mince pies at the Christmas do',
    "I won't be here tomorrow as I'm on annual leave",
    "I'd rather die than do another weekend on AMU",
    'killing myself laughing at this',
  ])('%s → none', (text) => {
    expect(screenText(text)).toEqual({ level: 'none', reasons: [] });
  });

  it('a longer risk phrase wins over the idiom inside it', () => {
    expect(level("I'd rather die than keep living like this")).toBe('urgent');
  });

  it('job-bound versions of urgent phrases are wellbeing', () => {
    expect(level("I can't do this job anymore")).toBe('wellbeing');
    expect(level("I can't carry on working like this")).toBe('wellbeing');
  });
});

describe('professional and third-party use', () => {
  it.each([
    'I work on the self-harm liaison team',
    'a patient took an overdose on the ward',
    'we had a suicide on the ward in March',
    'training on suicide prevention next week',
    'Completed my suicide awareness e-learning today',
    'Pt in bed 6 disclosed suicidal thoughts, 1:1 obs in place',
    'The lady in side room 2 has a history of self-harm',
    'My patient keeps saying she wants to die, escalated to psych',
    'He said he wanted to end it all when he was brought in',
    'Paramedics brought in a male, deliberate overdose of amitriptyline',
    'How do you ask a patient about suicide?',
    'ED is rammed, three overdoses waiting',
    'The suicide and self-harm policy has been updated',
    'My patient said “I want to kill myself” and I documented it',
    'Patient in bay 5 is anxious about his op',
    'Stress test booked for bed 3',
    'Panic alarm in triage is broken',
    'If a colleague told you they felt suicidal, what would you do?',
    'For my essay I am writing about a patient who wanted to die',
  ])('%s → none', (text) => {
    expect(level(text)).toBe('none');
  });

  it('does not let work context hide the writer’s own risk', () => {
    expect(level('I work on the self-harm liaison team and I want to kill myself')).toBe('urgent');
    expect(level("I'm on the ward and I want to die")).toBe('urgent');
    expect(level('I was with a patient earlier and I want to die')).toBe('urgent');
    expect(level('sat with a patient wanting to die')).toBe('urgent');
    expect(level('I told my manager I want to die')).toBe('urgent');
    expect(level('my suicide risk is high right now')).toBe('urgent');
  });

  it('being told to is wellbeing (a concern, not the writer’s intent)', () => {
    expect(level('he told me to go and kill myself')).toBe('wellbeing');
    expect(level('she said I should just kys')).toBe('wellbeing');
  });
});

describe('resolved past and hypotheticals', () => {
  it('resolved history about the writer is none', () => {
    expect(level("Years ago I self-harmed but I'm well now")).toBe('none');
    expect(level('When I was a teenager I took an overdose. I am 42 now.')).toBe('none');
    expect(level('I used to have panic attacks before exams')).toBe('none');
  });

  it('history that is back, or not clearly over, stays urgent', () => {
    expect(level("I self-harmed years ago and it's back again")).toBe('urgent');
    expect(level("I used to self-harm but I've started again")).toBe('urgent');
    expect(level('I used to love this job and now I want to die')).toBe('urgent');
    expect(level('I tried to kill myself last year')).toBe('urgent');
  });

  it('a hypothetical about the writer is at most softened to wellbeing', () => {
    expect(level('If I ever felt suicidal who would I call?')).toBe('wellbeing');
  });

  it('a condition is not a hypothetical', () => {
    expect(level("If this carries on I'm going to kill myself")).toBe('urgent');
    expect(level("If I'm honest I want to die")).toBe('urgent');
    expect(level('what if I just ended it all')).toBe('urgent');
  });
});

describe('the safer reading wins', () => {
  it.each([
    "I'm not suicidal but I keep thinking everyone would be better off without me",
    'a patient took an overdose and honestly I want to do the same',
    "I'm not okay, I want to end it all",
    'Also kms lol, but not really lol, but maybe.',
    'Colleague died by suicide last month. I understand why she did it.',
  ])('%s → urgent', (text) => {
    expect(level(text)).toBe('urgent');
  });
});

const rota = [
  "Hi all, just chasing the December rota because I still haven't heard back about the swaps.",
  "I'm on the long day on the 12th and the night on the 14th, which doesn't leave much time between them.",
  'The bank shifts on AMU are still unfilled for the 23rd and 24th if anyone wants the hours.',
  'Pharmacy were slow with the TTOs again so bay 3 discharges went out after four.',
  "I've put the hand hygiene audit figures in the shared folder under December.",
  'The porters were short after six so we took the patient down to CT ourselves.',
  'Can someone remind me whether mandatory training is booked through ESR now?',
  'Thanks for sorting the sickness cover on Tuesday, it made a massive difference.',
];

describe('risk buried in a long message', () => {
  const longRota = (): string => {
    let text = '';
    for (let i = 0; text.length < 3000; i++) text += rota[i % rota.length] + ' ';
    return text;
  };

  it('3 KB of rota talk on its own is none', () => {
    expect(longRota().length).toBeGreaterThanOrEqual(3000);
    expect(level(longRota())).toBe('none');
  });

  it.each([
    'Honestly some nights I think about driving into the back of a lorry on the A1.',
    'i dont know why im saying this but i want to kill myself most days.',
    "Sorry, unrelated, but I've been cutting again.",
    'everyone would be better off without me on that ward.',
  ])('finds "%s" in the middle of 3 KB', (sentence) => {
    const text = longRota();
    const middle = text.indexOf('. ', text.length / 2) + 2;
    expect(level(text.slice(0, middle) + sentence + ' ' + text.slice(middle))).toBe('urgent');
  });

  it('idioms and professional use elsewhere in the message do not soften it', () => {
    const text = `This rota is killing me. I work on the self-harm liaison team. ${longRota()} I'm not okay, I want to end it all. I'm not suicidal or anything lol.`;
    expect(level(text)).toBe('urgent');
  });
});

describe('properties', () => {
  const neutral = fc.constantFrom(
    ...rota,
    'This rota is killing me.',
    'Dying for a cuppa.',
    'Reminder: suicide prevention training on Tuesday.',
    'A patient took an overdose overnight, psych liaison saw her.',
    "I'm not stressed about the audit.",
    'Years ago I self-harmed but I am well now.',
    'Shoot me an email.',
    '',
  );
  const padding = fc.array(fc.oneof(neutral, fc.string({ maxLength: 40 })), { maxLength: 6 }).map((a) => a.join(' '));
  const separator = fc.constantFrom('\n', '. ', '\n\n', '! ', '? ', '.\n');
  const bases = fc.oneof(
    fc.constantFrom(
      'I want to end it all',
      "I'm not suicidal",
      "I can't go on",
      "I'm so stressed",
      'I would never hurt myself',
      'kms',
      'this rota is killing me',
      "years ago I self-harmed but I'm well now",
      'I want to do the same',
      "I've started again",
      'Had a panic attack',
      'the printer wants to die',
      "I'm not okay, I want to end it all",
      'My patient said I want to kill myself',
    ),
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
  );

  it('adding neutral work text before or after a message never lowers its level', () => {
    fc.assert(
      fc.property(bases, padding, separator, padding, separator, (base, before, sep1, after, sep2) => {
        const alone = RANK[level(base)];
        const padded = RANK[level(before + sep1 + base + sep2 + after)];
        return padded >= alone;
      }),
      { numRuns: 1500 },
    );
  });

  it('the result never contains the input text: only a level and known reason codes', () => {
    const codes = new Set(screeningReasonCodes);
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{6,12}$/).map((w) => `zq${w}`),
        fc.constantFrom('', 'I want to die ', "I'm so stressed ", 'self harm '),
        fc.string({ unit: 'binary', maxLength: 80 }),
        (marker, risk, noise) => {
          const r = screenText(`${risk}${marker} ${noise} ${marker}`);
          // `contested` (urgent words read as a warning sign) is the only other key, and only ever `true`.
          expect(Object.keys(r).filter((k) => k !== 'contested').sort()).toEqual(['level', 'reasons']);
          if ('contested' in r) expect(r.contested).toBe(true);
          expect(['none', 'wellbeing', 'urgent']).toContain(r.level);
          for (const reason of r.reasons) expect(codes.has(reason)).toBe(true);
          expect(JSON.stringify(r)).not.toContain(marker);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is deterministic and never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(screenText(text)).toEqual(screenText(text));
      }),
      { numRuns: 500 },
    );
  });
});

describe('cost', () => {
  // Its growth per KB is measured by `npm run bench:screening` (ratios in one run), not by a timed test.
  it('screens long messages with no punctuation, whole', () => {
    const small = 'not stressed i want to end it all the patient said '.repeat(200);
    expect(screenText(small.repeat(8)).level).toBe('urgent');
  });
});

describe('warning signs without a clear statement (the gate asks directly)', () => {
  const rules = (text: string) => rulesLevelOf(screenText(text));
  const longStory =
    'The ward was short again today. We had two admissions before ten. The bank nurse cancelled. ' +
    'My manager was in meetings all morning. The family in bay four complained twice. ';

  it('a clear statement about the writer stays urgent, however long the message', () => {
    expect(rules(`${longStory}I want to kill myself.`)).toBe('urgent');
    expect(rules(`${longStory}Want to kill myself.`)).toBe('urgent');
    expect(rules('Want to end my life.')).toBe('urgent');
  });

  it('an urgent phrase that does not name the writer, in a long message, is a check', () => {
    expect(screenText(`${longStory}Overdose tonight.`).level).toBe('urgent');
    expect(rules(`${longStory}Overdose tonight.`)).toBe('check');
    expect(rules('Overdose tonight.')).toBe('urgent');
  });

  it('softening wording in the clause next to an urgent phrase makes it a check', () => {
    expect(rules("Honestly it's not that bad. Want to kill myself some days.")).toBe('check');
  });
});

describe('wording elsewhere that makes urgent words a warning sign (ask, not the urgent response)', () => {
  const rules = (text: string) => rulesLevelOf(screenText(text));

  it('reads number words as numbers, so "ten years ago" is past as "10 years ago" is', () => {
    expect(rules('I took an overdose ten years ago')).toBe(rules('I took an overdose 10 years ago'));
    expect(rules('When I was twenty I tried to end my life')).toBe(rules('When I was 20 I tried to end my life'));
    expect(rules('I have taken twenty paracetamol')).toBe('urgent');
    expect(rules('I self harmed. It has been fifteen years since, and I have a good life.')).toBe('check');
  });

  it('"lol" is joking wording; "swear down" and "fr" are not (they say it is meant)', () => {
    expect(rules("The IT system crashed AGAIN, I'm going to throw myself out of the window, lol.")).toBe('check');
    expect(rules('been scratching my arms til they bleed after shifts lol')).toBe('check'); // asked, never lower
    expect(rules("if my ex turns up at the surgery again im gonna stab him swear down. ive got a knife in my bag")).toBe('urgent');
    expect(rules('i want to kill myself fr')).toBe('urgent');
  });

  it('more ways of saying it is resolved: long resolved, it passed, years on, recovery from', () => {
    for (const said of ['It is long resolved.', 'It passed.', 'Fifteen years on, I have a good life.', 'I talk about my recovery from it.', 'I came through it.', 'I am very good now.'])
      expect(rules(`I self harmed. ${said}`)).toBe('check');
    expect(rules('I self harmed again last night. I came through it.')).toBe('urgent');
  });

  it('the writer says it is resolved, in another sentence', () => {
    expect(rules('I once tried to end my life with tablets. My family found me. A doctor helped me a lot. That was fourteen years ago and I have been well ever since.')).toBe('check');
    expect(rules('In my first year here I thought about ending my life. I had counselling and got better. My goal is the band 7 interview.')).toBe('check');
  });

  it('but not when the urgent words say it is happening now or again', () => {
    expect(rules('I have been well for years. Tonight I want to end my life.')).toBe('urgent');
    expect(rules("It's been five years since I got help. I'm thinking about ending my life again.")).toBe('urgent');
    expect(rules("I've been well since 2019. I keep thinking about ending my life.")).toBe('urgent');
  });

  it('the writer says it is a joke or a figure of speech', () => {
    expect(rules("If one more person reply-alls I'll walk into the sea. Ha. Right, my actual goal is revalidation.")).toBe('check');
    expect(rules("Honestly if Teams crashes again I'm going to kill myself. Joking, obviously. Let's talk about my appraisal.")).toBe('check');
    expect(rules('I want to kill myself. I am not joking.')).toBe('urgent');
  });

  it('retiring or moving house explains the goodbyes and the giving away', () => {
    expect(rules("I'm giving away all my books and writing my goodbye letters because I retire in April.")).toBe('check');
    expect(rules("I'm giving away all my books and writing my goodbye letters.")).toBe('urgent');
  });

  it('urgent words inside a question someone asked the writer', () => {
    expect(rules('At occupational health they asked me if I had thoughts of ending my life and I said no, it is my back.')).toBe('check');
    expect(rules('I have thoughts of ending my life and I said no to the GP.')).toBe('urgent');
  });

  it('work or study around clinical words that do not name the writer, but never around the writer', () => {
    expect(rules('Revision for my MH exam: how do you tell non-suicidal self-harm from suicidal intent?')).toBe('check');
    expect(rules('Revision for my MH exam is going badly and I want to kill myself.')).toBe('urgent');
  });

  it('never lowers a message below the direct question', () => {
    for (const text of [
      'That was years ago and I have been well ever since. I tried to end my life back then.',
      'I want to die lol jk',
      "Retiring soon, so I'm giving away all my books and writing my goodbye letters.",
    ])
      expect(['check', 'urgent']).toContain(rules(text));
  });
});

describe('open slots: any medicine by name', () => {
  it('means saved, counted or hidden, whichever medicine is named', () => {
    for (const text of ["I've been stockpiling my sertraline", 'counted out my co-codamol last night', "I've got 60 amitriptyline hidden in the drawer", 'been saving up my pregabalin'])
      expect(screenText(text)).toMatchObject({ level: 'urgent', reasons: ['immediate-danger'] });
    expect(level('took 20 propranolol an hour ago')).toBe('urgent');
  });

  it('not the same medicines in a day at work', () => {
    expect(level('I was counting out the sertraline for a patient blister pack')).toBe('none');
    expect(level("We've got 60 amitriptyline in the CD cupboard for the audit")).toBe('none');
  });
});

describe('who it is about', () => {
  it('someone else, by a possessive before the event or a plural or possessive without the apostrophe', () => {
    expect(level("My dad's out of hospital after his overdose.")).toBe('none');
    expect(level('my partners been having suicidal thoughts, he is under the crisis team')).toBe('none');
  });

  it('"he", "she" or "they" right before the words, even after "after"; and "one of my patients"', () => {
    expect(level('We had a young man brought in by the air ambulance after he jumped from a motorway bridge.')).toBe('none');
    expect(level('One of my patients jumped from the road bridge over the river on Friday.')).toBe('none');
    expect(level('After she left I jumped from the bridge')).toBe('urgent');
    expect(level('I talked to her after I took an overdose')).toBe('urgent');
  });

  it('whoever "who" stands for, which is the writer only when they describe themselves', () => {
    expect(level('I had a patient on my ward who had been self-harming with razors.')).toBe('none');
    expect(level("I'm working with a patient who has made suicide attempts.")).toBe('none');
    expect(level("I'm the kind of person who wants to die when things go wrong.")).toBe('urgent');
    expect(level("I'm someone who thinks about killing myself every day.")).toBe('urgent');
  });

  it('more people named in everyday words (housemate, fiancé, a caller)', () => {
    expect(level('my housemate was self-harming and is now in therapy')).toBe('none');
    expect(level('had a caller who had taken an overdose, got the ambulance out fast')).toBe('none');
  });
});

describe('danger from someone else', () => {
  const rules = (text: string) => rulesLevelOf(screenText(text));

  it.each([
    'my mum will kill me if I am late again',
    'my manager pushed me to apply for the band 6',
    'that film choked me up',
    'IT locked me out of the system again',
    'he threatened me with a disciplinary',
    'she beat me to it',
    'a confused patient hit me during personal care, we did a datix',
    'the patient breached his restraining order and police came to the ward',
    'safeguarding training: what to do if a patient says her partner hit her',
    'my ex used to hit me years ago, I am safe now and this is about my career',
  ])('the same words used safely are not danger: %s', (text) => {
    expect(screenText(text).reasons).not.toContain('danger-from-others');
    expect(rules(text)).not.toBe('urgent');
  });

  it('how danger is told ("last night", "I don\'t want to go home") leaves it a clear statement', () => {
    expect(rules("he put his hands round my neck last night. I don't want to go back after my shift")).toBe('urgent');
    expect(rules("Honestly it's not that bad. Want to kill myself some days.")).toBe('check');
  });

  it('a past framing next to it still makes it a warning sign (ask directly)', () => {
    expect(rules('My first husband hit me, back in the 1980s. I left him and never looked back.')).toBe('check');
  });
});

