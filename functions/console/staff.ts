import { json, jsonBody, parse, type HttpEvent, type Route } from '../../shared/http/api.ts';
import { requestTime } from '../../shared/http/console.ts';
import { addStaffMember, newStaffMemberSchema, removeStaffMember, staffDirectoryPage, staffListQuery } from '../../shared/services/console-auth.ts';

const id = (event: HttpEvent) => event.pathParameters?.id ?? '';

/**
 * The staff directory's admin routes (who may sign in to the console, with which role). `POST /staff` is idempotent
 * by the address: 201 when added, 200 with the same member when asked again, 409 naming the field when the address
 * is a member under another name or role. Removing a member ends their sessions at once.
 */
export const staffDirectoryRoutes: Record<string, Route> = {
  'POST /staff': async (event) => {
    const { member, created } = await addStaffMember(parse(newStaffMemberSchema, jsonBody(event)), requestTime(event));
    return json(created ? 201 : 200, member);
  },
  'GET /staff': async (event) => json(200, await staffDirectoryPage(parse(staffListQuery, event.queryStringParameters ?? {}))),
  'DELETE /staff/{id}': async (event) => {
    await removeStaffMember(id(event));
    return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
  },
};
