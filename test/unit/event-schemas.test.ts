/**
 * The event schemas in docs/events/ are what the catalog generates (npm run events:schemas), every one of the 19 event
 * types has a spec, and the schemas are valid JSON Schema 2020-12 that a real validator (Ajv) applies as the catalog's
 * zod schemas do. (Envelopes the running stack published are checked against these files in
 * test/integration/events-outbox.test.ts.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { EVENT_DOCS_DIR, eventDocs, schemaFileName, schemaId } from '../../local/event-schemas.ts';
import { envelopeSchema, eventCatalog, typesWithoutSpec } from '../../shared/domain/events/catalog.ts';
import { EVENT_TYPES, eventId, type EventType } from '../../shared/domain/events/envelope.ts';

const generated = eventDocs();
const specified = EVENT_TYPES.filter((t) => eventCatalog[t]);

function validator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  return ajv;
}

describe('the event catalog', () => {
  it('has a spec for every one of the 19 event types', () => {
    expect(EVENT_TYPES).toHaveLength(19);
    expect(typesWithoutSpec(), 'event types without a spec in shared/domain/events/{payments,casework,collections}.ts').toEqual([]);
  });

  it.each(specified)('%s: data fields are described (the JSON Schema documents every field)', (type) => {
    const undescribed: string[] = [];
    const walk = (schema: Record<string, unknown>, path: string) => {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [name, sub] of Object.entries(properties)) {
        const items = (sub.items ?? undefined) as Record<string, unknown> | undefined;
        const inner = sub.anyOf ? undefined : sub;
        if (!sub.description) undescribed.push(`${path}${name}`);
        if (inner?.properties) walk(inner, `${path}${name}.`);
        if (items?.properties) walk(items, `${path}${name}[].`);
      }
    };
    const schema = JSON.parse(generated.get(schemaFileName(type, eventCatalog[type]!.version)) as string) as Record<string, unknown>;
    walk((schema.properties as Record<string, Record<string, unknown>>).data as Record<string, unknown>, 'data.');
    expect(undescribed).toEqual([]);
  });
});

describe('docs/events/', () => {
  const onDisk = readdirSync(EVENT_DOCS_DIR).sort();

  it('holds exactly the generated files (npm run events:schemas)', () => {
    expect(onDisk, 'run npm run events:schemas').toEqual([...generated.keys()].sort());
  });

  it.each([...generated.keys()])('%s is what the catalog generates (npm run events:schemas)', (name) => {
    const text = onDisk.includes(name) ? readFileSync(join(EVENT_DOCS_DIR, name), 'utf8') : '';
    expect(text, `${name} differs from the catalog: run npm run events:schemas`).toBe(generated.get(name));
  });

  it('the README lists every type with its version and description', () => {
    const readme = generated.get('README.md') as string;
    for (const type of EVENT_TYPES) {
      const spec = eventCatalog[type];
      expect(readme).toContain(spec ? `| \`${type}\` | ${spec.version} | [${schemaFileName(type, spec.version)}]` : `| \`${type}\` | — |`);
    }
  });
});

describe('the schemas, applied by a JSON Schema 2020-12 validator (Ajv)', () => {
  const ajv = validator();
  const schemas = specified.map((type) => {
    const schema = JSON.parse(generated.get(schemaFileName(type, eventCatalog[type]!.version)) as string) as Record<string, unknown>;
    return { type, schema, validate: ajv.compile(schema) };
  });

  it.each(specified)('%s: a valid, strict JSON Schema 2020-12 with its $id, title and description', (type) => {
    const { schema } = schemas.find((s) => s.type === type)!;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(schemaId(type, eventCatalog[type]!.version));
    expect(schema.title).toBe(`${type} v${eventCatalog[type]!.version}`);
    expect(String(schema.description)).toContain(eventCatalog[type]!.description);
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'type', 'version', 'occurredAt', 'customerId', 'data']));
  });

  it.each(specified)('%s: the envelope is checked as zod checks it (id, type, version, time); unknown fields: refused by the producer, allowed to consumers', (type) => {
    const { validate } = schemas.find((s) => s.type === type)!;
    const zod = envelopeSchema(type);
    const version = eventCatalog[type]!.version;
    // `data` left empty: whatever the type requires, both refuse it for the same field; the envelope's own checks
    // are what each case changes.
    const base = { id: eventId(type, 'k'), type, version, occurredAt: '2026-12-01T09:30:00.000Z', customerId: 'cus_1', data: {} };
    const cases: [string, Record<string, unknown>][] = [
      ['a wrong id', { ...base, id: 'evt_short' }],
      ['another type', { ...base, type: type === 'invoice.paid' ? 'invoice.issued' : 'invoice.paid' }],
      ['another version', { ...base, version: version + 1 }],
      ['a time that is not ISO 8601', { ...base, occurredAt: '1 December 2026' }],
      ['no customerId', Object.fromEntries(Object.entries(base).filter(([k]) => k !== 'customerId'))],
    ];
    for (const [what, envelope] of cases) {
      expect(validate(envelope), `Ajv accepts ${what}`).toBe(false);
      expect(zod.safeParse(envelope).success, `zod accepts ${what}`).toBe(false);
    }
  });

  it('a whole envelope from the catalog (newEvent) passes both, and fails both when a data field is removed', async () => {
    const { newEvent } = await import('../../shared/domain/events/catalog.ts');
    const type: EventType = 'plan.completed';
    const data = { planId: 'plan_1', invoiceIds: ['inv_1', 'inv_2'], currency: 'EUR', amount: 120_000, instalmentCount: 4, completedAt: '2026-12-01T09:30:00.000Z' };
    const envelope = newEvent(type, 'plan_1', data, { occurredAt: '2026-12-01T09:30:00.000Z', customerId: 'cus_1', correlationId: 'req-1' });
    const { validate } = schemas.find((s) => s.type === type)!;
    expect(validate(envelope), JSON.stringify(validate.errors)).toBe(true);
    expect(envelopeSchema(type).safeParse(envelope).success).toBe(true);
    // A field added later (an additive change keeps the version): a consumer's v1 schema still accepts the envelope;
    // the producer's own check refuses anything undocumented.
    const withAdditions = { ...envelope, traceparent: 'x', data: { ...envelope.data, note: 'added in a later release' } };
    expect(validate(withAdditions), JSON.stringify(validate.errors)).toBe(true);
    expect(envelopeSchema(type).safeParse(withAdditions).success).toBe(false);
    const { amount: _amount, ...withoutAmount } = envelope.data;
    expect(validate({ ...envelope, data: withoutAmount })).toBe(false);
    expect(envelopeSchema(type).safeParse({ ...envelope, data: withoutAmount }).success).toBe(false);
  });
});
