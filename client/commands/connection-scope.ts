import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { applyMappings, applyScope, describeConfig, previewMappings, previewScope } from '../../services/connection-scope.js';
import { confirmOrRefuse } from '../confirm.js';
import { EXIT, UsageError } from '../errors.js';
import { out } from '../output.js';
import { asService, requireConnection, inContext } from '../runtime.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];
/** A value given on the command line: digits are an id, anything else a name. */
const ref = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);

interface ScopeOptions {
  file?: string;
  includeLegalEntity?: string[];
  includeEstablishment?: string[];
  includeDepartment?: string[];
  excludeLegalEntity?: string[];
  excludeEstablishment?: string[];
  excludeDepartment?: string[];
  clear?: boolean;
  show?: boolean;
  yes?: boolean;
}

async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read the ${what} file ${path}.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`the ${what} file ${path} is not JSON.`);
  }
}

async function scopeInput(options: ScopeOptions): Promise<unknown | null> {
  if (options.clear) return null;
  if (options.file) return readJsonFile(options.file, 'scope');
  const lists = (le?: string[], es?: string[], dp?: string[]) => ({
    ...(le?.length && { legalEntities: le.map(ref) }), ...(es?.length && { establishments: es.map(ref) }), ...(dp?.length && { departments: dp.map(ref) }),
  });
  const include = lists(options.includeLegalEntity, options.includeEstablishment, options.includeDepartment);
  const exclude = lists(options.excludeLegalEntity, options.excludeEstablishment, options.excludeDepartment);
  if (Object.keys(include).length === 0 && Object.keys(exclude).length === 0) {
    throw new UsageError('give the scope: --include-… / --exclude-… options, --file <scope.json>, --clear, or --show.');
  }
  return { ...(Object.keys(include).length && { include }), ...(Object.keys(exclude).length && { exclude }) };
}

/** `connection scope <name>` and `connection mappings <name>`: show, preview (a dry run), then apply on confirmation. */
export function registerConnectionScope(group: Command): void {
  group
    .command('scope <name>')
    .description('which employees sync: include/exclude legal entities, establishments, departments (by name or id); previewed, then applied on confirmation')
    .option('--include-legal-entity <name|id>', 'sync only these legal entities (repeatable)', collect)
    .option('--include-establishment <name|id>', 'sync only these establishments (repeatable)', collect)
    .option('--include-department <name|id>', 'sync only these departments (repeatable)', collect)
    .option('--exclude-legal-entity <name|id>', 'never sync these legal entities (repeatable)', collect)
    .option('--exclude-establishment <name|id>', 'never sync these establishments (repeatable)', collect)
    .option('--exclude-department <name|id>', 'never sync these departments (repeatable)', collect)
    .option('--file <scope.json>', 'the scope as JSON: {"include": {...}, "exclude": {...}} (README, "Scope")')
    .option('--clear', 'remove the scope: every employee the key sees syncs')
    .option('--show', 'print the current scope and change nothing')
    .option('--yes', 'apply the previewed change without asking (scripts)')
    .action(inContext(async (ctx, name: string, options: ScopeOptions) => {
      if (options.show) {
        out(`Scope of "${name}": ${describeConfig(await requireConnection(ctx, name)).scope}.`);
        return EXIT.ok;
      }
      const input = await scopeInput(options);
      const preview = await previewScope(asService(ctx), name, input);
      out(`Preview (dry run, nothing changed yet) for "${name}":`);
      for (const line of preview.lines) out(`  ${line}`);
      const yes = await confirmOrRefuse({ yes: options.yes, question: `Apply this scope to "${name}"?`, refusal: `connection scope ${name} needs a confirmation` });
      if (!yes) {
        out('Nothing changed.');
        return EXIT.failed;
      }
      await applyScope(asService(ctx), preview);
      out(`Scope of "${name}" saved. It applies from the next sync (lucca-sync sync ${name}).`);
      return EXIT.ok;
    }));

  group
    .command('mappings <name>')
    .description('extra Lucca fields mapped to target attributes (HR-file sections, departments, axes); previewed, then applied on confirmation')
    .option('--file <mappings.json>', 'the mappings as a JSON array (README, "Extra field mappings")')
    .option('--clear', 'remove every mapping (the values already on the target stay)')
    .option('--show', 'print the current mappings and change nothing')
    .option('--yes', 'apply the previewed change without asking (scripts)')
    .action(inContext(async (ctx, name: string, options: { file?: string; clear?: boolean; show?: boolean; yes?: boolean }) => {
      if (options.show) {
        const { mappings } = describeConfig(await requireConnection(ctx, name));
        out(mappings.length ? `Mappings of "${name}":` : `"${name}" maps no extra field.`);
        for (const m of mappings) out(`  ${m}`);
        return EXIT.ok;
      }
      if (!options.file && !options.clear) throw new UsageError('give --file <mappings.json>, --clear, or --show.');
      const raw = options.clear ? [] : await readJsonFile(options.file as string, 'mappings');
      const preview = await previewMappings(asService(ctx), name, raw);
      out(`Preview (dry run, nothing changed yet) for "${name}": ${preview.mappings.length} mapping(s).`);
      for (const line of preview.lines) out(`  ${line}`);
      if (preview.targetProblems.length > 0) {
        out('Not saved: fix the target side first (or the mapping), then run this again.');
        return EXIT.failed;
      }
      const yes = await confirmOrRefuse({ yes: options.yes, question: `Apply these mappings to "${name}"?`, refusal: `connection mappings ${name} needs a confirmation` });
      if (!yes) {
        out('Nothing changed.');
        return EXIT.failed;
      }
      await applyMappings(asService(ctx), preview);
      out(`Mappings of "${name}" saved. They apply from the next sync.`);
      return EXIT.ok;
    }));
}
