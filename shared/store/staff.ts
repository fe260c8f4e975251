/**
 * The staff directory: who may sign in to the console, with which role. One item per member, keyed by the member's
 * stable id (`stf_…` from the normalised address), listed on GSI3 (`STAFF`) by when they were added. Removing a member
 * deletes the item: every session and sign-in link of theirs is refused from the next request on (the console reads
 * the member on every request), and a member added again later starts afresh (a new `createdAt`, which their old
 * sessions and links do not carry).
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StaffMember } from '../domain/console/staff.ts';
import { dynamo } from '../adapters/aws.ts';
import { keys } from './keys.ts';
import { entity, ifWritten, queryPage, tableName } from './table.ts';

/** Adds a member unless one with the same id exists: `created` false answers the member already there. */
export async function putStaffMember(member: StaffMember): Promise<{ member: StaffMember; created: boolean }> {
  const written = await ifWritten(
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.staff(member.id), ...keys.staffListing(member.createdAt, member.id), entity: 'staff_member', ...member },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ),
  );
  if (written) return { member, created: true };
  const existing = await getStaffMember(member.id);
  // Removed between the failed put and this read: add it again (a rare race; the caller's request is then honoured).
  return existing ? { member: existing, created: false } : putStaffMember(member);
}

export async function getStaffMember(id: string): Promise<StaffMember | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.staff(id), ConsistentRead: true }));
  return entity<StaffMember>(out.Item);
}

/** The directory, oldest member first. */
export async function staffPage(limit: number, startKey?: Record<string, unknown>): Promise<{ items: StaffMember[]; lastKey?: Record<string, unknown> }> {
  const page = await queryPage(
    { TableName: tableName(), IndexName: 'GSI3', KeyConditionExpression: 'GSI3PK = :pk', ExpressionAttributeValues: { ':pk': keys.staffListing('', '').GSI3PK } },
    limit,
    startKey,
  );
  return { items: page.items.map((i) => entity<StaffMember>(i) as StaffMember), ...(page.lastKey ? { lastKey: page.lastKey } : {}) };
}

/** Removes a member; the member removed, or undefined when there was none. */
export async function deleteStaffMember(id: string): Promise<StaffMember | undefined> {
  const out = await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: keys.staff(id), ReturnValues: 'ALL_OLD' }));
  return entity<StaffMember>(out.Attributes);
}
