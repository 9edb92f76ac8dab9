/**
 * Gives every jest worker (they inherit process.env) one file to log skipped tests in,
 * so jest-global-teardown.ts can print one summary line for the whole run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export default function globalSetup(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-jest-'));
  process.env.CDK8S_ML_SKIP_LOG = path.join(dir, 'skipped.log');
  fs.writeFileSync(process.env.CDK8S_ML_SKIP_LOG, '');
}
