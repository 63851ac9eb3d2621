#!/usr/bin/env python3
"""Import cycles between the modules (files) of a Rust crate.

Rust allows modules of one crate to use each other in circles; this check does not.
Every `.rs` file is a module; an edge A -> B means A names something in B: a `use`
declaration or a path written inline (`crate::x::y`, `super::z`, a child module, or an
alias a `use` brought in). Paths are resolved to the deepest module they name, so
`crate::storage::model::Project` is an edge to `storage::model`, and a re-export in a
parent's `mod.rs` counts as the parent's. Strongly connected groups of two or more
modules are cycles.

Usage: module_cycles.py <crate src dir> [...]   prints the cycles; exits 1 if any.
       --count                                   prints only "<cycles> <largest>".
"""

import os
import re
import sys

COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
# Strings and chars, so paths inside them are not read as code (raw strings too).
STRING = re.compile(r'r(#*)".*?"\1|b?"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])\'', re.S)
USE = re.compile(r"\buse\s+([^;]+);")
INLINE = re.compile(r"(?<![\w:])((?:[A-Za-z_]\w*)(?:::[A-Za-z_]\w*)+)")
MOD_DECL = re.compile(r"\bmod\s+([A-Za-z_]\w*)\s*;")


def module_files(src):
    """{module path tuple: file} for one crate's src dir."""
    mods = {}
    for root, _dirs, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel in (["lib"], ["main"]):
                key = ()
            elif rel[-1] == "mod":
                key = tuple(rel[:-1])
            else:
                key = tuple(rel)
            # main.rs of a crate with a lib is another crate root: keep lib.rs as ().
            if key == () and () in mods and rel == ["main"]:
                continue
            mods[key] = path
    return mods


def expand_use(tree):
    """`a::{b, c::{d, e as f}}` -> ['a::b', 'a::c::d', 'a::c::e as f']."""
    tree = " ".join(tree.split())
    out = []

    def walk(prefix, text):
        text = text.strip()
        if not text:
            return
        i = text.find("{")
        if i == -1:
            out.append(prefix + text)
            return
        head = text[:i]
        body = text[i + 1 : text.rfind("}")]
        depth, part, parts = 0, "", []
        for ch in body:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                parts.append(part)
                part = ""
            else:
                part += ch
        parts.append(part)
        for p in parts:
            walk(prefix + head, p)

    walk("", tree)
    return out


def clean(text):
    text = COMMENT.sub(" ", text)
    return STRING.sub('""', text)


def resolve(segs, here, mods, aliases):
    """The deepest known module a path names, from module `here`; None if external."""
    if not segs:
        return None
    first = segs[0]
    if first == "crate":
        base, rest = (), segs[1:]
    elif first == "self":
        base, rest = here, segs[1:]
    elif first == "super":
        base, rest = here, segs
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    elif first in aliases:
        base, rest = aliases[first], segs[1:]
    elif here + (first,) in mods:
        base, rest = here, segs
    else:
        return None
    found = base
    cur = base
    for s in rest:
        if s == "self":
            continue
        if cur + (s,) in mods:
            cur = cur + (s,)
            found = cur
        else:
            break
    return found


INLINE_MOD = re.compile(r"\bmod\s+([A-Za-z_]\w*)\s*\{")


def split_inline_mods(text):
    """The file's own text, and each inline `mod name { ... }` body (depth one)."""
    own, inner, pos = [], [], 0
    for m in INLINE_MOD.finditer(text):
        if m.start() < pos:
            continue
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        own.append(text[pos : m.start()])
        inner.append((m.group(1), text[m.end() : i - 1]))
        pos = i
    own.append(text[pos:])
    return " ".join(own), inner


def edges_of(key, path, mods):
    text = clean(open(path, encoding="utf-8").read())
    own, inner = split_inline_mods(text)
    targets = edges_in(own, key, key, mods)
    # Inside an inline module (tests), `super` is this file's module.
    for name, body in inner:
        targets |= {key if t == key + (name,) else t for t in edges_in(body, key + (name,), key, mods)}
    targets.discard(key)
    return targets


def edges_in(text, here, key, mods):
    aliases = {}
    targets = set()
    uses = []
    for m in USE.finditer(text):
        for u in expand_use(m.group(1)):
            name, _, alias = u.partition(" as ")
            segs = [s for s in name.strip().split("::") if s]
            uses.append((segs, alias.strip()))
    # Aliases first (a `use` may come after the code that uses it).
    for segs, alias in uses:
        if segs and segs[-1] != "*":
            t = resolve(segs, here, mods, {})
            if t is not None and (t == tuple(segs[1:]) or segs[-1] in ("self",) or t[-1:] == (segs[-1],)):
                aliases[alias or (segs[-2] if segs[-1] == "self" else segs[-1])] = t
    for segs, _alias in uses:
        s = [x for x in segs if x != "*"]
        t = resolve(s, here, mods, aliases)
        if t is not None:
            targets.add(t)
    body = USE.sub(" ", text)
    for m in INLINE.finditer(body):
        t = resolve(m.group(1).split("::"), here, mods, aliases)
        if t is not None:
            targets.add(t)
    return targets


def sccs(graph):
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    sys.setrecursionlimit(10000)

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    for v in graph:
        if v not in index:
            strong(v)
    return out


def main(argv):
    count_only = "--count" in argv
    dirs = [a for a in argv if not a.startswith("--")]
    total, largest, report = 0, 0, []
    for src in dirs:
        mods = module_files(src)
        graph = {k: edges_of(k, p, mods) for k, p in mods.items()}
        for comp in sccs(graph):
            if len(comp) > 1:
                total += 1
                largest = max(largest, len(comp))
                names = sorted("::".join(c) or "<root>" for c in comp)
                report.append(f"{src}: cycle of {len(comp)}: " + ", ".join(names))
    if count_only:
        print(total, largest)
    else:
        for r in report:
            print(r)
        print(f"{total} import cycle(s)" + (f", largest {largest} modules" if total else ""))
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
