import { CronExpressionParser, type CronExpression } from "cron-parser";

/** A cron expression read in an IANA zone, iterating from `from`. Lenient like Gardener's: 0 and 7 are Sunday. */
export function cron(expression: string, location: string, from: Date): CronExpression {
  return CronExpressionParser.parse(expression, { tz: location, currentDate: from, strict: false });
}

/** The latest occurrence at or before `at`. */
export function latestAtOrBefore(expression: string, location: string, at: Date): Date | undefined {
  const it = cron(expression, location, new Date(at.getTime() + 1000));
  try {
    const previous = it.prev().toDate();
    return previous <= at ? previous : undefined;
  } catch {
    return undefined;
  }
}

/** The first occurrence after `from`, if there is one. */
export function firstAfter(expression: string, location: string, from: Date): Date | undefined {
  try {
    return cron(expression, location, from).next().toDate();
  } catch {
    return undefined;
  }
}
