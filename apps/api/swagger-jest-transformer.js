// ts-jest AST transformer running the @nestjs/swagger plugin, so e2e tests see the same OpenAPI
// metadata as the webpack build. Needs ts-jest's full program (isolatedModules must stay off).
const swaggerPlugin = require('@nestjs/swagger/plugin');
const options = require('./swagger-plugin-options');

module.exports.name = 'nestjs-swagger-transformer';
// Bump when the options change, so ts-jest's cache is invalidated.
module.exports.version = 1;
module.exports.factory = (tsCompiler) =>
  swaggerPlugin.before(options, tsCompiler.program);
