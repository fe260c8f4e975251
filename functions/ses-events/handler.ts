import type { SNSEvent } from 'aws-lambda';

/** Placeholder: SES bounce/complaint notifications. */
export const handler = async (event: SNSEvent): Promise<void> => {
  void event;
};
