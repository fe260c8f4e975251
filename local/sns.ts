/**
 * SNS locally: there is no SNS emulator; publishing to a manifest topic invokes every function subscribed to it with
 * the event Lambda receives from SNS (one record, the message as a string), as AWS would.
 */
import { randomUUID } from 'node:crypto';
import type { SNSEvent } from 'aws-lambda';
import { functions, topics, type TopicId } from '../shared/topology.ts';
import { invoke } from './invoke.ts';

export function isTopic(name: string): name is TopicId {
  return Object.hasOwn(topics, name);
}

export function localTopicArn(topic: TopicId): string {
  return `arn:aws:sns:local:000000000000:${topic}`;
}

/** The event a Lambda subscription receives for one message published to `topic`. */
export function snsEvent(topic: TopicId, message: string, now: Date = new Date()): SNSEvent {
  const topicArn = localTopicArn(topic);
  const messageId = randomUUID();
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:${randomUUID()}`,
        Sns: {
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: topicArn,
          Message: message,
          Timestamp: now.toISOString(),
          SignatureVersion: '1',
          Signature: 'local',
          SigningCertUrl: 'https://sns.local/SimpleNotificationService.pem',
          UnsubscribeUrl: `https://sns.local/?Action=Unsubscribe&SubscriptionArn=${topicArn}`,
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** The functions subscribed to a topic (manifest triggers `{type: 'sns', topic}`). */
export function subscribers(topic: TopicId) {
  return functions.filter((fn) => fn.triggers.some((t) => t.type === 'sns' && t.topic === topic));
}

/**
 * Publishes one message: invokes each subscriber in turn and returns how many received it. A handler that throws
 * makes this throw (in AWS, Lambda would retry the asynchronous invocation and then dead-letter it).
 */
export async function publish(topic: TopicId, message: string, now: Date = new Date()): Promise<number> {
  const targets = subscribers(topic);
  for (const fn of targets) await invoke(fn, snsEvent(topic, message, now));
  return targets.length;
}

/**
 * The message of a `POST /local/sns/{topic}` body: a JSON string literal is the message itself; any other body
 * (a JSON object such as an SES notification, or plain text) is sent as it came.
 */
export function messageFromBody(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'string') return parsed;
  } catch {
    // Not JSON: SNS messages are any text.
  }
  return body;
}
