import { Injectable } from '@nestjs/common';

import { BackfillRequests, RecentMail } from '@app/imap';
import { hasCredentials, UsersService } from '@app/users';
import { EventsService } from '@app/webhooks';

import type { SignedInView } from './pages/admin-layout.js';
import { backfillPanel } from './pages/user-backfill-panel.js';
import type { UserPageView } from './pages/user-pages.js';

/** Gathers what a user's page shows from the libs that own it: the user, its recent mail, events and backfills. */
@Injectable()
export class UserPageData {
  constructor(
    private readonly users: UsersService,
    private readonly mail: RecentMail,
    private readonly events: EventsService,
    private readonly backfills: BackfillRequests,
  ) {}

  async view(
    admin: SignedInView,
    userId: string,
    extra: Pick<UserPageView, 'issuedLink' | 'notice'> = {},
  ): Promise<UserPageView> {
    const detail = await this.users.operatorDetail(userId);
    return {
      admin,
      user: detail.user,
      partnerId: detail.partnerId,
      providerCode: detail.providerCode,
      tracerEnabled: detail.user.enableTracer,
      tracerSupported: detail.tracerSupported,
      needsCredentials: !hasCredentials(detail.user),
      events: await this.events.recentForUser(userId),
      mail: await this.mail.forUser(userId),
      sections: [backfillPanel(userId, await this.backfills.recentForUser(userId), admin.csrfToken)],
      ...extra,
    };
  }
}
