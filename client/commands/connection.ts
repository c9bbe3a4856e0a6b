import type { Command } from 'commander';
import { registerConnectionAdd } from './connection-add.js';
import { registerConnectionManage } from './connection-manage.js';
import { registerConnectionScope } from './connection-scope.js';
import { registerConnectionTest } from './connection-test.js';
import { registerConnectionUpdate } from './connection-update.js';
import { registerConnectionView } from './connection-view.js';

/** `connection add|list|show|test|update|remove|reset|activate`. */
export function registerConnectionCommands(program: Command): void {
  const group = program.command('connection').description('add, inspect, test, update, activate, reset and remove connections');
  registerConnectionAdd(group);
  registerConnectionView(group);
  registerConnectionTest(group);
  registerConnectionUpdate(group);
  registerConnectionManage(group);
  registerConnectionScope(group);
}
