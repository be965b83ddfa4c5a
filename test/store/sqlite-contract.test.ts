import { afterEach } from 'bun:test';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { describeStoreContract } from './contract.ts';
import { makeTempDatabaseDir, type TempDatabaseDir } from './sqlite-temp.ts';

const dirs: TempDatabaseDir[] = [];

// Registered before the suite's own afterEach, so it runs after the store is closed.
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

describeStoreContract('sqlite', async (options) => {
  const dir = makeTempDatabaseDir();
  dirs.push(dir);
  return openSqliteStore(dir.file(), options);
});
