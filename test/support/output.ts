import { vi } from 'vitest';

/**
 * Every JSON line written to stdout or stderr while `run` runs, parsed — what Powertools writes there: log lines
 * (Logger) and EMF metric lines (Metrics). Both streams are captured and silenced for the duration, then restored.
 */
export async function jsonOutput(run: () => Promise<unknown> | unknown): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
