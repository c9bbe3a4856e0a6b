import type { Command } from 'commander';
import { registerConnectionAdd } from './connection-add.js';
import { registerConnectionManage } from './connection-manage.js';
import { registerConnectionTest } from './connection-test.js';
import { registerConnectionView } from './connection-view.js';

/** `connection add|list|show|test|remove|activate`. */
export function registerConnectionCommands(program: Command): void {
  const group = program.command('connection').description('add, inspect, test, activate and remove connections');
  registerConnectionAdd(group);
  registerConnectionView(group);
  registerConnectionTest(group);
  registerConnectionManage(group);
}
