import baseConfig from '../../eslint.config.mjs';
import moduleLayering from './eslint-rules/module-layering.js';

export default [
  ...baseConfig,
  {
    files: ['src/**/*.ts'],
    plugins: { api: { rules: { 'module-layering': moduleLayering.rule } } },
    rules: { 'api/module-layering': 'error' },
  },
];
