import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { out } from '../output.js';
import { loadReport, visibleLines } from '../reports/load-report.js';
import { renderHtml } from '../reports/render-html.js';
import { renderText } from '../reports/render-text.js';
import { withContext } from '../runtime.js';

interface ShowOptions {
  json?: boolean;
  html?: string;
  all?: boolean;
}

/** `report show`: the run report for the HR admin (it contains personal data, by design). */
export function registerReportCommands(program: Command): void {
  const group = program.command('report').description("read a run's report");
  group
    .command('show <runId>')
    .description('print the report of a run: text (default), --json, or --html FILE')
    .option('--json', 'machine-readable: the run and its lines')
    .option('--html <file>', 'write a self-contained HTML page to FILE')
    .option('--all', 'include unchanged records')
    .action(async (runId: string, options: ShowOptions) => {
      if (options.json && options.html) throw new UsageError('choose one output: --json or --html FILE.');
      await withContext(async (ctx) => {
        const report = await loadReport(ctx.db, runId);
        const includeUnchanged = !!options.all;
        if (options.json) {
          out(JSON.stringify({ run: report.run, lines: visibleLines(report, includeUnchanged) }, null, 2));
        } else if (options.html) {
          const file = path.resolve(options.html);
          try {
            writeFileSync(file, renderHtml(report, { includeUnchanged }), { encoding: 'utf8', mode: 0o600 });
          } catch (err) {
            throw new UsageError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; choose a writable path for --html.`);
          }
          out(`Report of run ${report.run.id} written to ${file}`);
        } else {
          process.stdout.write(renderText(report, { includeUnchanged }));
        }
      });
    });
}
