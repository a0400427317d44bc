/** Durations and API times are shared with the power controller: they live in src/api. */
export { apiTime, parseDuration } from "../api/duration.js";
