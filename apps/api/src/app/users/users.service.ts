import type { UserDto } from '@instantchat/contracts';
import {
  ConflictException,
  Injectable,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import { User, type UserDocument } from './schemas/user.schema';
import { CoalescedReads } from '../database/coalesced-reads';
import { isDuplicateKeyError } from '../database/duplicate-key-error';
import { parseObjectId } from '../database/object-ids';
import { type UserProfile, UserProfileCache } from './user-profile-cache';

export const USER_SEARCH_MAX_LIMIT = 20;
/** How long another API instance may show a user's old name or accept a deleted user's token. */
export const USER_PROFILE_TTL_MS = 5_000;
const USER_PROFILE_CACHE_SIZE = 10_000;
const PROFILE_FIELDS = { email: 1, displayName: 1, createdAt: 1 } as const;

export interface NewUser {
  email: string;
  passwordHash: string;
  displayName: string;
}

/**
 * The users collection's only reader and writer. Whatever changes or deletes a user must call
 * `profiles.forget(id)`, so this instance never serves a stale profile.
 */
@Injectable()
export class UsersService implements OnModuleInit {
  private readonly profiles = new UserProfileCache(
    USER_PROFILE_TTL_MS,
    USER_PROFILE_CACHE_SIZE,
  );

  /** Profiles not cached, read together with the others asked for in the same turn. */
  private readonly profileReads = new CoalescedReads<ProfileRecord>(
    (ids) =>
      this.users
        .find({ _id: { $in: ids } }, PROFILE_FIELDS)
        .lean<ProfileRecord[]>()
        .exec(),
    (user) => user._id.toHexString(),
  );

  constructor(@InjectModel(User.name) private readonly users: Model<User>) {}

  /** The unique email index must exist before the first registration, or duplicates could slip in. */
  async onModuleInit(): Promise<void> {
    await this.users.init();
  }

  /** @throws ConflictException when the email (in any letter case) is already registered. */
  async create(user: NewUser): Promise<UserDocument> {
    try {
      return await this.users.create({
        ...user,
        email: normalizeEmail(user.email),
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) {
        throw new ConflictException('Email is already registered');
      }
      throw error;
    }
  }

  /** Internal: returns the document with its password hash, for login. */
  findByEmail(email: string): Promise<UserDocument | null> {
    return this.users.findOne({ email: normalizeEmail(email) }).exec();
  }

  /** A user's profile, recent to within USER_PROFILE_TTL_MS; null for an unknown or malformed id. */
  findProfile(id: string): Promise<UserProfile | null> {
    const objectId = parseObjectId(id);
    if (!objectId) return Promise.resolve(null);
    // Keyed by the canonical (lower-case) id, so the same user in capitals is one entry.
    return this.profiles.get(objectId.toHexString(), async (key) => {
      const user = await this.profileReads.read(key);
      return user ? toProfile(user) : null;
    });
  }

  /** Profiles of several users; unknown or malformed ids are skipped, order is not guaranteed. */
  findProfiles(ids: readonly string[]): Promise<UserProfile[]> {
    const valid = ids.flatMap((id) => parseObjectId(id)?.toHexString() ?? []);
    if (valid.length === 0) return Promise.resolve([]);
    return this.profiles.getMany(valid, async (missing) => {
      const users = await Promise.all(
        missing.map((id) => this.profileReads.read(id)),
      );
      return users.flatMap((user) => (user ? [toProfile(user)] : []));
    });
  }

  /**
   * People the caller can start a conversation with: everyone but the caller, optionally those
   * whose display name or email starts with `search` (any letter case), by display name.
   */
  async search(
    callerId: string,
    search?: string,
    limit = USER_SEARCH_MAX_LIMIT,
  ): Promise<UserDocument[]> {
    const filter: Record<string, unknown> = { _id: { $ne: callerId } };
    const term = search?.trim();
    if (term) {
      const prefix = new RegExp(`^${escapeRegExp(term)}`, 'i');
      filter['$or'] = [{ displayName: prefix }, { email: prefix }];
    }
    return this.users
      .find(filter)
      .sort({ displayName: 1, email: 1 })
      .limit(Math.min(Math.max(limit, 1), USER_SEARCH_MAX_LIMIT))
      .exec();
  }

  toDto(user: UserProfile | UserDocument): UserDto {
    return {
      id: user.id as string,
      email: user.email,
      displayName: user.displayName,
      createdAt: user.createdAt.toISOString(),
    };
  }
}

type ProfileRecord = Pick<User, 'email' | 'displayName' | 'createdAt'> & {
  _id: Types.ObjectId;
};

function toProfile(user: ProfileRecord): UserProfile {
  return {
    id: user._id.toHexString(),
    email: user.email,
    displayName: user.displayName,
    createdAt: user.createdAt,
  };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
