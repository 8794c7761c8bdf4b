import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC_KEY = 'isPublic';
/** Marks an operation as open in the OpenAPI document (see bootstrap/swagger.ts). */
export const OPENAPI_PUBLIC_EXTENSION = 'x-public';

/** Opts a route out of the global JwtAuthGuard. Everything else requires a bearer token. */
export const Public = () =>
  applyDecorators(
    SetMetadata(IS_PUBLIC_KEY, true),
    ApiExtension(OPENAPI_PUBLIC_EXTENSION, true),
  );
