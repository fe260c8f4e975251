import { httpHandler } from '../../shared/http/api.ts';

export const handler = httpHandler({});
