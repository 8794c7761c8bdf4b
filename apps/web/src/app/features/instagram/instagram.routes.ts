import { Route } from '@angular/router';

/** The Instagram connection page; Meta's callback lands here with the outcome in the query. */
export const instagramRoutes: Route[] = [
  {
    path: '',
    title: 'Instagram · InstantChat',
    loadComponent: () =>
      import('./pages/connect-instagram/connect-instagram.page').then(
        (m) => m.ConnectInstagramPage,
      ),
  },
];
