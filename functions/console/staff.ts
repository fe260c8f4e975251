import type { Route } from '../../shared/http/api.ts';

/** The staff directory's admin routes: POST/GET /staff, DELETE /staff/{id} (TO BE BUILT: console sign-in). */
export const staffDirectoryRoutes: Record<string, Route> = {};
