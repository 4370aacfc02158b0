import { readFileSync } from 'node:fs';

import { CONFIG_VARIABLES } from '@app/core';

describe('.env.example', () => {
  it('documents every configuration variable', () => {
    const listed = new Set(
      readFileSync('.env.example', 'utf8')
        .split('\n')
        .map((line) => /^([A-Z_]+)=/.exec(line)?.[1])
        .filter(Boolean),
    );
    expect(CONFIG_VARIABLES.filter((name) => !listed.has(name))).toEqual([]);
    expect([...listed].filter((name) => !CONFIG_VARIABLES.includes(name as string))).toEqual([]);
  });
});
