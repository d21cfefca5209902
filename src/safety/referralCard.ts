import type { Activity, Attachment } from 'botbuilder';
import { DateTime } from 'luxon';
import { renderCard, type CardData } from '../cards/render';
import type { Referral } from './referrals';
import { signposting } from './signposting';

/**
 * The card the service leads see for a referral, in plain words. It is built only from the referral document,
 * which never holds what the person wrote: their name, the level, the trigger codes (turned into words here),
 * what they were shown and whether they consented.
 */

/** Keyword categories (src/safety/lexicon.json) and check-in items, in the words a service lead would use. */
const keywordWords: Record<string, string> = {
  'immediate-danger': 'being in immediate danger (such as having taken something or having the means ready)',
  'suicidal-ideation': 'thoughts of suicide',
  'self-harm': 'thoughts, urges or acts of self-harm',
  'harm-to-others': 'thoughts of harming someone else',
  'severe-distress': 'severe distress or hopelessness',
  panic: 'panic attacks',
  anxiety: 'anxiety or worry',
  stress: 'stress',
  burnout: 'burnout or exhaustion',
  overwhelm: 'feeling overwhelmed or not coping',
  'low-mood': 'low mood',
  sleep: 'not sleeping because of worry or distress',
  trauma: 'traumatic stress after an incident at work',
  bereavement: 'grief',
  'substance-use': 'using alcohol or drugs to cope',
  'asked-for-wellbeing-service': 'asking to hear from the Stress Support and Wellbeing service',
  'danger-from-others': 'being in danger from someone else',
  'model-urgent': 'words that the screening model reads as a sign of risk',
  'model-check': 'warning signs in their words, without a clear statement',
  'model-wellbeing': 'signs of distress in their words',
  'answer-yes': 'answering yes when asked directly about thoughts of suicide, self-harm, harming someone, or being in danger',
  'answer-notSure': 'answering "not sure" when asked directly about thoughts of suicide, self-harm, harming someone, or being in danger',
  'answer-ratherNot': 'preferring not to say when asked directly about thoughts of suicide, self-harm, harming someone, or being in danger',
};

const checkInWords: Record<string, string> = {
  'harm-self': 'thoughts of being better off dead or of hurting themselves',
  'harm-others': 'thoughts of harming someone else',
  'severe-distress': 'a very high distress score on the check-in',
  'phq4-anxiety': 'feeling nervous or unable to stop worrying on more than half the days',
  'phq4-depression': 'feeling down or having little interest in things on more than half the days',
  'phq4-total': 'a raised overall check-in score for anxiety and low mood',
  'asked-for-wellbeing-service': 'asking to hear from the Stress Support and Wellbeing service',
};

const shownWords: Record<string, string> = {
  'crisis-signposting': 'crisis and support contacts (such as 999, NHS 111 and Samaritans)',
  'wellbeing-service': `details of the ${signposting.wellbeingService.name}`,
  'support-contacts': 'the support contacts card',
};

/** An unknown code still reads as words (codes come from the risk gate, never from what the person typed). */
function codeAsWords(code: string): string {
  const words = code.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim().slice(0, 60);
  return words === '' ? 'another concern' : words;
}

export function describeTrigger(code: string, source: Referral['trigger']['source'] = 'keywords'): string {
  const words = source === 'checkIn' ? (checkInWords[code] ?? keywordWords[code]) : (keywordWords[code] ?? checkInWords[code]);
  return words ?? codeAsWords(code);
}

export function describeShown(code: string): string {
  return shownWords[code] ?? codeAsWords(code);
}

/** "a", "a and b", "a, b and c". */
export function listInWords(items: string[]): string {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique[0] ?? '';
  return `${unique.slice(0, -1).join(', ')} and ${unique.at(-1)}`;
}

/** A time as a service lead in the UK reads it, whatever the server's own zone. */
export function londonTime(iso: string, format = "cccc d LLLL yyyy 'at' HH:mm"): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone('Europe/London').setLocale('en-GB').toFormat(format);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A Teams deep link to a 1:1 chat with the person, when their Entra object id is known. */
export function chatLink(aadObjectId: string): string | undefined {
  return GUID.test(aadObjectId) ? `https://teams.microsoft.com/l/chat/0/0?users=${encodeURIComponent(`8:orgid:${aadObjectId}`)}` : undefined;
}

export interface ReferralCardOptions {
  /** A repeat post of an urgent referral nobody has acknowledged yet. */
  reminder?: boolean;
}

export function referralCardData(referral: Referral, options: ReferralCardOptions = {}): CardData['referral'] {
  const urgent = referral.level === 'urgent';
  const name = referral.person.name.trim().slice(0, 100) || 'A member of staff';
  const chatUrl = chatLink(referral.person.userId);
  const acknowledged = referral.status !== 'open' && referral.acknowledged !== undefined;
  return {
    referralId: referral.id,
    heading: urgent ? 'Urgent referral' : 'Wellbeing referral',
    style: urgent ? 'attention' : 'warning',
    reminder:
      options.reminder && !acknowledged
        ? `Reminder: nobody has acknowledged this yet. It was first raised on ${londonTime(referral.createdAt)}.`
        : '',
    summary: urgent
      ? `${name} may need urgent support. Please contact them as soon as you can.`
      : referral.consented
        ? `${name} would like to hear from the ${signposting.wellbeingService.name}. Please get in touch with them.`
        : `${name} may benefit from wellbeing support.`,
    name,
    when: `${londonTime(referral.createdAt)} (UK time)`,
    trigger: listInWords(referral.trigger.reasons.map((code) => describeTrigger(code, referral.trigger.source))) || 'not recorded',
    source:
      referral.trigger.source === 'checkIn'
        ? 'Their answers to the wellbeing check-in'
        : referral.trigger.source === 'directCheck'
          ? 'Their answer when the bot asked them directly, after words that showed warning signs (their message is not shared)'
          : referral.conversationType === 'tab'
            ? 'Words they wrote in their action plan, in the My coaching tab (what they wrote is not shared)'
            : 'Words they used with the coaching bot (their message is not shared)',
    shown: listInWords(referral.shown.map(describeShown)) || 'nothing yet',
    consent: referral.consented
      ? 'Yes, they agreed to this referral'
      : urgent
        ? 'Not asked: urgent concerns are always passed on to a service lead'
        : 'No',
    personSaid: referral.personSaid === 'misunderstood' ? 'That the bot misunderstood what they meant' : '',
    chatUrl: chatUrl ?? '',
    chatTitle: `Chat with ${name}`,
    acknowledged,
    acknowledgedText: acknowledged
      ? `Acknowledged by ${referral.acknowledged!.byName.trim().slice(0, 100) || 'a service lead'} at ${londonTime(referral.acknowledged!.at, "HH:mm 'on' cccc d LLLL yyyy")}`
      : '',
    guidance: acknowledged
      ? 'For their privacy, this card never includes what they wrote.'
      : 'For their privacy, this card never includes what they wrote. Press Acknowledge when you take this on, so the other leads know it is in hand.',
  };
}

export function referralCard(referral: Referral, options: ReferralCardOptions = {}): Attachment {
  return renderCard('referral', referralCardData(referral, options));
}

/** The message that carries the card. */
export function referralMessage(referral: Referral, options: ReferralCardOptions = {}): Partial<Activity> {
  return {
    type: 'message',
    summary: referral.level === 'urgent' ? 'Urgent referral' : 'Wellbeing referral',
    attachments: [referralCard(referral, options)],
  };
}
