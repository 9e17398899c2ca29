import type { QuotaLimits, QuotaUsage } from '../vaults/vault-quota.js';

export function presentQuota(limits: QuotaLimits, usage: QuotaUsage) {
  return { limits: { bytes: limits.bytes, files: limits.files }, usage: { bytes: usage.bytes, files: usage.files } };
}
