/**
 * zod's mini build with zod's English messages. Classic `zod` sets them when it is imported; the mini
 * build does not, and without them every issue reads "Invalid input". Modules a route function runs
 * at import (README, "Cold start") build their schemas from this: mini and classic schemas compose
 * (both are zod core types), and the mini build's functions are tree-shaken where classic's methods
 * are not: the till's schemas import in ~8 ms of CPU instead of ~17 (bench/RESULTS.md). Classic
 * stays only in the program parser, a file a function loads when it first parses a document.
 */
import { config } from 'zod/v4/core';
import { en } from 'zod/v4/locales';

config(en());

export * from 'zod/mini';
