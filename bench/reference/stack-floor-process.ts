// The floor under any role's base RSS: a process that imports the libraries every role is built on (the fixed
// stack) and nothing of SuperIMAP, then idles. Whatever a role holds above this is the product's own.

// The packages an imap-client imports, the role with the fewest (see apps/cli/src/roles.ts).
const STACK = [
  'reflect-metadata',
  'rxjs',
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  'class-validator',
  'class-transformer',
  'typeorm',
  '@nestjs/typeorm',
  'pg',
  'ioredis',
  'bullmq',
  '@nestjs/bullmq',
  'imapflow',
  'pino',
  'prom-client',
];

for (const name of STACK) await import(name);
process.send?.({ type: 'ready' });
// The parent's disconnect (or its death) ends the idle.
process.on('disconnect', () => process.exit(0));
