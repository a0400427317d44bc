import { describe, expect, it } from "vitest";
import {
  desiredPowerState,
  MISSED_TRIGGER_DEADLINE_MS,
  scheduleProblems,
} from "../../../src/power/schedule.js";

const t = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();

describe("desiredPowerState", () => {
  const weeknights = [{ start: "0 19 * * MON-FRI", end: "0 7 * * MON-FRI", location: "America/New_York" }];

  it("reads cron in the schedule's IANA zone, standard and daylight time alike", () => {
    // Friday 6 March 2026, EST (UTC-5): 19:00 local is 00:00Z; Monday 9 March is EDT (UTC-4): 23:00Z.
    const friday = desiredPowerState(weeknights, {}, t("2026-03-06T12:00:00Z"));
    expect(iso(friday.nextHibernateAt)).toBe("2026-03-07T00:00:00.000Z");
    expect(iso(friday.nextWakeAt)).toBe("2026-03-09T11:00:00.000Z"); // Monday 07:00 EDT (DST began 8 March), no weekend wake
    const monday = desiredPowerState(weeknights, {}, t("2026-03-09T13:00:00Z"));
    expect(iso(monday.nextHibernateAt)).toBe("2026-03-09T23:00:00.000Z");
  });

  describe("daylight-saving days (Europe/Berlin)", () => {
    const nightly = [{ start: "30 2 * * *", location: "Europe/Berlin" }];

    it("spring-forward: 02:30 does not exist on 29 March; the trigger fires once, right after the jump", () => {
      const before = desiredPowerState(
        nightly,
        { lastTriggerAt: t("2026-03-28T01:30:00Z") },
        t("2026-03-29T00:00:00Z"),
      );
      expect(iso(before.next?.at)).toBe("2026-03-29T01:30:00.000Z"); // 03:30 CEST
      const at = desiredPowerState(
        nightly,
        { lastTriggerAt: t("2026-03-28T01:30:00Z") },
        t("2026-03-29T01:30:05Z"),
      );
      expect(at.powerState).toBe("Hibernating");
      expect(iso(at.due?.at)).toBe("2026-03-29T01:30:00.000Z");
      const later = desiredPowerState(nightly, { lastTriggerAt: at.due!.at }, t("2026-03-29T03:00:00Z"));
      expect(later.due).toBeUndefined();
      expect(iso(later.next?.at)).toBe("2026-03-30T00:30:00.000Z"); // 02:30 CEST
    });

    it("fall-back: 02:30 happens twice on 25 October; the trigger fires once, the first time", () => {
      const first = desiredPowerState(
        nightly,
        { lastTriggerAt: t("2026-10-24T00:30:00Z") },
        t("2026-10-25T00:30:01Z"),
      );
      expect(iso(first.due?.at)).toBe("2026-10-25T00:30:00.000Z"); // 02:30 CEST
      // An hour later the clock reads 02:30 again (CET): nothing fires.
      const again = desiredPowerState(nightly, { lastTriggerAt: first.due!.at }, t("2026-10-25T01:45:00Z"));
      expect(again.due).toBeUndefined();
      expect(again.missed).toBeUndefined();
      expect(iso(again.next?.at)).toBe("2026-10-26T01:30:00.000Z"); // 02:30 CET
    });
  });

  describe("missed triggers", () => {
    const nights = [{ start: "0 19 * * *", end: "0 7 * * *" }];
    const applied = { lastTriggerAt: t("2026-05-04T07:00:00Z") };

    it("are caught up within the deadline", () => {
      const late = desiredPowerState(nights, applied, t("2026-05-04T20:30:00Z"));
      expect(late.powerState).toBe("Hibernating");
      expect(iso(late.due?.at)).toBe("2026-05-04T19:00:00.000Z");
    });

    it("are dropped after the deadline (2 h): spec.powerState holds, and the drop is reported once", () => {
      expect(MISSED_TRIGGER_DEADLINE_MS).toBe(2 * 3_600_000);
      const tooLate = desiredPowerState(nights, applied, t("2026-05-04T21:00:01Z"));
      expect(tooLate.powerState).toBeUndefined();
      expect(iso(tooLate.missed?.at)).toBe("2026-05-04T19:00:00.000Z");
      expect(tooLate.missed?.powerState).toBe("Hibernating");
      const recorded = desiredPowerState(
        nights,
        { lastTriggerAt: tooLate.missed!.at },
        t("2026-05-04T21:05:00Z"),
      );
      expect(recorded.missed).toBeUndefined();
      expect(iso(recorded.nextWakeAt)).toBe("2026-05-05T07:00:00.000Z");
    });

    it("only the latest of several missed triggers counts", () => {
      // Down from 18:00 to 07:30 the next morning: 19:00 (hibernate) and 07:00 (wake) were missed; 07:00 wins.
      const back = desiredPowerState(
        nights,
        { lastTriggerAt: t("2026-05-04T07:00:00Z") },
        t("2026-05-05T07:30:00Z"),
      );
      expect(back.powerState).toBe("Running");
      expect(iso(back.due?.at)).toBe("2026-05-05T07:00:00.000Z");
    });

    it("never reach back before the resource existed", () => {
      const created = desiredPowerState(
        nights,
        { notBefore: t("2026-05-04T19:30:00Z") },
        t("2026-05-04T19:31:00Z"),
      );
      expect(created.due).toBeUndefined();
      expect(created.missed).toBeUndefined();
      expect(iso(created.nextWakeAt)).toBe("2026-05-05T07:00:00.000Z");
    });
  });

  describe("overlapping schedules", () => {
    const overlapping = [
      { start: "0 18 * * *", end: "0 8 * * *" },
      { start: "0 20 * * *", end: "0 6 * * *" },
    ];

    it("merge: one window's end does not wake a cluster another window still holds asleep", () => {
      const six = desiredPowerState(
        overlapping,
        { lastTriggerAt: t("2026-05-04T20:00:00Z") },
        t("2026-05-05T06:00:10Z"),
      );
      expect(six.powerState).toBe("Hibernating");
      const eight = desiredPowerState(overlapping, { lastTriggerAt: six.due!.at }, t("2026-05-05T08:00:10Z"));
      expect(eight.powerState).toBe("Running");
      const night = desiredPowerState(
        overlapping,
        { lastTriggerAt: t("2026-05-04T20:00:00Z") },
        t("2026-05-04T23:00:00Z"),
      );
      expect(iso(night.next?.at)).toBe("2026-05-05T06:00:00.000Z");
      expect(iso(night.nextWakeAt)).toBe("2026-05-05T08:00:00.000Z");
    });

    it("a start and an end at the same moment hibernate", () => {
      const same = [{ start: "0 12 * * *" }, { end: "0 12 * * *" }];
      const noon = desiredPowerState(
        same,
        { lastTriggerAt: t("2026-05-04T12:00:00Z") },
        t("2026-05-05T12:00:30Z"),
      );
      expect(noon.powerState).toBe("Hibernating");
      expect(noon.due?.schedules).toEqual([0, 1]);
    });
  });

  it("a manual change holds until the next trigger, which then applies", () => {
    const evenings = [{ start: "0 19 * * *" }];
    // Hibernated at 19:00; someone ran `slipway resume` at 20:00. Nothing is due until 19:00 tomorrow.
    const evening = desiredPowerState(
      evenings,
      { lastTriggerAt: t("2026-05-04T19:00:00Z") },
      t("2026-05-04T20:00:00Z"),
    );
    expect(evening.powerState).toBeUndefined();
    expect(iso(evening.next?.at)).toBe("2026-05-05T19:00:00.000Z");
    expect(evening.nextWakeAt).toBeUndefined();
    const tomorrow = desiredPowerState(
      evenings,
      { lastTriggerAt: t("2026-05-04T19:00:00Z") },
      t("2026-05-05T19:00:02Z"),
    );
    expect(tomorrow.powerState).toBe("Hibernating");
  });

  it("no schedules: no opinion", () => {
    expect(desiredPowerState([], {}, t("2026-05-04T20:00:00Z"))).toEqual({});
  });
});

describe("scheduleProblems", () => {
  it("names an unknown zone and an impossible cron field", () => {
    expect(
      scheduleProblems([
        { start: "0 19 * * *", location: "Mars/Olympus_Mons" },
        { start: "61 19 * * *", end: "0 7 * * *", location: "UTC" },
      ]),
    ).toEqual([
      expect.objectContaining({
        index: 0,
        field: "location",
        message: expect.stringContaining("Mars/Olympus_Mons"),
      }),
      expect.objectContaining({ index: 1, field: "start", message: expect.stringContaining("61 19 * * *") }),
    ]);
    expect(
      scheduleProblems([{ start: "0 19 * * MON-FRI", end: "0 7 * * 1-5", location: "Europe/Berlin" }]),
    ).toEqual([]);
  });
});
