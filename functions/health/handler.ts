import { httpHandler, json } from '../../shared/http/api.ts';

export const handler = httpHandler({
  'GET /health': async () => json(200, { status: 'ok' }),
});
