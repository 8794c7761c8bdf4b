import type { Node } from '../graph-select';
import type { SandboxWorld } from '../world';
import type { InstagramUser } from '../world-model';

/**
 * The User Profile API's view of a person who messaged a business (the same fields on
 * graph.facebook.com with a Page token and on graph.instagram.com with an Instagram Login token),
 * or undefined when they never wrote to that account: Meta answers only after the person's
 * consent, which their first message gives.
 */
export function contactProfileNode(
  world: SandboxWorld,
  businessAccountId: string | undefined,
  user: InstagramUser | undefined,
): Node | undefined {
  if (
    !user ||
    !businessAccountId ||
    !world.lastInboundAt.has(world.conversationKey(businessAccountId, user.id))
  )
    return undefined;
  return {
    id: user.id,
    name: user.name,
    username: user.username,
    profile_pic: user.profilePic,
    follower_count: user.followerCount,
    is_user_follow_business: user.followsBusiness,
    is_business_follow_user: false,
    is_verified_user: user.isVerified,
  };
}
