import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter, withRouterConfig } from '@angular/router';
import { NavigationFailure } from './navigation-failure';

@Component({ template: 'Opened' })
class OpenedPage {}

describe('NavigationFailure', () => {
  it('remembers the address whose code failed to load, and opens it on retry once it loads', async () => {
    let chunkLoads = false;
    TestBed.configureTestingModule({
      providers: [
        provideRouter(
          [
            {
              path: 'inbox/:id',
              loadComponent: () =>
                chunkLoads
                  ? Promise.resolve(OpenedPage)
                  : Promise.reject(new TypeError('Failed to fetch')),
            },
          ],
          withRouterConfig({ resolveNavigationPromiseOnError: true }),
        ),
      ],
    });
    const failure = TestBed.inject(NavigationFailure);
    const router = TestBed.inject(Router);

    expect(await router.navigateByUrl('/inbox/c-1')).toBe(false);
    expect(failure.failedUrl()).toBe('/inbox/c-1');

    chunkLoads = true;
    failure.retry();
    await TestBed.inject(Router).navigated;
    await new Promise((resolve) => setTimeout(resolve));
    expect(router.url).toBe('/inbox/c-1');
    expect(failure.failedUrl()).toBeNull();
  });
});
