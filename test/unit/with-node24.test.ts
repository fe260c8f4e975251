import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The launcher behind `npm start` / `npm test`: the command runs on Node ≥ 24 and its exit status comes back.
const launcher = 'local/with-node24.mjs';

describe('with-node24 launcher', () => {
  it('runs the command on Node 24 or later', () => {
    const out = spawnSync('node', [launcher, 'node', '-p', 'process.versions.node'], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(Number(out.stdout.trim().split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  it('passes the exit status of the command through', () => {
    const out = spawnSync('node', [launcher, 'node', '-e', 'process.exit(3)'], { encoding: 'utf8' });
    expect(out.status).toBe(3);
  });

  it('says how to use it when no command is given', () => {
    const out = spawnSync('node', [launcher], { encoding: 'utf8' });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('usage');
  });
});
