// Options of the @nestjs/swagger CLI plugin, shared by the webpack build and Jest, so the OpenAPI
// document is the same in both. The plugin reads the contracts' DTO classes (plain classes with
// class-validator decorators) and their doc comments; the contracts stay free of Nest imports.
module.exports = {
  dtoFileNameSuffix: ['.dto.ts'],
  controllerFileNameSuffix: ['.controller.ts'],
  classValidatorShim: true,
  introspectComments: true,
};
