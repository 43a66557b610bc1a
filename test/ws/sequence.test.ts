import { describe, expect, it } from 'vitest';
import { SequenceTracker } from '../../src/kraken/ws/sequence.js';

describe('SequenceTracker', () => {
  it('in order is next; a number seen again is a duplicate', () => {
    const s = new SequenceTracker();
    expect([1, 2, 3].map((n) => s.observe(n))).toEqual(['next', 'next', 'next']);
    expect(s.observe(3)).toBe('duplicate');
    expect(s.observe(2)).toBe('duplicate');
    expect(s.observe(4)).toBe('next');
  });

  it('a jump forward is a gap; the skipped number arriving afterwards is late, then a duplicate', () => {
    const s = new SequenceTracker();
    s.observe(1);
    expect(s.observe(3)).toBe('gap');
    expect(s.observe(2)).toBe('late');
    expect(s.observe(2)).toBe('duplicate');
    expect(s.observe(4)).toBe('next');
  });

  it('no sequence is none; reset forgets the old subscription', () => {
    const s = new SequenceTracker();
    expect(s.observe(null)).toBe('none');
    s.observe(5);
    s.reset();
    expect(s.observe(1)).toBe('next');
    expect(s.observe(5)).toBe('gap');
  });

  it('remembers a bounded number of sequences', () => {
    const s = new SequenceTracker();
    for (let n = 1; n <= 1000; n += 1) expect(s.observe(n)).toBe('next');
    expect(s.observe(1000)).toBe('duplicate');
    expect(s.observe(1)).toBe('late'); // long forgotten: no longer known as seen
  });
});
