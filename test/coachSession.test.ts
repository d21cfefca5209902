import { startBot, type RunningBot } from '../src/app';
import type { Job } from '../src/booking/jobs';
import type { Programme, SessionRecord } from '../src/coaching/programme';
import { saveToClientProgramme } from '../src/coachSession/summary';
import { takeCoachJoinedSession } from '../src/documents/person';
import { CosmosBotStorage } from '../src/store/cosmosBotStorage';
import { silentLogger, testConfig } from './support/bot';
import { PersonalChat } from './support/chat';
import { GroupChat, submitData } from './support/groupChat';
import { cardText, ReplySink } from './support/replySink';
import { newUser, type TeamsUser } from './support/teams';

/**
 * A coach-joined session over HTTP: a coach and a member of staff in a Teams group chat with the bot, the
 * coach's private 1:1 chat with the bot, and the Teams stand-in answering the members API.
 */
describe('coach-joined session', () => {
  const teams = new ReplySink();
  const coach = newUser('Daniel Okafor');
  const quietCoach = newUser('Grace Adeyemi'); // a coach who has never opened a 1:1 chat with the bot
  let bot: RunningBot;
  let coachChat: PersonalChat;
  let people: CosmosBotStorage;
  let chats: CosmosBotStorage;

  beforeAll(async () => {
    await teams.start();
    bot = await startBot(testConfig({ COACH_IDS: `${coach.aadObjectId},${quietCoach.aadObjectId}` }), silentLogger, { outbox: { autoStart: false } });
    people = new CosmosBotStorage(bot.store.containers.programmes, 'userId');
    chats = new CosmosBotStorage(bot.store.containers.botState);
    coachChat = new PersonalChat(bot.url, teams, coach);
    await coachChat.say('hi'); // the coach's 1:1 chat, where the private guides go
  });
  afterAll(async () => {
    await bot.stop();
    await teams.stop();
  });

  const coachSees = () => teams.messagesTo(coachChat.conversationId);
  const coachSeesSince = (count: number) => coachSees().slice(count).map((a) => `${a.text ?? ''}\n${cardText(a)}`).join('\n---\n');
  /** The Save data of the latest guide card the coach was sent for a stage. */
  const guideFor = (stage: string) => {
    for (const a of [...coachSees()].reverse()) {
      const found = submitData(a.attachments?.map((x) => x.content), 'stageGuide', (d) => d.stage === stage);
      if (found) return found;
    }
    throw new Error(`no guide card for ${stage}`);
  };
  const sessionIn = async (group: GroupChat) => (await chats.readOne(`msteams/conversations/${group.conversationId}`))?.coachSession as any;
  const programmeOf = async (user: TeamsUser) => (await people.readOne(user.aadObjectId))?.programme as Programme | undefined;

  it('lets only a coach start a session, and checks who is in the chat', async () => {
    const client = newUser('Amara Mensah');
    const colleague = newUser('Priya Shah');
    const group = new GroupChat(bot.url, teams, [coach, client, colleague, quietCoach]);

    let seen = await group.say(client, 'start session');
    expect(seen.all).toMatch(/Only a coach can start a coaching session/);
    expect(await sessionIn(group)).toBeUndefined();

    // Two people who are not coaches (the other coach does not count): the coach must name the client.
    seen = await group.say(coach, 'start session');
    expect(seen.all).toMatch(/several people in this chat[\s\S]*mentioning them/);
    expect(teams.memberRequests).toContain(group.conversationId);
    seen = await group.say(coach, 'start session', [quietCoach]);
    expect(seen.all).toMatch(/The person you mentioned is a coach/);
    seen = await group.say(coach, 'start session', [newUser('Not Here')]);
    expect(seen.all).toMatch(/isn't a member of this chat/);
    expect(await sessionIn(group)).toBeUndefined();

    // A coach without a 1:1 chat with the bot could not receive the private guides.
    seen = await group.say(quietCoach, 'start session', [client]);
    expect(seen.all).toMatch(/Grace Adeyemi, I send the coach a private guide[\s\S]*Say hi to me in a 1:1 chat/);

    seen = await group.say(coach, 'start session', [client]);
    expect(seen.all).toMatch(/Welcome to session 1 of Amara Mensah's coaching, with Daniel Okafor/);
    const session = await sessionIn(group);
    expect(session.client).toMatchObject({ id: client.aadObjectId, name: 'Amara Mensah' });
    expect(session.coach).toMatchObject({ id: coach.aadObjectId });

    // A chat with nobody to coach.
    const alone = new GroupChat(bot.url, teams, [coach, quietCoach]);
    seen = await alone.say(coach, 'start session');
    expect(seen.all).toMatch(/I need the person you are coaching in this chat/);
  });

  it('walks a coach and a client through session 1: guides to the coach, scale and plan in the chat, summary to the client', async () => {
    const client = newUser('Sam Patel');
    const group = new GroupChat(bot.url, teams, [client, coach]);
    teams.membersPageSize = 1; // the members come one page at a time
    const privateNotes = ['PRIVATE-NOTE-ONE: ask about the interview panel next time', 'PRIVATE-NOTE-THREE: lots of quiet pride there'];
    let coachSeen = coachSees().length;

    // Stage 1: the chat sees the stage; the coach alone gets the guide.
    let seen = await group.say(coach, 'start session');
    teams.membersPageSize = 500;
    expect(teams.memberRequests.filter((id) => id === group.conversationId)).toHaveLength(2);
    expect(seen.all).toMatch(/Welcome to session 1 of Sam Patel's coaching, with Daniel Okafor/);
    expect(seen.all).toMatch(/Stage 1 of 7: What you want to work on/);
    expect(seen.all).not.toMatch(/Aim of this stage|Open questions|private notes/i);
    let privately = coachSeesSince(coachSeen);
    expect(privately).toMatch(/Stage 1 of 7: What you want to work on/);
    expect(privately).toMatch(/Session 1 with Sam Patel\. Only you can see this card/);
    expect(privately).toMatch(/Aim of this stage[\s\S]*why this goal now/);
    expect(privately).toMatch(/Imagine you wake up and a miracle has happened/);
    expect(privately).toMatch(/Their goal[\s\S]*Why this goal, and why now[\s\S]*Their preferred future[\s\S]*Costs of reaching the goal[\s\S]*Your private notes/);

    // Only the coach moves the session on: typed or pressed, the client is refused and nothing moves.
    seen = await group.say(client, 'next stage');
    expect(seen.all).toMatch(/Only Daniel Okafor, the coach, can move the session on/);
    seen = await group.submit(client, group.card('sessionStage', (d) => d.control === 'next'));
    expect(seen.all).toMatch(/Only Daniel Okafor, the coach, can move the session on/);
    expect((await sessionIn(group)).record.stage).toBe('goal');

    // The coach notes the client's answers and their own private notes in the 1:1 chat.
    seen = await coachChat.submit({
      ...guideFor('goal'),
      goal: 'Become a ward sister within two years',
      whyNow: 'A post is coming up on my ward',
      preferredFuture: 'Leading the shift with confidence',
      costs: 'Less time for my own patients',
      privateNotes: privateNotes[0],
    });
    expect(seen.all).toMatch(/Saved for stage 1 \(What you want to work on\)/);

    // Stage 2: the scaling card in the chat; only the client's tap counts.
    coachSeen = coachSees().length;
    seen = await group.submit(coach, group.card('sessionStage', (d) => d.control === 'next' && d.stage === 'goal'));
    expect(seen.all).toMatch(/Stage 2 of 7: Scaling/);
    expect(seen.all).toMatch(/Sam Patel, on a scale of 1 to 10[\s\S]*"Become a ward sister within two years"/);
    expect(coachSeesSince(coachSeen)).toMatch(/Stage 2 of 7: Scaling[\s\S]*What would one point higher look like/);
    const scale = seen.card('scaling');
    seen = await group.submit(coach, { ...scale, scale: 8 });
    expect(seen.all).toMatch(/only Sam Patel's own answer counts on the scale/);
    expect((await sessionIn(group)).record.scaling).toBeUndefined();
    seen = await group.submit(client, { ...scale, scale: 4 });
    expect(seen.all).toMatch(/Thank you, Sam: 4 out of 10/);

    // Stage 3, then back to 2 and on again; a button from an earlier stage does nothing.
    const stage2Next = group.card('sessionStage', (d) => d.control === 'next' && d.stage === 'scaling');
    seen = await group.say(coach, 'next stage');
    expect(seen.all).toMatch(/Stage 3 of 7: Your own successes/);
    seen = await group.say(coach, 'back');
    expect(seen.all).toMatch(/Stage 2 of 7: Scaling[\s\S]*You said 4 earlier/);
    seen = await group.say(coach, 'next stage');
    seen = await group.submit(coach, stage2Next);
    expect(seen.all).toMatch(/That button is from an earlier stage[\s\S]*stage 3/);
    expect((await sessionIn(group)).record.stage).toBe('personalSuccess');
    seen = await coachChat.submit({ ...guideFor('personalSuccess'), pastSuccesses: 'Ran the flu clinic last winter', strengths: 'Calm and organised', privateNotes: privateNotes[1] });
    expect(seen.all).toMatch(/Saved for stage 3/);

    // Stages 4 and 5.
    seen = await group.say(coach, 'next stage');
    expect(seen.all).toMatch(/Stage 4 of 7: Success in others/);
    await coachChat.submit({ ...guideFor('othersSuccess'), roleModels: 'My ward manager, Jo' });
    seen = await group.say(coach, 'next stage');
    expect(seen.all).toMatch(/Stage 5 of 7: Acknowledgement/);
    await coachChat.submit({ ...guideFor('acknowledgement'), resources: 'A supportive team and the leadership course' });

    // Stage 6: the action plan, which the client and the coach can both edit.
    seen = await group.say(coach, 'next stage');
    expect(seen.all).toMatch(/Stage 6 of 7: Action and obstacles/);
    expect(seen.all).toMatch(/Sam Patel's action plan/);
    const plan = seen.card('actionPlan');
    seen = await group.submit(client, { ...plan, action1: 'Ask Jo about shadowing a shift', byWhen1: '2027-01-15' });
    expect(seen.all).toMatch(/Plan saved by Sam Patel: one action/);
    seen = await group.submit(coach, {
      ...plan,
      action1: 'Ask Jo about shadowing a shift',
      byWhen1: '2027-01-15',
      action2: 'Read the band 7 job description',
      obstacle1: 'No time on shift',
      overcome1: 'Book it in my diary',
    });
    expect(seen.all).toMatch(/Plan saved by Daniel Okafor: 2 actions/);

    // Stage 7: re-scaling, and what to keep in mind.
    seen = await group.say(coach, 'next stage');
    expect(seen.all).toMatch(/Stage 7 of 7: Review[\s\S]*looking back over this session/);
    expect(seen.all).toMatch(/At the start of this session you said 4/);
    seen = await group.submit(client, { ...seen.card('scaling'), scale: 6 });
    expect(seen.all).toMatch(/From 4 to 6: that's real movement/);
    await coachChat.submit({ ...guideFor('review'), keepInMind: 'Asking early works for me' });

    // Ending needs the coach's confirmation; the client's yes does not count.
    seen = await group.say(coach, 'end session');
    expect(seen.all).toMatch(/End the session now\?/);
    seen = await group.say(client, 'Yes, end the session');
    expect(seen.all).toMatch(/Only Daniel Okafor, the coach, can end the session/);
    expect(await sessionIn(group)).toBeDefined();
    coachSeen = coachSees().length;
    seen = await group.submit(coach, { say: 'Yes, end the session' });

    // The review card in the chat, in the client's own words.
    expect(seen.all).toMatch(/Session 1 summary/);
    expect(seen.all).toMatch(/Become a ward sister within two years/);
    expect(seen.all).toMatch(/Start of session 1[\s\S]*End of session 1/);
    expect(seen.all).toMatch(/Calm and organised/);
    expect(seen.all).toMatch(/My ward manager, Jo/);
    expect(seen.all).toMatch(/Ask Jo about shadowing a shift/);
    expect(seen.all).toMatch(/That's the end of session 1[\s\S]*saved to your own coaching/);

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
    const notesAtTheEnd = coachSeesSince(coachSeen);
    expect(notesAtTheEnd).toMatch(/Session 1 with Sam Patel has ended and its summary is saved/);
    for (const note of privateNotes) {
      expect(notesAtTheEnd).toContain(note);
      expect(group.transcript()).not.toContain(note);
      expect(JSON.stringify(await people.readOne(client.aadObjectId))).not.toContain(note);
    }
    expect(JSON.stringify(await chats.readOne(`msteams/conversations/${group.conversationId}`))).not.toMatch(/PRIVATE-NOTE/);
    expect(await sessionIn(group)).toBeUndefined();

    // The client carries on in their own 1:1 chat: self-guided session 2 follows the coach-joined session 1.
    const clientChat = new PersonalChat(bot.url, teams, client);
    seen = await clientChat.startCoaching();
    expect(seen.all).toMatch(/Welcome to your second session\. Last time you set a goal: "Become a ward sister within two years"/);
  });

  it("schedules the client's plan check-in when a coach-joined session 1 ends, as after a session 1 on their own", async () => {
    const client = newUser('Robin Shaw');
    const group = new GroupChat(bot.url, teams, [coach, client]);
    const jobsFor = async (user: TeamsUser) =>
      (await bot.store.containers.jobs.items.query<Job>('SELECT * FROM c').fetchAll()).resources.filter((j) => j.recipientUserId === user.aadObjectId);
    await group.say(coach, 'start session');
    await group.say(coach, 'end session');
    const ended = Date.now();
    const seen = await group.submit(coach, { say: 'Yes, end the session' });
    expect(seen.all).toMatch(/That's the end of session 1/);

    const programme = (await programmeOf(client))!;
    expect(programme.sessions['1']!.completedAt).toEqual(expect.any(String));
    const jobs = await jobsFor(client);
    expect(jobs).toEqual([
      expect.objectContaining({ kind: 'planCheckIn', state: 'pending', recipientUserId: client.aadObjectId, payload: { programmeStartedAt: programme.startedAt } }),
    ]);
    // PLAN_CHECK_IN_DAYS (14 by default) after the session ended.
    expect(Date.parse(jobs[0]!.dueAt)).toBeGreaterThanOrEqual(ended + 14 * 24 * 3600_000);
    expect(Date.parse(jobs[0]!.dueAt)).toBeLessThan(Date.now() + 14 * 24 * 3600_000);
  });

  it("points a coach whose notes mention risk to the support route, saves the notes, and refers no one", async () => {
    const client = newUser('Jo Hart');
    const group = new GroupChat(bot.url, teams, [coach, client]);
    await group.say(coach, 'start session');
    const referralsBefore = (await bot.store.containers.referrals.items.query('SELECT * FROM c WHERE c.docType = "referral"').fetchAll()).resources.length;
    const seen = await coachChat.submit({ ...guideFor('goal'), goal: 'Settle into the new team', privateNotes: 'Mentioned wanting to end it all' });
    expect(seen.all).toMatch(/Your notes are saved\. They mention something that may mean your client needs support/);
    expect(seen.all).not.toMatch(/Are you safe right now/);
    expect((await bot.store.containers.referrals.items.query('SELECT * FROM c WHERE c.docType = "referral"').fetchAll()).resources).toHaveLength(referralsBefore);
    expect((await sessionIn(group)).record.goal?.text).toBe('Settle into the new team');
  });

  it('moves the session to support when the risk gate responds, and tells the coach privately', async () => {
    const client = newUser('Lee Carter');
    const group = new GroupChat(bot.url, teams, [coach, client]);
    await group.say(coach, 'start session');
    let seen = await group.say(coach, 'next stage');
    expect(seen.all).toMatch(/Stage 2 of 7: Scaling/);
    const scale = seen.card('scaling');
    const coachSeen = coachSees().length;

    seen = await group.say(client, 'I keep thinking about hurting myself');
    expect(seen.all).toMatch(/Are you safe right now\?/);
    const told = coachSeesSince(coachSeen);
    expect(told).toMatch(/Your coaching session with Lee Carter has moved to support/);
    expect(told).toMatch(/The session is paused/);
    expect(told).not.toMatch(/hurting/);
    expect((await sessionIn(group)).status).toBe('support');

    // Nothing moves on while the chat is in support.
    seen = await group.say(coach, 'next stage');
    expect(seen.all).toMatch(/Coaching is stopped for now/);
    seen = await group.submit(client, { ...scale, scale: 5 });
    const paused = await sessionIn(group);
    expect(paused.record.stage).toBe('scaling');
    expect(paused.record.scaling).toBeUndefined();
    expect(await programmeOf(client)).toBeUndefined();
  });

  it("saves to the client's programme only if their document is unchanged since it was read, reading it again after a 412", async () => {
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
    let raced = 0;
    const racing = Object.create(people) as CosmosBotStorage;
    racing.readOne = async (k: string) => {
      const read = await people.readOne(k);
      if (raced++ === 0) {
        const { eTag, ...doc } = read!;
        await people.writeIfUnchanged(k, { ...doc, lastMessageAt: '2026-11-24T10:00:00.000Z' }, eTag);
      }
      return read;
    };
    const record: SessionRecord = { number: 1, startedAt: '2026-11-24T09:30:00.000Z', completedAt: '2026-11-24T10:30:00.000Z', stage: 'review', goal: { text: 'Lead the falls audit' } };

    expect(await saveToClientProgramme(key, record, { people: racing, takeCoachJoinedSession, logger: silentLogger })).toBe('saved');
    expect(raced).toBe(2); // read, refused (412), read again, written
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
    const group = new GroupChat(bot.url, teams, [coach, client]);
    await group.say(coach, 'start session');
    const coachSeen = coachSees().length;
    let seen = await group.say(client, 'I feel completely burnt out');
    expect(seen.all).toMatch(/Stress Support and Wellbeing/);
    expect(coachSeesSince(coachSeen)).toMatch(/Your coaching session with Ola Bello has moved to support[\s\S]*Stress Support and Wellbeing service/);
    expect((await sessionIn(group)).status).toBe('support');

    seen = await group.say(coach, 'next stage');
    expect(seen.all).toMatch(/This session is paused because support was offered in this chat/);
    seen = await group.say(coach, 'start session');
    expect(seen.all).toMatch(/Coaching is still paused in this chat while support is offered/);
    seen = await group.say(client, 'next stage');
    expect(seen.all).toMatch(/Only Daniel Okafor, the coach, can move the session on/);
    expect((await sessionIn(group)).record.stage).toBe('goal');
  });
});
