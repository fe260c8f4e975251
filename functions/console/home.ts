import type { ConsoleRoute } from '../../shared/http/console.ts';

/** Console routes: the worklist home page (GET /console) (TO BE BUILT). */
export const homeRoutes: Record<string, ConsoleRoute> = {};
