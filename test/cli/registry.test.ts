import { describe, expect, it } from 'vitest';
import { loadCommand } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/registry.js';

describe('command registry', () => {
  it.each(COMMANDS.map((command) => [command.name, command] as const))(
    'registers %s under the name and summary its module declares',
    async (name, registered) => {
      const loaded = await loadCommand(registered);
      expect(loaded.kind).not.toBe('lazy');
      expect(loaded.name).toBe(name);
      expect(loaded.summary).toBe(registered.summary);
    },
  );

  it('lists each command once', () => {
    const names = COMMANDS.map((command) => command.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
