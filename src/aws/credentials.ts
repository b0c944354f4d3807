import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import type { Settings } from "../settings.js";

export interface AccountAccess {
  /** Undefined: the caller's own credentials (the SDK's default chain). */
  credentials?: AwsCredentialIdentity;
  /** "caller", or the ARN of the role assumed. */
  via: string;
}

/**
 * Credentials for one account: the caller's own for the account it is in (the management
 * account has no OrganizationAccountAccessRole), an assumed audit role for every other.
 */
export async function accessAccount(
  sts: STSClient,
  accountId: string,
  callerAccountId: string,
  partition: string,
  settings: Settings,
  abortSignal?: AbortSignal,
): Promise<AccountAccess> {
  if (accountId === callerAccountId) return { via: "caller" };
  const roleArn = `arn:${partition}:iam::${accountId}:role/${settings.roleName}`;
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: settings.roleSessionName,
      DurationSeconds: settings.roleDurationSeconds,
      ...(settings.externalId ? { ExternalId: settings.externalId } : {}),
    }),
    abortSignal ? { abortSignal } : {},
  );
  if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) {
    throw new Error(`AssumeRole ${roleArn} returned no credentials`);
  }
  return {
    via: roleArn,
    credentials: {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      ...(Credentials.SessionToken ? { sessionToken: Credentials.SessionToken } : {}),
      ...(Credentials.Expiration ? { expiration: Credentials.Expiration } : {}),
    },
  };
}
