export * from './topics.js';
export * from './ws.js';
export * from './api.js';
export * from './records.js';
export * from './history.js';
export * from './panels.js';
