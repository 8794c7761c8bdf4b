import { Route } from '@angular/router';

/**
 * The Instagram connection page (Meta's callback lands here with the outcome in the query) and
 * the owner's webhook events.
 */
export const instagramRoutes: Route[] = [
  {
    path: '',
    title: 'Instagram · InstantChat',
    loadComponent: () =>
      import('./pages/connect-instagram/connect-instagram.page').then(
        (m) => m.ConnectInstagramPage,
      ),
  },
  {
    path: 'events',
    title: 'Webhook events · InstantChat',
    loadComponent: () =>
      import('./pages/webhook-events/webhook-events.page').then(
        (m) => m.WebhookEventsPage,
      ),
  },
];
