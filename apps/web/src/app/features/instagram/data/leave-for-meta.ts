import { DOCUMENT, InjectionToken, inject } from '@angular/core';

/**
 * Sends the browser to Meta's consent page (a full page load: Meta's page is another site and
 * sends the person back to the API's callback). A token so component tests can see where it
 * would go without leaving the test page.
 */
export const LEAVE_FOR_META = new InjectionToken<(url: string) => void>(
  'LEAVE_FOR_META',
  {
    providedIn: 'root',
    factory: () => {
      const location = inject(DOCUMENT).location;
      return (url) => location.assign(url);
    },
  },
);
