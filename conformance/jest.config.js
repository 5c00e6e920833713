/** `npm run conformance`: the root jest setup, limited to the conformance suite. */
import base from '../jest.config.js';

export default {
  ...base,
  rootDir: '..',
  testMatch: ['<rootDir>/conformance/**/*.test.ts'],
};
