import { describe, expect, it } from 'vitest';
import { consoleSignIn } from '../support/console.ts';

describe('console sign-in', () => {
  it('signs a collector in through the mailed link', async () => {
    const staff = await consoleSignIn({ role: 'collector' });
    expect(staff.staffId).toMatch(/^stf_[0-9a-f]{32}$/);
    const home = await staff.get('/console');
    expect([200, 404]).toContain(home.status);
    expect(home.text).toContain('Sign out');
  });
});
