// Lets `node --test` load the suite's TypeScript through ts-node's ESM loader
// (transpile-only, see tsconfig.json), the same way cucumber.json does.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

process.setSourceMapsEnabled(true);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register('ts-node/esm', pathToFileURL('./'));
