import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { BUNDLER_CONVERTER_OPTIONS } from '../lib/codec/data-converter.js';
import { WORKFLOWS_PATH } from '../workers/create-worker.js';
import { PROJECT_ROOT } from '../config/paths.js';

/**
 * `npm run build`: bundles the workflow code once, at build time (Temporal's recommended way to
 * deploy workers). Start a worker from it with WORKFLOW_BUNDLE_PATH=dist/workflow-bundle.js.
 */
const out = path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');
const started = Date.now();
// The failure converter runs inside the workflow sandbox, so it is bundled with the workflows.
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...BUNDLER_CONVERTER_OPTIONS });
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, code);
process.stdout.write(`workflow bundle: ${path.relative(process.cwd(), out)} (${(code.length / 1024).toFixed(0)} KiB, ${Date.now() - started} ms)\n`);
