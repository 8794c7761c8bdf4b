import { InjectionToken, type Provider, type Type } from '@angular/core';

/** Loads a component a feature contributes to the signed-in header (lazily, with its feature). */
export type HeaderExtension = () => Promise<Type<unknown>>;

/**
 * What features add to the signed-in header. Features never import each other, so the page that
 * owns the header cannot name another feature's component; the routes, which see every feature,
 * provide it here instead, and `ic-header-slot` renders whatever was provided.
 */
export const HEADER_EXTENSIONS = new InjectionToken<readonly HeaderExtension[]>(
  'HEADER_EXTENSIONS',
);

export function provideHeaderExtension(load: HeaderExtension): Provider {
  return { provide: HEADER_EXTENSIONS, useValue: load, multi: true };
}
