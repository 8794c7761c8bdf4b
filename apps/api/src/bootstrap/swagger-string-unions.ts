import { stringUnionProperties } from '@instantchat/contracts';
import { ApiProperty } from '@nestjs/swagger';

/**
 * Documents every contract property marked `@StringUnion` as a named string enum (a component
 * schema clients generate one type from). The contracts cannot import Nest, so the API applies
 * the decorator on their behalf; the swagger plugin still supplies `required` and the description.
 * Applying it again (another app in the same process) rewrites the same metadata.
 */
export function documentStringUnions(): void {
  for (const union of stringUnionProperties()) {
    ApiProperty({
      type: 'string',
      enum: [...union.values],
      enumName: union.name,
      isArray: union.each,
    })((union.owner as { prototype: object }).prototype, union.property);
  }
}
