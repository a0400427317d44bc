import { describe, expect, it } from "vitest";
import { desiredPowerState, type Schedule } from "../../../src/power/schedule.js";
import { strandingProblems, strandingProblemsThisHour } from "../../../src/power/strands.js";

/** Monday 7 December 2026, 10:00 UTC. */
const monday = new Date("2026-12-07T10:00:00Z");
const nights: Schedule = { start: "0 19 * * *", end: "0 7 * * *" };

const strands = (schedules: Schedule[], from = monday) => strandingProblems(schedules, from);

describe("schedules that strand a cluster (asleep with no wake following)", () => {
  it("a window whose end is the same cron as its start", () => {
    expect(strands([{ start: "0 8 * * *", end: "0 8 * * *" }])).toEqual([
      expect.objectContaining({
        index: 0,
        field: "end",
        strands: true,
        message: expect.stringContaining(
          'ends ("0 8 * * *") at 2026-12-08T08:00:00Z, the same moment as its own start',
        ),
      }),
    ]);
  });

  it("a window whose end is another text for the same moments as its start", () => {
    for (const end of ["0 8 * * 0-6", "0 8 1-31 * *", "00 08 * * *", "0 8 * 1-12 *"])
      expect(strands([{ start: "0 8 * * *", end }]), end).toEqual([
        expect.objectContaining({
          index: 0,
          strands: true,
          message: expect.stringContaining("its own start"),
        }),
      ]);
    // Monthly: checked at its first start, however far off.
    expect(strands([{ start: "0 0 1 * *", end: "0 0 1 1-12 *" }])[0]?.message).toContain(
      "2027-01-01T00:00:00Z",
    );
  });

  it("a window whose end never fires after its start (29 February is years away)", () => {
    expect(strands([{ start: "0 19 * * *", end: "0 0 29 2 *" }])).toEqual([
      expect.objectContaining({
        index: 0,
        message: expect.stringContaining('its end "0 0 29 2 *" never fires in that time'),
      }),
    ]);
  });

  it("a window whose end always falls on a start: another window's, or a lone start's", () => {
    expect(strands([nights, { start: "0 7 * * *" }])[0]?.message).toContain(
      'the same moment as the start "0 7 * * *" of schedules[1]',
    );
    // The second window strands itself; the first hands over to it and would be fine alone.
    expect(strands([nights, { start: "0 7 * * *", end: "0 7 * * 0-6" }])).toHaveLength(1);
  });

  it("windows in other zones whose end falls on a start: Europe/Berlin 08:00 is Europe/London 07:00", () => {
    const berlinLondon = [
      { start: "0 19 * * *", end: "0 7 * * *", location: "Europe/London" },
      { start: "0 8 * * *", location: "Europe/Berlin" },
    ];
    expect(strands(berlinLondon)[0]?.message).toContain("2026-12-08T07:00:00Z");
  });

  it("zones whose daylight-saving days differ: found at least 8 days before the first dropped end", () => {
    // 13:00 Berlin is 07:00 New York, except from 14 to 28 March 2027 (the US changes first) when it is 08:00.
    const newYork = [
      { start: "0 19 * * *", end: "0 7 * * *", location: "America/New_York" },
      { start: "0 13 * * *", location: "Europe/Berlin" },
    ];
    expect(strands(newYork, new Date("2027-03-16T10:00:00Z"))).toEqual([]);
    expect(strands(newYork, new Date("2027-03-22T10:00:00Z"))[0]?.message).toContain(
      'ends ("0 7 * * *") at 2027-03-28T11:00:00Z',
    );
  });

  it("two windows that hold each other asleep forever: each one's end falls while the other is open", () => {
    const problems = strands([
      { start: "0 19 * * *", end: "0 7 * * *" },
      { start: "0 6 * * *", end: "0 20 * * *" },
    ]);
    expect(problems[0]?.message).toMatch(/still holds the cluster asleep/);
  });

  it("a minute-by-minute window whose end is every minute too", () => {
    expect(strands([{ start: "* * * * *", end: "*/1 * * * *" }])).toHaveLength(1);
  });
});

describe("schedules that do not strand", () => {
  it.each([
    ["nights", [nights]],
    ["weekends: Friday evening to Monday morning", [{ start: "0 19 * * FRI", end: "0 7 * * MON" }]],
    ["every night, no weekend wake", [{ start: "0 19 * * *", end: "0 7 * * MON-FRI" }]],
    ["overlapping windows merge", [nights, { start: "0 20 * * *", end: "0 6 * * *" }]],
    [
      "back-to-back windows: one's end is the next one's start",
      [nights, { start: "0 7 * * *", end: "0 9 * * *" }],
    ],
    ["the same moment hibernates on Mondays, the next day wakes", [{ start: "0 8 * * 1", end: "0 8 * * *" }]],
    ["a lone start: sleep-only by design", [{ start: "0 19 * * *" }]],
    ["a lone end", [{ end: "0 7 * * *" }]],
    ["a yearly shutdown", [{ start: "0 0 24 12 *", end: "0 0 2 1 *" }]],
    ["half a month asleep, and nights", [nights, { start: "0 0 1 * *", end: "0 0 15 * *" }]],
    ["a lone start that keeps Saturday asleep until Sunday's end", [nights, { start: "0 7 * * SAT" }]],
  ] as [string, Schedule[]][])("%s", (_name, schedules) => {
    expect(strands(schedules)).toEqual([]);
  });
});

describe("strandingProblemsThisHour", () => {
  it("gives the same verdict within an hour, from the hour's start", () => {
    const same = [{ start: "0 8 * * *", end: "0 8 * * 0-6" }];
    const first = strandingProblemsThisHour(same, new Date("2026-12-07T10:05:00Z"));
    expect(strandingProblemsThisHour(same, new Date("2026-12-07T10:55:00Z"))).toBe(first);
    expect(first).toEqual(strandingProblems(same, new Date("2026-12-07T10:00:00Z")));
  });
});

describe("looking ahead", () => {
  it("stops at the first hibernate and wake, even when the wake is a year off", () => {
    const evaluation = desiredPowerState([{ start: "0 19 * * *", end: "0 0 2 1 *" }], {}, monday);
    expect(evaluation.nextHibernateAt?.toISOString()).toBe("2026-12-07T19:00:00.000Z");
    expect(evaluation.nextWakeAt?.toISOString()).toBe("2027-01-02T00:00:00.000Z");
  });
});
