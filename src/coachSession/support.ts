import { MessageFactory, type TurnContext } from 'botbuilder';
import { stageOrder } from '../coaching/programme';
import type { CoachSessionServices } from './services';
import { firstName, sessionIn, type CoachSessionSection } from './state';
import { tellCoachLater } from './toCoach';

/**
 * Called by the risk gate when it responds urgent or wellbeing: if the chat has a coach-joined session running,
 * the session pauses (it asks nothing more until the coach carries it on, which needs the chat to be clear) and
 * the coach is told privately, in their 1:1 chat, once the turn is saved. Nothing of what was said is passed on.
 */
export function moveCoachSessionToSupport(context: TurnContext, data: CoachSessionSection, level: 'urgent' | 'wellbeing', services: CoachSessionServices): void {
  const session = sessionIn(data);
  if (!session || session.status !== 'active') return;
  session.status = 'support';
  session.supportSince = new Date().toISOString();
  delete session.confirmingEnd;
  services.logger.info({ sessionId: session.id, level, stage: stageOrder.indexOf(session.record.stage) + 1 }, 'coach-joined session moved to support');
  const first = firstName(session.client.name);
  const what =
    level === 'urgent'
      ? 'something said in the chat suggested someone there may not be safe. I have shown the crisis contacts in the chat, asked whether they are safe right now, and a service lead is being told, as always when someone may be at risk.'
      : 'something said in the chat suggested someone there is under a lot of strain. I have explained the Stress Support and Wellbeing service in the chat and offered a referral.';
  tellCoachLater(
    context,
    session.coach.id,
    MessageFactory.text(
      `Your coaching session with ${session.client.name} has moved to support: ${what} The session is paused and I won't ask anything more in it. ` +
        `Please stay with ${first} and help them reach the right support; coaching should not carry on today. Everything noted so far is kept, and when ${first} is ready you can say "start session" in the chat to carry on.`,
    ),
    services,
  );
}
