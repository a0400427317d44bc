export * from "./decide.js";
export * from "./predicates.js";
export * from "./types.js";
