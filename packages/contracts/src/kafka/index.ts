export { provisionTopics, type ProvisionOptions, type ProvisionReport } from './provision.js';
