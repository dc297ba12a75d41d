export * from './topics.js';
export * from './ws.js';
