export { parseDuration } from "../api/duration.js";

/** RFC 3339 with second precision, the way metav1.Time is stored. */
export function apiTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
