/** SES: the configuration set (bounces and complaints suppressed and sent to the ses-events topic) and the sending identity. */
import type { Stack } from 'aws-cdk-lib';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import type { Topic } from 'aws-cdk-lib/aws-sns';

export interface Mail {
  configurationSet: ConfigurationSet;
  emailIdentity: EmailIdentity;
  configurationSetArn: string;
}

export function createMail(stack: Stack, sesIdentity: string, eventsTopic: Topic): Mail {
  const identity = sesIdentity.toLowerCase();
  const configurationSet = new ConfigurationSet(stack, 'MailConfigurationSet', {
    reputationMetrics: true,
    sendingEnabled: true,
    suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
  });
  const emailIdentity = new EmailIdentity(stack, 'MailIdentity', {
    identity: identity.includes('@') ? Identity.email(sesIdentity) : Identity.domain(sesIdentity),
    configurationSet,
  });
  const configurationSetArn = stack.formatArn({
    service: 'ses',
    resource: 'configuration-set',
    resourceName: configurationSet.configurationSetName,
  });
  // Bounces and complaints of mail sent with the configuration set → the ses-events topic (CDK adds the topic
  // policy letting SES publish, for this configuration set and account only).
  new ConfigurationSetEventDestination(stack, 'MailEventsDestination', {
    configurationSet,
    destination: EventDestination.snsTopic(eventsTopic),
    events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
  });
  return { configurationSet, emailIdentity, configurationSetArn };
}
