import { setDefaultTimeout } from 'bun:test';

// Browser, binary and expiry tests start real processes on a shared 2-core machine; the
// five-second default of bun test is too short for them.
setDefaultTimeout(60_000);
