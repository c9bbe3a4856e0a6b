'use strict';
/**
 * The failure converter of every worker, client and workflow bundle: failure messages and stack
 * traces are moved into an encoded payload, so the payload codec encrypts them.
 *
 * CommonJS on purpose: the SDK loads this module by path, with `require()` in the client and worker
 * (where no TypeScript loader may be installed, e.g. under vitest) and through webpack in the
 * workflow bundle. See lib/codec/data-converter.ts.
 */
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
