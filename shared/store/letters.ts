/**
 * Letters: the post copies of formal notices for customers who asked for letters, kept per day (`LETTERS#<date>`)
 * for the day's print run; written with the reminder run that sends the notice.
 */
import { keys } from './keys.ts';
import { entity, queryAll, tableName } from './table.ts';

/** A formal notice's post copy: the postal address and the mail's text, for the print run of `date`. */
export interface Letter {
  date: string;
  customerId: string;
  mailKey: string;
  address: string[];
  subject: string;
  text: string;
  createdAt: string;
}

/** The letter's item (one per day, customer and mail), put with the reminder run's transaction. */
export function letterPut(letter: Letter) {
  return { TableName: tableName(), Item: { ...keys.letter(letter.date, letter.customerId, letter.mailKey), entity: 'letter', ...letter } };
}

/** The letters written on a day (the print run), in customer order. */
export async function lettersOf(date: string): Promise<Letter[]> {
  const items = await queryAll({ TableName: tableName(), KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `LETTERS#${date}` } });
  return items.map((item) => entity<Letter>(item) as Letter);
}
