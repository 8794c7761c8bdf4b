import {
  dateTimeProperties,
  stringUnionProperties,
} from '@instantchat/contracts';
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';

/**
 * Documents what the contracts mark but TypeScript erases, applying `@ApiProperty` on their behalf
 * (they cannot import Nest): every `@StringUnion` property as a named string enum (a component
 * schema clients generate one type from), every `@DateTime` property as a `date-time` string. The
 * swagger plugin still supplies `required`, `nullable` and the description. Applying them again
 * (another app in the same process) rewrites the same metadata.
 */
export function documentContractProperties(): void {
  for (const union of stringUnionProperties()) {
    document(union.owner, union.property, {
      type: 'string',
      enum: [...union.values],
      enumName: union.name,
      isArray: union.each,
    });
  }
  for (const instant of dateTimeProperties()) {
    document(instant.owner, instant.property, {
      type: 'string',
      format: 'date-time',
    });
  }
}

function document(
  owner: object,
  property: string,
  options: ApiPropertyOptions,
): void {
  ApiProperty(options)((owner as { prototype: object }).prototype, property);
}
