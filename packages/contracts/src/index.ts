export * from './topics.js';
export * from './ws.js';
export * from './api.js';
