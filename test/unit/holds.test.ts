import { describe, expect, it } from 'vitest';
import { addHold, holdEnded, MAX_ACTIVE_HOLDS, MAX_ENDED_HOLDS, type Hold } from '../../shared/domain/collections.ts';

const now = new Date('2027-01-10T12:00:00Z');
const hold = (id: string, extra: Partial<Hold> = {}): Hold => ({ id, reason: id, createdAt: '2027-01-01T00:00:00.000Z', ...extra });

describe('holds: active ones are never dropped', () => {
  it('a hold ends when released or expired (expiry at now counts as ended)', () => {
    expect(holdEnded(hold('a'), now)).toBe(false);
    expect(holdEnded(hold('b', { releasedAt: '2027-01-05T00:00:00.000Z' }), now)).toBe(true);
    expect(holdEnded(hold('c', { expiresAt: now.toISOString() }), now)).toBe(true);
    expect(holdEnded(hold('d', { expiresAt: '2027-01-11T00:00:00.000Z' }), now)).toBe(false);
  });

  it(`refuses a hold when ${MAX_ACTIVE_HOLDS} are active, whatever the ended history`, () => {
    const active = Array.from({ length: MAX_ACTIVE_HOLDS }, (_, i) => hold(`active${i}`));
    expect(addHold(active, hold('new'), now)).toBe('limit');
    const withEnded = [...active.slice(1), hold('gone', { releasedAt: '2027-01-02T00:00:00.000Z' })];
    expect(addHold(withEnded, hold('new'), now)).toHaveLength(MAX_ACTIVE_HOLDS + 1);
  });

  it(`keeps every active hold and drops ended ones beyond ${MAX_ENDED_HOLDS}, oldest first`, () => {
    const legal = hold('legal');
    const ended = Array.from({ length: MAX_ENDED_HOLDS + 5 }, (_, i) => hold(`ended${i}`, { expiresAt: '2027-01-05T00:00:00.000Z' }));
    const result = addHold([legal, ...ended], hold('new'), now);
    expect(result).not.toBe('limit');
    const ids = (result as Hold[]).map((h) => h.id);
    expect(ids[0]).toBe('legal');
    expect(ids.at(-1)).toBe('new');
    expect(ids.filter((id) => id.startsWith('ended'))).toEqual(ended.slice(5).map((h) => h.id));
  });
});
