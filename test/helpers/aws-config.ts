// The shared config and credentials files for tests of their reading: one profile per way of
// getting credentials, a services section, comments, and both files holding the default profile.
import { parseIni, type SharedFiles } from "../../src/core/aws-config/shared-files.js";

export const CONFIG = `
# a comment
[default]
region = eu-west-1

[profile dev]
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = us-west-2

[sso-session my-sso]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_account_id = 111122223333

[profile proc]
credential_process = /usr/local/bin/creds --json

[profile role]
role_arn = arn:aws:iam::111122223333:role/R
source_profile = default

[profile web]
role_arn = arn:aws:iam::111122223333:role/W
web_identity_token_file = /var/run/token

[profile local]
endpoint_url = http://localhost:8000
services = local-svcs

[services local-svcs]
dynamodb =
  endpoint_url = http://localhost:8001
; another comment
[profile empty]
output = json
`;
const CREDENTIALS = `[default]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = secret/EXAMPLE
[keys]
aws_access_key_id = AKIDKEYS
aws_secret_access_key = secret2
`;

/** Both files, parsed, as src/aws/config-files.ts reads them from ~/.aws. */
export const files: SharedFiles = {
  configPath: "/h/.aws/config",
  credentialsPath: "/h/.aws/credentials",
  config: parseIni(CONFIG),
  credentials: parseIni(CREDENTIALS),
};
