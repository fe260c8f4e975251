import type { ConsoleRoute } from '../../shared/http/console.ts';

/** Console routes: payments to review and their allocation (TO BE BUILT). */
export const paymentRoutes: Record<string, ConsoleRoute> = {};
