import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The lint rule that keeps shared/domain pure (eslint.config.js), checked on a probe file placed in the domain. */
describe('lint: shared/domain imports nothing from store, services, adapters or http', () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const restricted = async (source: string, filePath = 'shared/domain/probe.ts') => {
    const [result] = await eslint.lintText(`${source}\nexport const probe = x;\n`, { filePath });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').length;
  };

  it.each([
    "import { x } from '../http/api.ts';",
    "import { x } from '../store/customers.ts';",
    "import { x } from '../services/links.ts';",
    "import { x } from '../adapters/events.ts';",
    "import type { x } from '../store/table.ts';",
    "import { x } from '@aws-sdk/client-dynamodb';",
    "import x from 'stripe';",
  ])('refuses %s in a domain module', async (source) => {
    expect(await restricted(source)).toBe(1);
  }, 30_000);

  it('allows domain-to-domain imports, and the same imports outside the domain', async () => {
    expect(await restricted("import { x } from './money.ts';")).toBe(0);
    expect(await restricted("import { x } from '../store/customers.ts';", 'shared/services/probe.ts')).toBe(0);
  }, 30_000);
});
