/**
 * The staff directory's members and what each role may do in the console. Pure.
 *
 * - `collector` — reads everything and acts: allocates and reverses payments, resolves disputes, grants extensions,
 *   places and releases holds, answers and closes questions, approves plans.
 * - `viewer` — reads everything, changes nothing (auditors, finance, support): every console POST but sign-out is
 *   refused with 403 by the console's edge (shared/http/console.ts), before any service runs.
 *
 * Staff are known by an opaque id (`stf_…`, derived from the normalised address); their address and name appear on
 * console pages, never in logs (log the id).
 */
export const STAFF_ROLES = ['viewer', 'collector'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffMember {
  id: string;
  /** Normalised (lower case, trimmed): the sign-in address. */
  email: string;
  name: string;
  role: StaffRole;
  /** Sessions carry it; bumping it (removal, role change) ends every session the member has. */
  sessionVersion: number;
  createdAt: string;
  /** Optimistic-locking version of the directory item. */
  version: number;
}

/** Whether a member in `role` may change anything (a console POST other than sign-out). */
export function mayChange(role: StaffRole): boolean {
  return role === 'collector';
}
