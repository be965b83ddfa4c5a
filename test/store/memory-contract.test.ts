import { MemoryStore } from '../../src/store/memory-store.ts';
import { describeStoreContract } from './contract.ts';

describeStoreContract('memory', async (options) => new MemoryStore(options));
