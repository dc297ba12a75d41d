export { startDemo, demoFiles, type DemoOptions, type DemoHandle, type DemoFiles } from './demo.js';
export { defaultSchedule, scheduleCsv, ROOMS, type Section } from './campus.js';
export { replay, clfInstant } from './replay.js';
