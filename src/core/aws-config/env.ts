/** The environment as the AWS SDK reads it for credentials, region and endpoints. */

/** Env variables the SDK reads for credentials and endpoints. */
export type Env = Record<string, string | undefined>;

/** Whether a variable or setting is set to something (an empty value counts as unset). */
export const isSet = (v: string | undefined): boolean => v !== undefined && v !== "";
