import { z } from 'zod';
import { HAPPYPAL } from './happypal/target.js';
import { REFLECT } from './reflect/target.js';
import { defineTargets, type TargetDescriptor } from './target.js';

/**
 * The only list of targets. Everything else derives from it: the stored target names
 * (db/schema.ts), `--target` choices and default URLs (client/connection-input.ts), labels in schedule
 * notes, reports and the console, which datasets a run syncs (beginRun), and the connectors the
 * activities dispatch to (connectors.ts, whose map must name every target here or fail to compile).
 * Plain data: importing it runs no target code.
 */
export const TARGETS = defineTargets({
  happypal: HAPPYPAL,
  reflect: REFLECT,
});

export type TargetName = keyof typeof TARGETS;
export const TARGET_NAMES = Object.keys(TARGETS) as [TargetName, ...TargetName[]];
export const TargetNameSchema = z.enum(TARGET_NAMES);

export const isTargetName = (name: string): name is TargetName => Object.hasOwn(TARGETS, name);

/** A stored target's descriptor; a name no registry knows (a row written by a newer version) is an error saying so. */
export function targetOf(name: string): TargetDescriptor {
  if (!isTargetName(name)) throw new Error(`Unknown target "${name}": expected ${TARGET_NAMES.join(' or ')}.`);
  return TARGETS[name];
}

/** `HappyPal`, or the stored name itself for a target this build does not know. */
export const targetLabel = (name: string): string => (isTargetName(name) ? TARGETS[name].label : name);
