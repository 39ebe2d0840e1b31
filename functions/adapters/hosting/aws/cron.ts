/** Cron as connect.yaml writes it, translated for EventBridge Scheduler. */

const CRON_NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A cron day of week (0–7, 0 and 7 Sunday, or a name) as 0–6. */
const cronDay = (value: string): number => {
  const named = DAY_NAMES.indexOf(value.toUpperCase());
  if (named >= 0) return named;
  if (!/^\d+$/.test(value) || Number(value) > 7) throw new Error(`'${value}' is not a day of the week`);
  return Number(value) % 7;
};

/** AWS numbers days 1–7 from Sunday. */
const awsDay = (day: number) => day + 1;

/** Consecutive days as ranges: [2,3,4,5,6] → `2-6`, [1,6,7] → `1,6,7`. */
const dayList = (days: number[]): string => {
  const parts: string[] = [];
  for (let i = 0; i < days.length; ) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === (days[j] ?? 0) + 1) j++;
    const [from, to] = [days[i], days[j]];
    parts.push(j - i >= 2 ? `${from}-${to}` : days.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
};

/**
 * A cron day-of-week field in AWS's numbering. AWS has no step in this field, so steps and
 * ranges are expanded into the days they stand for; `5L` and `1#2` keep their form.
 */
const awsDayOfWeek = (field: string): string => {
  const special = /^([A-Za-z]+|\d)(L|#[1-5])$/.exec(field);
  if (special) return `${awsDay(cronDay(special[1] ?? ''))}${special[2]}`;
  const days = new Set<number>();
  for (const item of field.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`'${item}' has an invalid step`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [0, 6];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      from = cronDay(a);
      // `5-7` is Friday to Sunday: 7 ends the week here, it does not wrap to 0.
      to = b === '7' ? 7 : cronDay(b);
      if (to < from) throw new Error(`'${item}' is not a valid range`);
    } else {
      from = cronDay(range);
      to = stepText === undefined ? from : 6;
    }
    for (let day = from; day <= to; day += step) days.add(day % 7);
  }
  return dayList([...days].map(awsDay).sort((a, b) => a - b));
};

/**
 * A 5-field cron (minute hour day-of-month month day-of-week, the form connect.yaml uses) as
 * an EventBridge Scheduler expression: a year field is added, one of the two day fields
 * becomes `?` (AWS refuses both), and days of the week are renumbered (cron counts 0–7 from
 * Sunday, AWS 1–7). AWS has no seconds, so a 6-field cron (seconds first) is refused, and no
 * "either day" rule, so a cron restricting both day fields is refused too.
 */
export const toAwsCron = (schedule: string): string => {
  const text = schedule.trim();
  const fields = (CRON_NICKNAMES[text.toLowerCase()] ?? text).split(/\s+/);
  if (fields.length === 6)
    throw new Error('EventBridge Scheduler has no seconds: use a 5-field cron (minute first)');
  if (fields.length !== 5) throw new Error('a cron schedule has 5 fields');
  for (const field of fields)
    if (!/^[A-Za-z0-9*?,/#-]+$/.test(field)) throw new Error(`'${field}' is not a cron field`);
  const [minute, hour, dayOfMonth = '*', month = '*', dayOfWeek = '*'] = fields;
  const anyDay = (field: string) => field === '*' || field === '?';
  let days: [string, string];
  if (anyDay(dayOfWeek)) days = [dayOfMonth === '?' ? '*' : dayOfMonth, '?'];
  else if (anyDay(dayOfMonth)) days = ['?', awsDayOfWeek(dayOfWeek)];
  else throw new Error('AWS cannot run on a day of the month or a day of the week: restrict only one');
  return `cron(${minute} ${hour} ${days[0]} ${month.toUpperCase()} ${days[1]} *)`;
};
