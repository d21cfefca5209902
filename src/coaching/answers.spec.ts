import { clipAnswer, MAX_ANSWER_CHARS, saysDontKnow, saysNoMore } from './answers';

describe('reading answers', () => {
  it('keeps answers up to the bound and says when it cut one', () => {
    expect(clipAnswer('  a short answer \r\n')).toEqual({ text: 'a short answer', clipped: false });
    const long = clipAnswer('x'.repeat(MAX_ANSWER_CHARS + 50));
    expect(long.clipped).toBe(true);
    expect(long.text).toHaveLength(MAX_ANSWER_CHARS);
  });

  it('does not split an emoji when cutting', () => {
    const { text } = clipAnswer('🙂'.repeat(3), 2);
    expect(text).toBe('🙂🙂');
  });

  it.each(['no', 'Nope.', "that's all", "That's all I can think of", 'Nothing else', "I can't think of anything else", 'done'])('hears "%s" as no more', (text) => {
    expect(saysNoMore(text)).toBe(true);
  });

  it.each(['no one has ever helped me like that', 'nothing stops me when I plan ahead', 'I led the night shift'])(
    'does not hear "%s" as no more',
    (text) => expect(saysNoMore(text)).toBe(false),
  );

  it('hears a short "I don\'t know" but not a long answer that contains it', () => {
    expect(saysDontKnow("I don't know")).toBe(true);
    expect(saysDontKnow('honestly not sure')).toBe(true);
    expect(saysDontKnow("I'd be calmer on handover, I don't know, maybe I'd leave on time and see my kids")).toBe(false);
  });
});
