import type {
  FacebookUser,
  InstagramProfessionalAccount,
  InstagramUser,
  SandboxPage,
} from './world-model';

/**
 * What a fresh or reset sandbox holds, with stable ids so fixtures, docs and manual runs line up
 * across restarts.
 */

type SeedAccount = Omit<
  InstagramProfessionalAccount,
  'pageId' | 'profilePictureUrl'
>;

/** The person who signs in to Facebook's consent dialog. */
export const SEED_FACEBOOK_USER: FacebookUser = {
  id: '10229876543210987',
  name: 'Sam Sandbox',
};

export const SEED_PAGES_WITH_INSTAGRAM: {
  page: SandboxPage;
  account: SeedAccount;
}[] = [
  {
    page: {
      id: '109876543210001',
      name: 'Blue Jacket Store',
      category: 'Clothing store',
      businessId: '2210987654321001',
    },
    account: {
      id: '17841405822304914',
      username: 'bluejacket.store',
      name: 'Blue Jacket Store',
      followersCount: 1843,
      appScopedId: '26245815432100001',
    },
  },
  {
    page: {
      id: '109876543210002',
      name: 'Corner Bakery',
      category: 'Bakery',
      businessId: '2210987654321002',
    },
    account: {
      id: '17841405822304915',
      username: 'corner.bakery',
      name: 'Corner Bakery',
      followersCount: 512,
      appScopedId: '26245815432100002',
    },
  },
];

export const SEED_PAGES_WITHOUT_INSTAGRAM: SandboxPage[] = [
  {
    id: '109876543210003',
    name: 'Page Without Instagram',
    category: 'Community',
    businessId: '2210987654321003',
  },
];

/** Instagram Login needs no Page: these professional accounts have none. */
export const SEED_ACCOUNTS_WITHOUT_PAGE: SeedAccount[] = [
  {
    id: '17841405822304916',
    username: 'solo.studio',
    name: 'Solo Studio',
    followersCount: 97,
    appScopedId: '26245815432100003',
  },
];

/** People who can write to the accounts (more are added through the control API). */
export const SEED_INSTAGRAM_USERS: (Partial<InstagramUser> & {
  username: string;
})[] = [
  { id: '1914357145407531', username: 'anna.customer', name: 'Anna Customer' },
  { id: '2045678901234567', username: 'ben.buyer', name: 'Ben Buyer' },
];
