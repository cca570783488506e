/**
 * `npm run deeper -- <command> ...`: the command line. Each command lives in its own module under
 * workers/cli/ and exports `run(argv: string[]): Promise<number>` (the exit status).
 */
import { applyRuntimeEnv } from './functions/runtime-env';

const commands: Record<string, { module: string; summary: string }> = {
  faces: { module: './cli/faces.ts', summary: 'sample identities, PNG grids, render stimuli, build datasets' },
  info: { module: './cli/info.ts', summary: 'information theory: verify GCMI reference vectors' },
  nn: { module: './cli/nn.ts', summary: 'train, evaluate, import and export the ResNet-10' },
  analyse: { module: './cli/analyse.ts', summary: 'the four analyses of the paper, oracle checks, the battery' },
  run: { module: './cli/run.ts', summary: 'launch and follow an experiment run' },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`);
  return `usage: npm run deeper -- <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  await applyRuntimeEnv(process.env);
  const mod = (await import(command.module)) as { run: (argv: string[]) => Promise<number> };
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
