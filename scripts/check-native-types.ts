/**
 * Compile-time check, run by `tsc -p tsconfig.json --noEmit`: the facade's view of the binding
 * (`src/native.ts`) must equal what napi-rs generates from the Rust (`index.d.cts`). A field
 * or parameter added, removed or retyped on either side fails this file.
 */
import type * as Generated from '../index.cjs'
import type {
  NativeClient,
  NativeClientConstructor,
  NativeClientOptions,
  NativeMockRoutes,
} from '../src/native.js'

/** `true` exactly when A and B are the same type (optionality and readonly included). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
/** Compiles only when its argument is `true`. */
type Assert<T extends true> = T

/** An interface's or class's members as a plain record, so the two kinds compare. */
type Members<T> = { [K in keyof T]: T[K] }

export type Checks = [
  Assert<Equal<NativeClientOptions, Generated.NativeClientOptions>>,
  Assert<Equal<Members<NativeClient>, Members<Generated.NativeClient>>>,
  Assert<Equal<Members<NativeMockRoutes>, Members<Generated.NativeMockRoutes>>>,
  Assert<
    Equal<
      ConstructorParameters<NativeClientConstructor>[0],
      NonNullable<ConstructorParameters<typeof Generated.NativeClient>[0]>
    >
  >,
]
