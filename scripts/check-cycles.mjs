#!/usr/bin/env node
// Fails when the runtime import graph of src/ and workers/ has a cycle. Each file is transpiled as the build does
// (imports used only as types are elided), so only the requires that run at start-up count.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = process.argv[2] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (name === 'node_modules' || name === 'web') return [];
    return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(name) && !/\.(spec|d)\.ts$/.test(name) ? [p] : [];
  });
const resolve = (from, spec) => {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [`${base}.ts`, path.join(base, 'index.ts')]) if (existsSync(c)) return c;
  return null;
};

const graph = new Map();
for (const file of [...files(path.join(root, 'src')), ...files(path.join(root, 'workers'))]) {
  const out = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, experimentalDecorators: true },
    fileName: file,
  }).outputText;
  const deps = [...out.matchAll(/require\("(\.[^"]+)"\)/g)].map((m) => resolve(file, m[1])).filter(Boolean);
  graph.set(file, deps);
}

const cycles = [];
const state = new Map(); // 1: on the stack, 2: done
const stack = [];
const visit = (f) => {
  state.set(f, 1);
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d]);
    else if (!state.has(d)) visit(d);
  }
  stack.pop();
  state.set(f, 2);
};
for (const f of graph.keys()) if (!state.has(f)) visit(f);
if (cycles.length) {
  for (const c of cycles) console.error(`import cycle: ${c.map((f) => path.relative(root, f)).join(' → ')}`);
  process.exit(1);
}
console.log(`no runtime import cycle among ${graph.size} files`);
