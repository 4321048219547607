import { paginateListApps, type AppDetails } from '@aws-sdk/client-sagemaker';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { CreateAppRequest } from '../requests/schema';
import { hasTimeLeft, type RunBudget } from './budget';

export function appIdentityKey(app: Pick<CreateAppRequest, 'DomainId' | 'AppType' | 'AppName' | 'UserProfileName' | 'SpaceName'>): string {
  const owner = app.UserProfileName !== undefined ? `user/${app.UserProfileName}` : `space/${app.SpaceName ?? ''}`;
  return `${app.DomainId}/${owner}/${app.AppType}/${app.AppName}`;
}

const LIVE_STATUSES = new Set(['Pending', 'InService', 'Deleting']);

/**
 * Lists a domain's apps with ListApps, page by page within the budget, keyed by identity. When
 * an identity appears more than once (a deleted app and its re-creation), the live one wins.
 * Returns undefined when the budget ran out before the last page, so no absence is trusted.
 */
export async function listDomainApps(client: SageMakerClient, domainId: string, budget: RunBudget): Promise<Map<string, AppDetails> | undefined> {
  const apps = new Map<string, AppDetails>();
  let pages = 0;
  for await (const page of paginateListApps({ client, pageSize: 100 }, { DomainIdEquals: domainId })) {
    for (const app of page.Apps ?? []) {
      const key = appIdentityKey({
        DomainId: app.DomainId ?? domainId,
        AppType: app.AppType ?? 'KernelGateway',
        AppName: app.AppName ?? '',
        UserProfileName: app.UserProfileName,
        SpaceName: app.SpaceName,
      });
      const known = apps.get(key);
      const isLive = LIVE_STATUSES.has(app.Status ?? '');
      if (known === undefined || (isLive && !LIVE_STATUSES.has(known.Status ?? ''))) apps.set(key, app);
    }

    pages += 1;
    const isLastPage = !page.NextToken;
    if (isLastPage) return apps;
    if (pages >= budget.maxPages || !hasTimeLeft(budget)) return undefined;
  }
  return apps;
}
