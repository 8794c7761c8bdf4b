import { Injectable, Logger } from '@nestjs/common';
import type {
  ChannelConversation,
  InboundThread,
} from '../chat/channels/channel.types';
import { ChannelInbox } from '../chat/channels/channel-inbox.service';
import { describeFailure } from '../instagram/describe-failure';
import { InstagramConnectionsService } from '../instagram/instagram-connections.service';
import type { InstagramConnectionDocument } from '../instagram/schemas/instagram-connection.schema';
import { MetaGraphClient } from '../meta/meta-graph-client';
import type { InstagramContactProfile } from '../meta/meta-graph.types';
import {
  CONTACT_PROFILE_RETRY_AFTER_FAILURE_MS,
  ContactProfileRetries,
} from './contact-profile-retries';

/** A contact's cached profile is fetched again once it is this old. */
export const CONTACT_PROFILE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * The profiles (username, name, picture) of the contacts who message a business, asked of Meta's
 * User Profile API with the account's token when a contact first writes and then daily. A failure
 * never holds a message back; after one, that contact is not asked again for a while
 * (ContactProfileRetries).
 */
@Injectable()
export class ContactProfiles {
  // Its lines keep the applier's context, as before they were their own class.
  private readonly logger = new Logger('InstagramEventApplier');
  private readonly retries = new ContactProfileRetries();

  constructor(
    private readonly connections: InstagramConnectionsService,
    private readonly inbox: ChannelInbox,
    private readonly graph: MetaGraphClient,
  ) {}

  /** Fetches and stores the contact's profile when it is missing or old (and may be asked now). */
  async refresh(
    conversation: ChannelConversation,
    thread: InboundThread,
    connection: InstagramConnectionDocument,
  ): Promise<void> {
    const cached = conversation.instagram?.contactProfile;
    const fetchedAt = cached?.fetchedAt?.getTime() ?? 0;
    const now = Date.now();
    if (now - fetchedAt < CONTACT_PROFILE_MAX_AGE_MS) return;
    const contact = `${thread.instagram.accountId}:${thread.instagram.contactIgsid}`;
    if (!this.retries.mayFetch(contact, now)) return;
    let profile: InstagramContactProfile;
    try {
      const { accessToken } = this.connections.credentialsOf(connection);
      // Each login method asks its own host with its own token: graph.instagram.com refuses a
      // Page token and graph.facebook.com an Instagram one.
      profile =
        connection.method === 'instagram'
          ? await this.graph.instagramLogin.getUserProfile(
              thread.instagram.contactIgsid,
              accessToken,
            )
          : await this.graph.getInstagramUserProfile(
              thread.instagram.contactIgsid,
              accessToken,
            );
    } catch (error) {
      this.retries.failed(contact, Date.now());
      this.logger.warn(
        `Profile of an Instagram contact of account ${thread.instagram.accountId} not fetched (asked again after ${CONTACT_PROFILE_RETRY_AFTER_FAILURE_MS / 60_000} min at the earliest): ${describeFailure(error)}`,
      );
      return;
    }
    this.retries.succeeded(contact);
    try {
      await this.inbox.saveContactProfile({
        ...thread,
        contactProfile: {
          ...(profile.username && { username: profile.username }),
          ...(profile.name && { name: profile.name }),
          ...(profile.profilePictureUrl && {
            profilePictureUrl: profile.profilePictureUrl,
          }),
          fetchedAt: new Date(),
        },
      });
    } catch (error) {
      // Meta answered: the next message asks again (no wait), as the profile is still not stored.
      this.logger.warn(
        `Profile of an Instagram contact of account ${thread.instagram.accountId} fetched but not stored: ${describeFailure(error)}`,
      );
    }
  }
}
