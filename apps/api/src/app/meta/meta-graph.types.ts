/** What `MetaGraphClient` returns: Meta's answers in InstantChat's vocabulary. */

export interface MetaAccessToken {
  accessToken: string;
  /** Absent when Meta says the token does not expire. */
  expiresAt?: Date;
}

/** Instagram Login's answer to a code: a short-lived token for one professional account. */
export interface InstagramLoginGrant {
  accessToken: string;
  /** The professional account's id, as webhooks carry it in `entry[].id`. */
  userId: string;
  permissions: string[];
}

/** The account behind an Instagram Login token (`/me`). */
export interface InstagramLoginAccount {
  /** The key of the account: webhooks carry it in `entry[].id`. */
  userId: string;
  /** Instagram's app-scoped id for the same account. */
  appScopedId: string;
  username?: string;
  name?: string;
  profilePictureUrl?: string;
}

/** A send through graph.instagram.com with an Instagram Login token. */
export type InstagramLoginSendInput = OutgoingMessage & {
  accessToken: string;
  recipientId: string;
  /** Reply as a human agent: extends the window to 7 days after the person's last message. */
  humanAgent?: boolean;
};

export interface MetaTokenInfo {
  isValid: boolean;
  appId: string;
  /** Absent when Meta could not parse the token. */
  type?: 'USER' | 'PAGE' | 'APP';
  userId: string;
  scopes: string[];
  /** null for a token that never expires. */
  expiresAt: Date | null;
}

export interface MetaPage {
  id: string;
  name: string;
  /** The Page access token; it is what the Send API and subscriptions need. */
  accessToken: string;
  tasks: string[];
}

export interface InstagramProfessionalAccount {
  id: string;
  username?: string;
  name?: string;
  profilePictureUrl?: string;
}

export interface InstagramContactProfile {
  id: string;
  name?: string;
  username?: string;
  profilePictureUrl?: string;
  followerCount?: number;
  isVerified?: boolean;
  followsBusiness?: boolean;
}

export interface PageWebhookSubscription {
  appId: string;
  appName: string;
  fields: string[];
}

export type OutgoingAttachmentType = 'image' | 'video' | 'audio' | 'file';

export type OutgoingMessage =
  | { text: string; attachment?: never }
  | { text?: never; attachment: { type: OutgoingAttachmentType; url: string } };

export type SendMessageInput = OutgoingMessage & {
  pageAccessToken: string;
  recipientId: string;
  /** Reply as a human agent: extends the window to 7 days after the person's last message. */
  humanAgent?: boolean;
  /** Send through `/{page-id}/messages` instead of `/me/messages` (same Page token). */
  pageId?: string;
};

export interface SentMessage {
  recipientId: string;
  messageId: string;
}

export type SenderActionInput =
  | {
      pageAccessToken: string;
      recipientId: string;
      action: 'typing_on' | 'typing_off' | 'mark_seen';
    }
  | {
      pageAccessToken: string;
      recipientId: string;
      action: 'react';
      messageId: string;
      reaction?: string;
    }
  | {
      pageAccessToken: string;
      recipientId: string;
      action: 'unreact';
      messageId: string;
    };
