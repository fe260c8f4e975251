import { getHeader, httpHandler, json, jsonBody, rawBody } from '../../shared/http/api.ts';
import { parseImportCsv } from '../../shared/domain/invoice-import.ts';
import { Invalid } from '../../shared/services/errors.ts';
import { importInvoices } from '../../shared/services/imports.ts';

/** `POST /imports/invoices`: CSV (text/csv, a header row) or JSON (an array of rows, or `{ rows: [...] }`). */
export const handler = httpHandler({
  'POST /imports/invoices': async (event) => {
    const type = (getHeader(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    let rows: unknown[];
    if (type === 'text/csv') {
      const parsed = parseImportCsv(rawBody(event).toString('utf8'));
      if ('error' in parsed) throw new Invalid('body', parsed.error);
      rows = parsed.rows;
    } else if (type === 'application/json') {
      const body = jsonBody(event);
      const list = Array.isArray(body) ? body : (body as { rows?: unknown } | null)?.rows;
      if (!Array.isArray(list)) throw new Invalid('rows', 'must be an array of invoice rows (or { "rows": [...] })');
      rows = list;
    } else throw new Invalid('content-type', 'must be text/csv or application/json');
    return json(200, await importInvoices(rows, new Date(event.requestContext.timeEpoch)));
  },
});
