import type { Programme, SessionRecord } from '../src/coaching/programme';
import { saveToClientProgramme } from '../src/coachSession/summary';
import { takeCoachJoinedSession } from '../src/documents/person';
import { silentLogger } from './support/bot';
import { submitData } from './support/chat';
import type { Reply } from './support/inProcess';
import { InProcessBotWithCoaches, InProcessGroupChatWithMembers } from './support/inProcessCoaches';
import { allOf, card, expectReplies, says } from './support/transcript';
import { newUser, type TeamsUser } from './support/teams';
import { withRacingReads } from './support/racingReads';

/**
 * A coach-joined session in process: a coach and a member of staff in a Teams group chat with the bot, the
 * coach's private 1:1 chat with the bot, and Teams stood in for (the members API, the private guides sent to the
 * coach). Every reply in the chat, and every message to the coach, is checked in order.
 */
describe('coach-joined session', () => {
  const coach = newUser('Daniel Okafor');
  const quietCoach = newUser('Grace Adeyemi'); // a coach who has never opened a 1:1 chat with the bot
  const bot = new InProcessBotWithCoaches({ env: { COACH_IDS: `${coach.aadObjectId},${quietCoach.aadObjectId}` } });
  const coachChat = bot.chat(coach);
  const coachHears = bot.teams.inbox(coach);
  const { people, chats } = bot.stores;

  beforeAll(async () => {
    await coachChat.say('hi'); // the coach's 1:1 chat, where the private guides go
  });

  const WELCOME = card('Welcome to staff coaching', ['Show me what I can do', 'Not OK right now']);
  /** The stage as the chat sees it, with the coach's controls. */
  const stageInChat = (heading: string, buttons?: string[]) => card(new RegExp(`^${heading}\\n`), buttons);
  /** The stage's private guide, as the coach alone sees it in their 1:1 chat. */
  const guide = (heading: string, client: string) => card(new RegExp(`^${heading}\\nSession 1 with ${client}\\. Only you can see this card\\.\\n`), ['Save']);
  /** The Save data of the latest guide card the coach was sent for a stage. */
  const guideFor = (stage: string) => {
    for (const reply of [...bot.teams.heardBy(coach)].reverse()) {
      const found = submitData(reply.activity.attachments?.map((a) => a.content), 'stageGuide', (d) => d.stage === stage);
      if (found) return found;
    }
    throw new Error(`no guide card for ${stage}`);
  };
  const sessionIn = async (group: InProcessGroupChatWithMembers) => (await chats.readOne(`msteams/conversations/${group.conversationId}`))?.coachSession as any;
  const programmeOf = async (user: TeamsUser) => (await people.readOne(user.aadObjectId))?.programme as Programme | undefined;
  const ONLY_THE_COACH_MOVES_ON = says('Only Daniel Okafor, the coach, can move the session on or end it.');

  it('lets only a coach start a session, and checks who is in the chat', async () => {
    const client = newUser('Amara Mensah');
    const colleague = newUser('Priya Shah');
    const group = new InProcessGroupChatWithMembers(bot, [coach, client, colleague, quietCoach]);

    expectReplies(await group.say(client, 'start session'), [WELCOME, says(/^Only a coach can start a coaching session/)]);
    expect(await sessionIn(group)).toBeUndefined();

    // Two people who are not coaches (the other coach does not count): the coach must name the client.
    expectReplies(await group.say(coach, 'start session'), [says(/^There are several people in this chat\. Tell me who you are coaching by mentioning them/)]);
    expect(bot.teams.memberRequests).toContain(group.conversationId);
    expectReplies(await group.say(coach, 'start session', [quietCoach]), [says(/^The person you mentioned is a coach/)]);
    expectReplies(await group.say(coach, 'start session', [newUser('Not Here')]), [says(/^The person you mentioned isn't a member of this chat/)]);
    expect(await sessionIn(group)).toBeUndefined();

    // A coach without a 1:1 chat with the bot could not receive the private guides.
    expectReplies(await group.say(quietCoach, 'start session', [client]), [says(/^Grace Adeyemi, I send the coach a private guide[\s\S]*Say hi to me in a 1:1 chat/)]);

    expectReplies(await group.say(coach, 'start session', [client]), [
      says(/^Welcome to session 1 of Amara Mensah's coaching, with Daniel Okafor/),
      stageInChat('Stage 1 of 7: What you want to work on', ['Next stage', 'End session']),
    ]);
    expectReplies(coachHears.next(), [guide('Stage 1 of 7: What you want to work on', 'Amara Mensah')]);
    const session = await sessionIn(group);
    expect(session.client).toMatchObject({ id: client.aadObjectId, name: 'Amara Mensah' });
    expect(session.coach).toMatchObject({ id: coach.aadObjectId });

    // A chat with nobody to coach.
    const alone = new InProcessGroupChatWithMembers(bot, [coach, quietCoach]);
    expectReplies(await alone.say(coach, 'start session'), [WELCOME, says(/^I need the person you are coaching in this chat/)]);
  });

  it('walks a coach and a client through session 1: guides to the coach, scale and plan in the chat, summary to the client', async () => {
    const client = newUser('Sam Patel');
    const group = new InProcessGroupChatWithMembers(bot, [client, coach]);
    bot.teams.membersPageSize = 1; // the members come one page at a time
    const privateNotes = ['PRIVATE-NOTE-ONE: ask about the interview panel next time', 'PRIVATE-NOTE-THREE: lots of quiet pride there'];

    // Stage 1: the chat sees the stage; the coach alone gets the guide.
    let seen: Reply[] = await group.say(coach, 'start session');
    bot.teams.membersPageSize = 500;
    expect(bot.teams.memberRequests.filter((id) => id === group.conversationId)).toHaveLength(2);
    expectReplies(seen, [WELCOME, says(/^Welcome to session 1 of Sam Patel's coaching, with Daniel Okafor/), stageInChat('Stage 1 of 7: What you want to work on', ['Next stage', 'End session'])]);
    expect(allOf(seen)).not.toMatch(/Aim of this stage|Open questions|private notes/i);
    let privately = coachHears.next();
    expectReplies(privately, [guide('Stage 1 of 7: What you want to work on', 'Sam Patel')]);
    expect(privately[0]!.card).toMatch(/Aim of this stage[\s\S]*why this goal now/);
    expect(privately[0]!.card).toMatch(/Imagine you wake up and a miracle has happened/);
    expect(privately[0]!.card).toMatch(/Their goal[\s\S]*Why this goal, and why now[\s\S]*Their preferred future[\s\S]*Costs of reaching the goal[\s\S]*Your private notes/);

    // Only the coach moves the session on: typed or pressed, the client is refused and nothing moves.
    expectReplies(await group.say(client, 'next stage'), [ONLY_THE_COACH_MOVES_ON]);
    expectReplies(await group.submit(client, group.card('sessionStage', (d) => d.control === 'next')), [ONLY_THE_COACH_MOVES_ON]);
    expect((await sessionIn(group)).record.stage).toBe('goal');

    // The coach notes the client's answers and their own private notes in the 1:1 chat.
    seen = await coachChat.submitValue({
      ...guideFor('goal'),
      goal: 'Become a ward sister within two years',
      whyNow: 'A post is coming up on my ward',
      preferredFuture: 'Leading the shift with confidence',
      costs: 'Less time for my own patients',
      privateNotes: privateNotes[0],
    });
    expectReplies(seen, [says(/^Saved for stage 1 \(What you want to work on\)/)]);

    // Stage 2: the scaling card in the chat; only the client's tap counts.
    seen = await group.submit(coach, group.card('sessionStage', (d) => d.control === 'next' && d.stage === 'goal'));
    expectReplies(seen, [
      stageInChat('Stage 2 of 7: Scaling', ['Next stage', 'Back', 'End session']),
      card(/^Where are you now\?\nSam Patel, on a scale of 1 to 10[\s\S]*"Become a ward sister within two years"/, ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']),
    ]);
    privately = coachHears.next();
    expectReplies(privately, [guide('Stage 2 of 7: Scaling', 'Sam Patel')]);
    expect(privately[0]!.card).toMatch(/What would one point higher look like/);
    const scale = group.card('scaling');
    expectReplies(await group.submit(coach, { ...scale, scale: 8 }), [says(/^Thanks, Daniel, but only Sam Patel's own answer counts on the scale/)]);
    expect((await sessionIn(group)).record.scaling).toBeUndefined();
    expectReplies(await group.submit(client, { ...scale, scale: 4 }), [says('Thank you, Sam: 4 out of 10.')]);

    // Stage 3, then back to 2 and on again; a button from an earlier stage does nothing.
    const stage2Next = group.card('sessionStage', (d) => d.control === 'next' && d.stage === 'scaling');
    expectReplies(await group.say(coach, 'next stage'), [stageInChat('Stage 3 of 7: Your own successes')]);
    expectReplies(await group.say(coach, 'back'), [stageInChat('Stage 2 of 7: Scaling'), card(/^Where are you now\?\n(.*\n)*You said 4 earlier/)]);
    expectReplies(await group.say(coach, 'next stage'), [stageInChat('Stage 3 of 7: Your own successes')]);
    expectReplies(await group.submit(coach, stage2Next), [says(/^That button is from an earlier stage[\s\S]*stage 3/)]);
    expect((await sessionIn(group)).record.stage).toBe('personalSuccess');
    // A guide for each stage the session moved to, in order.
    expectReplies(coachHears.next(), [guide('Stage 3 of 7: Your own successes', 'Sam Patel'), guide('Stage 2 of 7: Scaling', 'Sam Patel'), guide('Stage 3 of 7: Your own successes', 'Sam Patel')]);
    seen = await coachChat.submitValue({ ...guideFor('personalSuccess'), pastSuccesses: 'Ran the flu clinic last winter', strengths: 'Calm and organised', privateNotes: privateNotes[1] });
    expectReplies(seen, [says(/^Saved for stage 3/)]);

    // Stages 4 and 5.
    expectReplies(await group.say(coach, 'next stage'), [stageInChat('Stage 4 of 7: Success in others')]);
    expectReplies(await coachChat.submitValue({ ...guideFor('othersSuccess'), roleModels: 'My ward manager, Jo' }), [says(/^Saved for stage 4/)]);
    expectReplies(await group.say(coach, 'next stage'), [stageInChat('Stage 5 of 7: Acknowledgement')]);
    expectReplies(await coachChat.submitValue({ ...guideFor('acknowledgement'), resources: 'A supportive team and the leadership course' }), [says(/^Saved for stage 5/)]);

    // Stage 6: the action plan, which the client and the coach can both edit.
    expectReplies(await group.say(coach, 'next stage'), [stageInChat('Stage 6 of 7: Action and obstacles'), card(/^Sam Patel's action plan\n/, ['Save the plan'])]);
    const plan = group.card('actionPlan');
    expectReplies(await group.submit(client, { ...plan, action1: 'Ask Jo about shadowing a shift', byWhen1: '2027-01-15' }), [says(/^Plan saved by Sam Patel: one action/)]);
    seen = await group.submit(coach, {
      ...plan,
      action1: 'Ask Jo about shadowing a shift',
      byWhen1: '2027-01-15',
      action2: 'Read the band 7 job description',
      obstacle1: 'No time on shift',
      overcome1: 'Book it in my diary',
    });
    expectReplies(seen, [says(/^Plan saved by Daniel Okafor: 2 actions/)]);

    // Stage 7: re-scaling, and what to keep in mind.
    expectReplies(await group.say(coach, 'next stage'), [
      stageInChat('Stage 7 of 7: Review', ['Finish and show the summary', 'Back', 'End session']),
      card(/^Where are you now\?\nSam Patel, looking back over this session(.*\n)*At the start of this session you said 4/),
    ]);
    expectReplies(await group.submit(client, { ...group.card('scaling'), scale: 6 }), [says(/From 4 to 6: that's real movement/)]);
    expectReplies(coachHears.next(), [
      guide('Stage 4 of 7: Success in others', 'Sam Patel'),
      guide('Stage 5 of 7: Acknowledgement', 'Sam Patel'),
      guide('Stage 6 of 7: Action and obstacles', 'Sam Patel'),
      guide('Stage 7 of 7: Review', 'Sam Patel'),
    ]);
    expectReplies(await coachChat.submitValue({ ...guideFor('review'), keepInMind: 'Asking early works for me' }), [says(/^Saved for stage 7/)]);

    // Ending needs the coach's confirmation; the client's yes does not count.
    expectReplies(await group.say(coach, 'end session'), [card(/^End the session now\?/, ['Yes, end the session', 'No, carry on'])]);
    expectReplies(await group.say(client, 'Yes, end the session'), [says(/^Only Daniel Okafor, the coach, can end the session/)]);
    expect(await sessionIn(group)).toBeDefined();
    seen = await group.submit(coach, { say: 'Yes, end the session' });

    // The review card in the chat, in the client's own words.
    expectReplies(seen, [card(/^Session 1 summary\n/, []), says(/^That's the end of session 1[\s\S]*saved to your own coaching/)]);
    const summary = seen[0]!.card;
    expect(summary).toMatch(/Become a ward sister within two years/);
    expect(summary).toMatch(/Start of session 1[\s\S]*End of session 1/);
    expect(summary).toMatch(/Calm and organised/);
    expect(summary).toMatch(/My ward manager, Jo/);
    expect(summary).toMatch(/Ask Jo about shadowing a shift/);

    // Saved to the client's programme as session 1, exactly as a self-guided session would be.
    const programme = (await programmeOf(client))!;
    expect(programme.current).toBe(2);
    const record = programme.sessions['1']!;
    expect(record).toMatchObject({
      number: 1,
      stage: 'review',
      goal: { text: 'Become a ward sister within two years', whyNow: 'A post is coming up on my ward', preferredFuture: 'Leading the shift with confidence', costs: 'Less time for my own patients' },
      scaling: { before: 4, after: 6 },
      personalSuccess: { pastSuccesses: ['Ran the flu clinic last winter'], strengths: ['Calm and organised'] },
      othersSuccess: { roleModels: 'My ward manager, Jo' },
      acknowledgement: { resources: 'A supportive team and the leadership course' },
      review: { keepInMind: 'Asking early works for me' },
    });
    expect(record.completedAt).toEqual(expect.any(String));
    expect(record.actionPlan!.actions).toEqual([{ what: 'Ask Jo about shadowing a shift', byWhen: '2027-01-15' }, { what: 'Read the band 7 job description' }]);
    expect(record.actionPlan!.obstacles).toEqual([{ obstacle: 'No time on shift', overcome: 'Book it in my diary' }]);

    // The coach's private notes reached the coach alone: not the chat, not the client's programme, not kept.
    const notesAtTheEnd = coachHears.next();
    expectReplies(notesAtTheEnd, [says(/^Session 1 with Sam Patel has ended and its summary is saved/)]);
    for (const note of privateNotes) {
      expect(notesAtTheEnd[0]!.text).toContain(note);
      expect(group.everythingPosted()).not.toContain(note);
      expect(JSON.stringify(await people.readOne(client.aadObjectId))).not.toContain(note);
    }
    expect(JSON.stringify(await chats.readOne(`msteams/conversations/${group.conversationId}`))).not.toMatch(/PRIVATE-NOTE/);
    expect(await sessionIn(group)).toBeUndefined();

    // The client carries on in their own 1:1 chat: self-guided session 2 follows the coach-joined session 1.
    const clientChat = bot.chat(client);
    expectReplies(await clientChat.startCoaching(), [
      says('Thank you for checking in.'),
      WELCOME,
      says(/^Welcome to your second session\. Last time you set a goal: "Become a ward sister within two years"/),
    ]);
  });

  it("schedules the client's plan check-in when a coach-joined session 1 ends, as after a session 1 on their own", async () => {
    const client = newUser('Robin Shaw');
    const group = new InProcessGroupChatWithMembers(bot, [coach, client]);
    const jobsFor = async (user: TeamsUser) => (await bot.stores.jobs.all()).filter((j) => j.recipientUserId === user.aadObjectId);
    await group.say(coach, 'start session');
    await group.say(coach, 'end session');
    const ended = Date.now();
    expectReplies(await group.submit(coach, { say: 'Yes, end the session' }), [card(/^Session 1 summary\n/), says(/^That's the end of session 1/)]);

    const programme = (await programmeOf(client))!;
    expect(programme.sessions['1']!.completedAt).toEqual(expect.any(String));
    const jobs = await jobsFor(client);
    expect(jobs).toEqual([
      expect.objectContaining({ kind: 'planCheckIn', state: 'pending', recipientUserId: client.aadObjectId, payload: { programmeStartedAt: programme.startedAt } }),
    ]);
    // PLAN_CHECK_IN_DAYS (14 by default) after the session ended.
    expect(Date.parse(jobs[0]!.dueAt)).toBeGreaterThanOrEqual(ended + 14 * 24 * 3600_000);
    expect(Date.parse(jobs[0]!.dueAt)).toBeLessThanOrEqual(Date.now() + 14 * 24 * 3600_000);
  });

  it('points a coach whose notes mention risk to the support route, saves the notes, and refers no one', async () => {
    const client = newUser('Jo Hart');
    const group = new InProcessGroupChatWithMembers(bot, [coach, client]);
    await group.say(coach, 'start session');
    coachHears.next();
    const referring = jest.spyOn(bot.stores.referrals, 'create');
    try {
      const seen = await coachChat.submitValue({ ...guideFor('goal'), goal: 'Settle into the new team', privateNotes: 'Mentioned wanting to end it all' });
      expectReplies(seen, [says(/^Your notes are saved\. They mention something that may mean your client needs support/), says(/^Saved for stage 1 \(What you want to work on\)/)]);
      expect(allOf(seen)).not.toMatch(/Are you safe right now/);
      expect(referring).not.toHaveBeenCalled();
    } finally {
      referring.mockRestore();
    }
    expect((await sessionIn(group)).record.goal?.text).toBe('Settle into the new team');
    expectReplies(coachHears.next(), []);
  });

  it('moves the session to support when the risk gate responds, and tells the coach privately', async () => {
    const client = newUser('Lee Carter');
    const group = new InProcessGroupChatWithMembers(bot, [coach, client]);
    await group.say(coach, 'start session');
    let seen = await group.say(coach, 'next stage');
    expectReplies(seen, [stageInChat('Stage 2 of 7: Scaling'), card(/^Where are you now\?/)]);
    const scale = group.card('scaling');
    coachHears.next();

    seen = await group.say(client, 'I keep thinking about hurting myself');
    expectReplies(seen, [card(/^I'm really glad you told me\./, []), card('Are you safe right now?')]);
    const told = coachHears.next();
    expectReplies(told, [says(/^Your coaching session with Lee Carter has moved to support/)]);
    expect(told[0]!.text).toMatch(/The session is paused/);
    expect(allOf(told)).not.toMatch(/hurting/);
    expect((await sessionIn(group)).status).toBe('support');

    // Nothing moves on while the chat is in support.
    expectReplies(await group.say(coach, 'next stage'), [says(/^Coaching is stopped for now/), card(/^Support you can reach now\n/, ['Back to the menu'])]);
    await group.submit(client, { ...scale, scale: 5 });
    const paused = await sessionIn(group);
    expect(paused.record.stage).toBe('scaling');
    expect(paused.record.scaling).toBeUndefined();
    expect(await programmeOf(client)).toBeUndefined();
  });

  it("saves to the client's programme only if their document is unchanged since it was read, reading it again after a conflict", async () => {
    const client = newUser('Chris Doyle');
    const key = client.aadObjectId;
    // The client began session 1 on their own and is part-way through it.
    await people.writeIfUnchanged(
      key,
      {
        welcomedAt: '2026-11-20T09:00:00.000Z',
        programme: { startedAt: '2026-11-20T09:00:00.000Z', current: 1, sessions: { '1': { number: 1, startedAt: '2026-11-20T09:00:00.000Z', stage: 'scaling', goal: { text: 'A goal of my own' } } } },
        dialogState: { dialogStack: [{ id: 'coaching.session', state: {} }] },
      },
      undefined,
    );
    // Between the save's read and its write, the client's own turn writes their document.
    const { port: racing, reads } = withRacingReads(people, 'readOne', 1, async (read) => {
      const { eTag, ...doc } = read!;
      await people.writeIfUnchanged(key, { ...doc, lastMessageAt: '2026-11-24T10:00:00.000Z' }, eTag);
    });
    const record: SessionRecord = { number: 1, startedAt: '2026-11-24T09:30:00.000Z', completedAt: '2026-11-24T10:30:00.000Z', stage: 'review', goal: { text: 'Lead the falls audit' } };

    expect(await saveToClientProgramme(key, record, { people: racing, takeCoachJoinedSession, logger: silentLogger })).toBe('saved');
    expect(reads()).toBe(2); // read, refused (the document changed), read again, written
    const saved = (await people.readOne(key))!;
    expect(saved.lastMessageAt).toBe('2026-11-24T10:00:00.000Z'); // the concurrent write is kept, not overwritten
    expect((saved.programme as Programme).sessions['1']).toEqual(record);
    expect((saved.programme as Programme).current).toBe(2);
    expect(saved.dialogState).toBeUndefined(); // their place in the session that is now complete

    // Saving the same session again changes nothing; another session 1 does not overwrite a completed one.
    expect(await saveToClientProgramme(key, record, { people, takeCoachJoinedSession, logger: silentLogger })).toBe('alreadySaved');
    expect(await saveToClientProgramme(key, { ...record, startedAt: '2026-11-25T09:00:00.000Z' }, { people, takeCoachJoinedSession, logger: silentLogger })).toBe('alreadyComplete');
    expect(((await people.readOne(key))!.programme as Programme).sessions['1']).toEqual(record);
  });

  it('pauses on a wellbeing response too: the coach is told, and the controls wait while the chat is in support', async () => {
    const client = newUser('Ola Bello');
    const group = new InProcessGroupChatWithMembers(bot, [coach, client]);
    await group.say(coach, 'start session');
    coachHears.next();
    const seen = await group.say(client, 'I feel completely burnt out');
    expectReplies(seen, [card(/Stress Support and Wellbeing/)]);
    const told = coachHears.next();
    expectReplies(told, [says(/^Your coaching session with Ola Bello has moved to support/)]);
    expect(allOf(told)).toMatch(/has moved to support[\s\S]*Stress Support and Wellbeing service/);
    expect((await sessionIn(group)).status).toBe('support');

    expectReplies(await group.say(coach, 'next stage'), [says(/^This session is paused because support was offered in this chat/)]);
    expectReplies(await group.say(coach, 'start session'), [says(/^Coaching is still paused in this chat while support is offered/)]);
    expectReplies(await group.say(client, 'next stage'), [ONLY_THE_COACH_MOVES_ON]);
    expect((await sessionIn(group)).record.stage).toBe('goal');
  });
});
