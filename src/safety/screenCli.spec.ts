import { screenLine, screenLines } from './screenCli';
import { screenMessage } from './screenMessage';

describe('screenCli', () => {
  it('adds level and reasons to each line, keeping other fields, in order', () => {
    const input = [
      JSON.stringify({ id: 1, text: 'I want to end it all', label: 'urgent' }),
      JSON.stringify({ id: 2, text: "I'm so stressed about the audit" }),
      JSON.stringify({ id: 3, text: 'Can I book a coaching session?' }),
    ].join('\n');
    const out = screenLines(input)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toEqual([
      { id: 1, text: 'I want to end it all', label: 'urgent', level: 'urgent', reasons: ['suicidal-ideation'] },
      { id: 2, text: "I'm so stressed about the audit", level: 'wellbeing', reasons: expect.arrayContaining(['stress']) },
      { id: 3, text: 'Can I book a coaching session?', level: 'none', reasons: [] },
    ]);
  });

  it('uses exactly screenMessage, with the question and history when given', () => {
    const question = 'Where would you like to be in six months?';
    for (const text of ['kms', 'this rota is killing me', "I'm not suicidal", 'panic attack in the sluice', 'Not here', "I've been giving my things away"]) {
      const out = JSON.parse(screenLine(JSON.stringify({ text }), 1)!) as Record<string, unknown>;
      const { level, reasons } = screenMessage({ text });
      expect({ level: out.level, reasons: out.reasons }).toEqual({ level, reasons });
      const history = ['I am so done with everything'];
      const withContext = JSON.parse(screenLine(JSON.stringify({ text, question, history }), 1)!) as Record<string, unknown>;
      const expected = screenMessage({ text, question, history });
      expect({ level: withContext.level, reasons: withContext.reasons }).toEqual({ level: expected.level, reasons: expected.reasons });
    }
  });

  it('refuses a question or history of the wrong shape, without echoing text into the error', () => {
    expect(JSON.parse(screenLine(JSON.stringify({ text: 'ok', question: 3 }), 1)!)).toMatchObject({ line: 1, error: 'expected "question" to be a string' });
    expect(JSON.parse(screenLine(JSON.stringify({ text: 'ok', history: 'not a list' }), 2)!)).toMatchObject({ line: 2, error: 'expected "history" to be a list of strings' });
  });

  it('reports malformed lines with an error and carries on', () => {
    const input = ['{"text": "I want to die"}', '{not json', '[1,2]', '{"id": 7, "text": 42}', 'null', '{"text": "fine thanks"}'].join(
      '\n',
    );
    const out = screenLines(input)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toHaveLength(6);
    expect(out[0]).toMatchObject({ level: 'urgent' });
    expect(out[1]).toEqual({ line: 2, error: 'not valid JSON' });
    expect(out[2]).toEqual({ line: 3, error: 'expected a JSON object' });
    expect(out[3]).toEqual({ id: 7, text: 42, line: 4, error: 'expected a string "text" field' });
    expect(out[4]).toEqual({ line: 5, error: 'expected a JSON object' });
    expect(out[5]).toMatchObject({ text: 'fine thanks', level: 'none', reasons: [] });
  });

  it('skips blank lines, accepts CRLF and returns nothing for empty input', () => {
    expect(screenLines('')).toBe('');
    expect(screenLines('\n\n  \n')).toBe('');
    const out = screenLines('{"text":"I can\'t go on"}\r\n\r\n{"text":"hello"}\r\n').trimEnd().split('\n');
    expect(out).toHaveLength(2);
    expect(JSON.parse(out[0]!)).toMatchObject({ level: 'urgent' });
  });

  it('never puts message text into an error line', () => {
    const secret = 'zqsecretwords I want to die';
    const out = screenLine(`{"text": "${secret}"`, 1)!;
    expect(out).not.toContain('zqsecret');
  });
});
