import type { InstagramLoginMethod } from '@instantchat/contracts';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { createHash, randomBytes } from 'node:crypto';
import { OAuthState } from './schemas/oauth-state.schema';

/** How long a person has to get through Meta's consent dialog. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

/** 32 random bytes, base64url: what `issue` hands out. Anything else cannot be ours. */
const STATE_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export type OAuthStateRejection =
  | 'state_invalid'
  | 'state_expired'
  | 'state_used';

export class OAuthStateRejectedError extends Error {
  constructor(readonly reason: OAuthStateRejection) {
    super(`OAuth state rejected: ${reason}`);
    this.name = OAuthStateRejectedError.name;
  }
}

export interface BurnedOAuthState {
  userId: string;
  method: InstagramLoginMethod;
}

/**
 * The OAuth `state` of the connect flow: random, bound to the user, the login method and the
 * browser that asked for it, valid for 10 minutes, single use, stored only as a hash.
 */
@Injectable()
export class OAuthStateService {
  constructor(
    @InjectModel(OAuthState.name)
    private readonly states: Model<OAuthState>,
  ) {}

  /** `browserKey`: the random key of the browser that asked, kept in its cookie (see oauth-browser-binding). */
  async issue(
    userId: string,
    method: InstagramLoginMethod,
    browserKey: string,
  ): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    await this.states.create({
      stateHash: hashState(state),
      browserKeyHash: hashState(browserKey),
      userId: new Types.ObjectId(userId),
      method,
      expiresAt: new Date(Date.now() + OAUTH_STATE_TTL_MS),
      usedAt: null,
    });
    return state;
  }

  /**
   * Marks the state used and returns whom it names; only one caller can ever succeed for a state,
   * and only from the browser it was issued to. Throws `OAuthStateRejectedError` saying why
   * otherwise; a state opened in another browser reads as invalid and stays usable by its own.
   */
  async burn(
    state: string | undefined,
    browserKey: string | undefined,
  ): Promise<BurnedOAuthState> {
    if (state === undefined || !STATE_FORMAT.test(state))
      throw new OAuthStateRejectedError('state_invalid');
    if (browserKey === undefined)
      throw new OAuthStateRejectedError('state_invalid');
    const stateHash = hashState(state);
    const browserKeyHash = hashState(browserKey);
    const now = new Date();
    const burned = await this.states
      .findOneAndUpdate(
        { stateHash, browserKeyHash, usedAt: null, expiresAt: { $gt: now } },
        { $set: { usedAt: now } },
        { returnDocument: 'after' },
      )
      .lean()
      .exec();
    if (burned)
      return { userId: burned.userId.toString(), method: burned.method };

    const known = await this.states
      .findOne({ stateHash, browserKeyHash })
      .lean()
      .exec();
    if (!known) throw new OAuthStateRejectedError('state_invalid');
    throw new OAuthStateRejectedError(
      known.usedAt ? 'state_used' : 'state_expired',
    );
  }
}

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}
