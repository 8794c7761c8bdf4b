import type { UserDto } from '@instantchat/contracts';
import {
  ConflictException,
  Injectable,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { User, type UserDocument } from './schemas/user.schema';
import { isDuplicateKeyError } from '../database/duplicate-key-error';
import { parseObjectId } from '../database/object-ids';

export const USER_SEARCH_MAX_LIMIT = 20;

export interface NewUser {
  email: string;
  passwordHash: string;
  displayName: string;
}

@Injectable()
export class UsersService implements OnModuleInit {
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

  async findById(id: string): Promise<UserDocument | null> {
    const objectId = parseObjectId(id);
    if (!objectId) return null;
    return this.users.findById(objectId).exec();
  }

  /** Unknown or malformed ids are skipped; order is not guaranteed. */
  async findByIds(ids: readonly string[]): Promise<UserDocument[]> {
    const valid = [...new Set(ids)].filter((id) => parseObjectId(id) !== null);
    if (valid.length === 0) return [];
    return this.users.find({ _id: { $in: valid } }).exec();
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

  toDto(user: UserDocument): UserDto {
    return {
      id: user.id as string,
      email: user.email,
      displayName: user.displayName,
      createdAt: user.createdAt.toISOString(),
    };
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
