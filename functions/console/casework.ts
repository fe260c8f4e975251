import type { ConsoleRoute } from '../../shared/http/console.ts';

/** Console routes: questions and plans (TO BE BUILT). */
export const caseworkRoutes: Record<string, ConsoleRoute> = {};
