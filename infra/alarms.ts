import { CfnCondition, CfnParameter, Duration, Fn, type Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { CfnSubscription, Topic } from 'aws-cdk-lib/aws-sns';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';

/**
 * The stateless stack's alarms: failed and timed-out executions of each state machine, API 5xx
 * and Lambda throttles, to one topic; an email address given at deploy time (the `AlarmEmail`
 * parameter) subscribes to it. Made in the stack's own scope, so their logical ids are the
 * stack's. Returns the topic.
 */
export const addAlarms = (
  stack: Stack,
  api: HttpApi,
  machines: readonly (readonly [string, StateMachine])[],
): Topic => {
  // Alarms to one topic; an email address given at deploy time subscribes to it.
  const alarmEmail = new CfnParameter(stack, 'AlarmEmail', {
    type: 'String',
    default: '',
    description: 'An email address to notify of Slipway alarms (empty: none)',
  });
  const alarms = new Topic(stack, 'Alarms', {
    displayName: 'Slipway alarms',
    enforceSSL: true,
    masterKey: Alias.fromAliasName(stack, 'SnsKey', 'alias/aws/sns'),
  });
  const wantsEmail = new CfnCondition(stack, 'AlarmEmailGiven', {
    expression: Fn.conditionNot(Fn.conditionEquals(alarmEmail.valueAsString, '')),
  });
  new CfnSubscription(stack, 'AlarmEmailSubscription', {
    topicArn: alarms.topicArn,
    protocol: 'email',
    endpoint: alarmEmail.valueAsString,
  }).cfnOptions.condition = wantsEmail;
  const alarm = (id: string, metric: IMetric, description: string) =>
    new Alarm(stack, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    }).addAlarmAction(new SnsAction(alarms));
  for (const [name, sm] of machines) {
    alarm(
      `${name}ExecutionsFailed`,
      sm.metricFailed({ period: Duration.minutes(5) }),
      `${name} executions failed`,
    );
    alarm(
      `${name}ExecutionsTimedOut`,
      sm.metricTimedOut({ period: Duration.minutes(5) }),
      `${name} executions timed out`,
    );
  }
  alarm('Api5xx', api.metricServerError({ period: Duration.minutes(5) }), 'The API answered 5xx');
  alarm(
    'LambdaThrottles',
    new Metric({
      namespace: 'AWS/Lambda',
      metricName: 'Throttles',
      statistic: 'Sum',
      period: Duration.minutes(5),
    }),
    'Lambda invocations were throttled in this account and region',
  );
  return alarms;
};
