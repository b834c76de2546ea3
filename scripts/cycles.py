#!/usr/bin/env python3
"""Module dependency cycles in a Rust crate: edges from `crate::a::b` / `super::` paths."""
import os, re, sys, itertools
root = sys.argv[1] if len(sys.argv) > 1 else 'src'
crate_prefix = sys.argv[2] if len(sys.argv) > 2 else 'crate'
mods = {}
for dirpath, _, files in os.walk(root):
    for f in files:
        if not f.endswith('.rs'): continue
        p = os.path.join(dirpath, f)
        rel = os.path.relpath(p, root)[:-3].split(os.sep)
        if rel[-1] in ('mod', 'lib', 'main'): rel = rel[:-1]
        mods['::'.join(rel)] = open(p).read()
names = set(mods)
def resolve(path):
    parts = path.split('::')
    best = None
    for i in range(1, len(parts) + 1):
        cand = '::'.join(parts[:i])
        if cand in names: best = cand
    return best
edges = {m: set() for m in mods}
for m, src in mods.items():
    src = re.sub(r'(?m)//.*$', '', src)
    src = re.sub(r'(?s)#\[cfg\(test\)\]\s*mod tests\s*\{.*', '', src)
    # use crate::{a::b, c} -> crate::a::b, crate::c
    def expand(mt):
        head, body = mt.group(1), mt.group(2)
        return ' '.join(head + '::' + part.strip() for part in body.split(',') if part.strip())
    src = re.sub(r'\b(crate|super)::\{([^{}]*)\}', expand, src)
    for match in re.finditer(r'\b(crate|super)((?:::\w+)+)', src):
        kind, rest = match.group(1), match.group(2)[2:]
        if kind == 'crate': full = rest
        else:
            base = m.split('::')[:-1] if m else []
            full = '::'.join(base + [rest]) if base else rest
        # braces: use crate::a::{b, c}
        tail = src[match.end():match.end() + 1]
        t = resolve(full)
        if t and t != m and not m.startswith(t + '::') and not t.startswith(m + '::'):
            edges[m].add(t)
        elif t and t != m and t.startswith(m + '::'):
            edges[m].add(t)  # parent uses child: fine unless child uses parent
        elif t and t != m and m.startswith(t + '::'):
            edges[m].add(t)
# cycles of length 2, and longer via SCC
index = {}; low = {}; stack = []; on = set(); sccs = []; i = [0]
sys.setrecursionlimit(10000)
def strong(v):
    index[v] = low[v] = i[0]; i[0] += 1; stack.append(v); on.add(v)
    for w in edges[v]:
        if w not in index: strong(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(sorted(comp))
for v in list(edges):
    if v not in index: strong(v)
pairs = sorted({tuple(sorted((a, b))) for a in edges for b in edges[a] if a in edges.get(b, ())})
for a, b in pairs: print(f'cycle: {a or "(root)"} <-> {b or "(root)"}')
for c in sccs:
    if len(c) > 2: print('cycle group:', ', '.join(x or '(root)' for x in c))
print(f'modules: {len(mods)}, two-way pairs: {len(pairs)}, cycle groups: {len(sccs)}')
