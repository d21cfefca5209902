/**
 * "export my data" and "delete my data". Everything the bot keeps about a person in a 1:1 chat is one
 * document (./person.ts: their programme, place in the dialogs, safety state, how to reach them) plus any
 * referrals made about them. The export is a readable summary and, with Teams' file consent, the whole
 * document as a JSON file.
 */
import { randomUUID } from 'node:crypto';
import type { Attachment, TurnContext } from 'botbuilder';
import { z } from 'zod';
import { latestScale, sessionRecord } from '../coaching/programme';
import type { Referral } from '../safety/referrals';
import type { Referrals } from '../safety/referralsPort';
import { takeExport, type PersonDocument } from './person';

export function referralsAbout(referrals: Referrals, userId: string): Promise<Referral[]> {
  return referrals.about(userId);
}

/** The whole record, as it will be written to the export file. */
export function exportDocument(userId: string, record: PersonDocument, referrals: Referral[], now = new Date()) {
  const { pendingExport: _pending, ...stored } = record;
  return {
    exportedAt: now.toISOString(),
    userId,
    whereThisIsKept: {
      programme:
        'Cosmos DB container "programmes" (your coaching answers, ratings, plans, your place in a session and safety status, including any direct safety questions and your answers; and, for up to six hours, your last three messages and the bot\'s last question, which the risk gate reads each new message with)',
      referrals: 'Cosmos DB container "referrals" (referrals to the service leads: your name, why, when, what you were shown; never your messages)',
    },
    programme: stored,
    referrals: referrals.map(({ id, level, trigger, shown, consented, createdAt, status, acknowledged, personSaid }) => ({
      id,
      level,
      trigger,
      shown,
      consented,
      createdAt,
      status,
      acknowledged,
      personSaid,
    })),
  };
}

export function exportSummary(record: PersonDocument, referrals: Referral[]): string {
  const programme = record.programme;
  const lines = ["Here's what I keep about you:"];
  if (!programme) {
    lines.push('- No coaching answers yet.');
  } else {
    for (const n of [1, 2] as const) {
      const s = sessionRecord(programme, n);
      if (!s) continue;
      lines.push(`- Session ${n}: ${s.completedAt ? 'completed' : `in progress (stage: ${s.stage})`}${s.goal?.text ? `; goal: "${s.goal.text}"` : ''}`);
      if (s.actionPlan) lines.push(`  Action plan: ${count(s.actionPlan.actions.length, 'action')}, ${count(s.actionPlan.obstacles.length, 'obstacle')}`);
    }
    const scale = latestScale(programme);
    if (scale !== undefined) lines.push(`- Latest rating: ${scale} out of 10`);
  }
  if (record.safety && record.safety.status !== 'clear') lines.push(`- Coaching is ${record.safety.status === 'urgentStop' ? 'stopped' : 'paused'} for your wellbeing`);
  lines.push(
    referrals.length
      ? `- Referrals to the service leads: ${referrals.map((r) => `${r.level} on ${r.createdAt.slice(0, 10)} (${r.status})`).join('; ')}`
      : '- No referrals.',
  );
  lines.push('', 'The complete record is in the file below: press Allow to save it to your OneDrive.');
  return lines.join('\n');
}

/** Teams asks the person's permission before the bot may put a file in their OneDrive. */
export function fileConsentCard(exportId: string, sizeInBytes: number): Attachment {
  return {
    contentType: 'application/vnd.microsoft.teams.card.file.consent',
    name: 'my-coaching-data.json',
    content: {
      description: 'Everything the coaching bot keeps about you (JSON)',
      sizeInBytes,
      acceptContext: { exportId },
      declineContext: { exportId },
    },
  };
}

/** How long the upload to OneDrive may take before the person is told it failed (Teams waits 15 s for an invoke). */
const UPLOAD_TIMEOUT_MS = 10_000;

const fileConsentInvoke = z.object({
  type: z.literal('fileUpload'),
  action: z.enum(['accept', 'decline']),
  context: z.object({ exportId: z.string().max(100) }).optional(),
  uploadInfo: z
    .object({
      name: z.string().max(300),
      uploadUrl: z.url({ protocol: /^https?$/ }),
      contentUrl: z.string().max(2000),
      uniqueId: z.string().max(300).optional(),
      fileType: z.string().max(50).optional(),
    })
    .optional(),
});

/**
 * Handles Teams' `fileConsent/invoke`: on Allow, the record is read afresh and uploaded to the URL Teams
 * gives, then a file card is posted. Only the export this person asked for (by id) is honoured.
 */
export async function fileConsentAnswered(context: TurnContext, record: PersonDocument, referrals: Referrals, userId: string): Promise<void> {
  const parsed = fileConsentInvoke.safeParse(context.activity.value);
  const answer = (status: number) => context.sendActivity({ type: 'invokeResponse', value: { status } });
  if (!parsed.success || !takeExport(record, parsed.data.context?.exportId)) {
    await answer(400);
    await context.sendActivity('That file request is out of date. Type "export my data" to get a fresh one.');
    return;
  }
  if (parsed.data.action === 'decline' || !parsed.data.uploadInfo) {
    await answer(200);
    await context.sendActivity("OK, I haven't saved the file. You can ask again at any time.");
    return;
  }
  const info = parsed.data.uploadInfo;
  const body = Buffer.from(JSON.stringify(exportDocument(userId, record, await referralsAbout(referrals, userId)), null, 2));
  // OneDrive refusing the file and the upload failing on the way are the same to the person: the request is
  // used up either way, so they are told how to get a fresh one.
  const uploaded = await fetch(info.uploadUrl, {
    method: 'PUT',
    headers: { 'Content-Length': String(body.length), 'Content-Range': `bytes 0-${body.length - 1}/${body.length}` },
    body,
    signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
  }).then(
    (response) => response.ok,
    () => false,
  );
  await answer(200);
  if (!uploaded) {
    await context.sendActivity('Sorry, I couldn\'t save the file to your OneDrive. Type "export my data" in a moment to try again.');
    return;
  }
  await context.sendActivity({
    attachments: [
      {
        contentType: 'application/vnd.microsoft.teams.card.file.info',
        contentUrl: info.contentUrl,
        name: info.name,
        content: { uniqueId: info.uniqueId, fileType: info.fileType ?? 'json' },
      },
    ],
  });
}

const count = (n: number, thing: string) => `${n} ${thing}${n === 1 ? '' : 's'}`;

export function newExportId(): string {
  return randomUUID();
}

export function exportSize(userId: string, record: PersonDocument, referrals: Referral[]): number {
  return Buffer.byteLength(JSON.stringify(exportDocument(userId, record, referrals), null, 2));
}

export const deletionExplained =
  'This will delete your coaching answers, ratings, action plans and your place in the sessions. It cannot be undone. Referrals already sent to the service leads are kept, because the service must keep a record of them; they hold your name and why you were referred, never your messages. Delete your data?';
