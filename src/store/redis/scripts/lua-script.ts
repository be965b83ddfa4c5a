import { luaPrelude } from './lua-prelude.ts';

/**
 * One Lua script with the shared prelude in front. Scripts run through EVALSHA; the connection
 * falls back to EVAL, which also caches the script, when the server replies NOSCRIPT.
 */
export class LuaScript {
  readonly source: string;
  readonly sha1: string;

  constructor(
    readonly name: string,
    body: string,
  ) {
    this.source = luaPrelude + '\n-- ' + name + '\n' + body;
    this.sha1 = new Bun.CryptoHasher('sha1').update(this.source).digest('hex');
  }
}
