export { register, registrationController, registrationReconciler } from "./controller.js";
export { REGISTRATION_JOB, type RegistrationJobData, type RegistrationJobResult } from "./job.js";
export { LocalAgents, registrationDir } from "./local-agent.js";
export { REGISTRATION_CONTROLLER, REGISTRATION_FINALIZER } from "./names.js";
export { registrationJob } from "./spoke-job.js";
