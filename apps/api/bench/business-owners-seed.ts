import { createHmac } from 'node:crypto';
import { type Document, ObjectId } from 'mongodb';
import { withApiDatabase } from './seed-database';

/** One user who owns one connected Instagram account with one known contact. */
export interface BusinessOwner {
  userId: string;
  accessToken: string;
  instagramAccountId: string;
  contactIgsid: string;
}

/** How long the bench's access tokens live: far longer than any run. */
const TOKEN_LIFETIME_SECONDS = 60 * 60;

/**
 * Writes `count` users, each holding one connected Instagram account (Instagram Login) and a
 * conversation with one contact, straight into the API's data directory while the API is stopped:
 * registering 1,000 people through REST costs 1,000 deliberately slow password hashes. Documents
 * carry the fields Mongoose writes (see the users, instagramusers and conversations schemas).
 * The contact's profile is cached as fresh, so no delivery waits on a Graph call; the accounts hold
 * no token, since receiving needs none. The users have no usable password: the bench signs their
 * access tokens with the API's JWT_SECRET, exactly as the API does (HS256, `sub` and `exp`).
 */
export async function seedBusinessOwners(
  dataDir: string,
  count: number,
  jwtSecret: string,
): Promise<BusinessOwner[]> {
  const now = new Date();
  const owners: BusinessOwner[] = [];
  const users: Document[] = [];
  const connections: Document[] = [];
  const conversations: Document[] = [];
  for (let i = 0; i < count; i++) {
    const userId = new ObjectId();
    const connectionId = new ObjectId();
    // Ids as strings of Meta's lengths (past Number's safe integers, so never added up as numbers).
    const instagramAccountId = `17841400${String(i).padStart(9, '0')}`;
    const contactIgsid = `50000000${String(i).padStart(8, '0')}`;
    const stamps = { createdAt: now, updatedAt: now, __v: 0 };
    users.push({
      _id: userId,
      email: `owner${i}@bench.example`,
      passwordHash: 'none: the bench signs access tokens',
      displayName: `Owner ${i}`,
      ...stamps,
    });
    connections.push({
      _id: connectionId,
      userId,
      instagramAccountId,
      method: 'instagram',
      tokenExpiresAt: null,
      instagramUsername: `bench.business.${i}`,
      scopes: [
        'instagram_business_basic',
        'instagram_business_manage_messages',
      ],
      state: 'connected',
      isConnected: true,
      webhookSubscribed: true,
      lastError: null,
      ...stamps,
    });
    conversations.push({
      _id: new ObjectId(),
      kind: 'instagram',
      participantIds: [userId],
      instagram: {
        connectionId,
        accountId: instagramAccountId,
        contactIgsid,
        contactProfile: { username: `contact.${i}`, fetchedAt: now },
      },
      lastInboundAt: now,
      lastMessageAt: now,
      lastMessage: null,
      unreadCounts: {},
      lastReadAt: {},
      ...stamps,
    });
    owners.push({
      userId: userId.toHexString(),
      accessToken: signAccessToken(userId.toHexString(), jwtSecret),
      instagramAccountId,
      contactIgsid,
    });
  }
  await withApiDatabase(dataDir, async (db) => {
    await db.collection('users').insertMany(users);
    await db.collection('instagramusers').insertMany(connections);
    await db.collection('conversations').insertMany(conversations);
  });
  return owners;
}

function signAccessToken(userId: string, secret: string): string {
  const encode = (part: object) =>
    Buffer.from(JSON.stringify(part)).toString('base64url');
  const issuedAt = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({
    sub: userId,
    iat: issuedAt,
    exp: issuedAt + TOKEN_LIFETIME_SECONDS,
  })}`;
  const signature = createHmac('sha256', secret)
    .update(unsigned)
    .digest('base64url');
  return `${unsigned}.${signature}`;
}
