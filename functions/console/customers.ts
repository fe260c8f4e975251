import type { ConsoleRoute } from '../../shared/http/console.ts';

/** Console routes: customers, invoices and their actions (TO BE BUILT). */
export const customerRoutes: Record<string, ConsoleRoute> = {};
