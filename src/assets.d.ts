// Files imported with `with { type: 'file' }` resolve to a path, and with `{ type: 'text' }` to
// their contents; `bun build --compile` embeds both in the executable.
declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  const path: string;
  export default path;
}
declare module 'swagger-ui-dist/swagger-ui.css' {
  const path: string;
  export default path;
}
declare module '*.css' {
  const contents: string;
  export default contents;
}
