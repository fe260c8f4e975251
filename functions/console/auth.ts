import type { Route } from '../../shared/http/api.ts';
import type { ConsoleRoute } from '../../shared/http/console.ts';

/** Routes without a session: the sign-in form and the mailed link's page (TO BE BUILT: console sign-in). */
export const signInRoutes: Record<string, Route> = {};
/** Signed-in auth routes: sign-out (TO BE BUILT: console sign-in). */
export const signedInAuthRoutes: Record<string, ConsoleRoute> = {};
