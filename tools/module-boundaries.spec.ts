import { execFileSync } from 'node:child_process';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The dependency rules of docs/architecture.md, proven on code that breaks them: lint must fail.
 * The probe files do not exist; ESLint lints the text as if it stood at that path.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries', () => {
  // The rule reads Nx's cached project graph; without it the rule skips itself silently.
  beforeAll(() => {
    execFileSync('npx', ['nx', 'show', 'projects'], { env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
  });

  it('fails when a pure library imports NestJS', async () => {
    const errors = await boundaryErrors('libs/stats/src/probe.ts', "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/@nestjs\/common/);
  });

  it.each([
    ['libs/signals/src/probe.ts', "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n"],
    ['libs/replay/src/probe.ts', "import { Queue } from 'bullmq';\nexport const x = Queue;\n"],
    ['libs/analytics/src/probe.ts', "import { useState } from 'react';\nexport const x = useState;\n"],
    ['libs/contracts/src/probe.ts', "import { Controller } from '@nestjs/common';\nexport const x = Controller;\n"],
  ])('fails when %s imports a framework', async (file, code) => {
    expect(await boundaryErrors(file, code)).toHaveLength(1);
  });

  it('fails when the console imports server code', async () => {
    const errors = await boundaryErrors('apps/console/src/probe.ts', "import { loadConfig } from '@loupe/server';\nexport const x = loadConfig;\n");
    expect(errors.length).toBeGreaterThan(0);
  });

  it('lets a pure library import the contracts, and the server import pure libraries', async () => {
    expect(await boundaryErrors('libs/stats/src/probe.ts', "import { LoginRequest } from '@loupe/contracts';\nexport const x = LoginRequest;\n")).toEqual([]);
    expect(await boundaryErrors('libs/server/src/probe.ts', "import { LoginRequest } from '@loupe/contracts';\nexport const x = LoginRequest;\n")).toEqual([]);
  });
});
