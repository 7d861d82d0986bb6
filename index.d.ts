// hyperhttp's public types at the package root, where napi-rs packages keep theirs: what
// TypeScript finds through package.json "types" when it ignores "exports" (moduleResolution
// node10, older tools). Resolvers that read "exports" (node16, nodenext, bundler) take
// dist/esm/index.d.ts for `import` and dist/cjs/index.d.ts for `require` directly. The
// binding's generated declarations are index.d.cts, beside the CommonJS loader index.cjs.
export * from './dist/esm/index.js'
