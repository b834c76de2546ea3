// Fingerprints and precompresses the built front end in target/site (run by scripts/build.sh).
//
//   node scripts/assets.mjs target/site
//
// 1. Gives each script, style sheet and the WebAssembly in pkg/ a name carrying a hash of its
//    content (`signup.js` -> `signup.3f9c0a1b2c4d5e6f.js`), so the server can tell browsers to
//    keep them for a year (`immutable`): a new build has new names.
// 2. Writes pkg/hash.txt, `key: hash` per line. Leptos reads the `js` and `wasm` lines (its
//    `hash-files` option) to name the bundle in its hydration script; the portal reads the rest
//    to link the other files.
// 3. Writes `.br` (Brotli) and `.gz` (gzip) beside every file over 1 KB in the site, which the
//    server sends instead of the file when the browser accepts them (no compression per request).
//
// Node's own zlib only: nothing to install.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, renameSync, readdirSync, statSync, existsSync } from "node:fs";
import { join, extname, basename } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const site = process.argv[2];
if (!site || !existsSync(join(site, "pkg"))) {
  console.error("usage: node scripts/assets.mjs <site dir with pkg/>");
  process.exit(2);
}
const pkg = join(site, "pkg");
const output = process.env.OUTPUT_NAME || "mm_portal";

function hashOf(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 16);
}

// [file in pkg/, key in hash.txt, name of the hashed file]
const bundle = [
  [`${output}.js`, "js", (h) => `${output}.${h}.js`],
  [`${output}_bg.wasm`, "wasm", (h) => `${output}.${h}.wasm`],
];
const lines = [];
for (const [file, key, name] of bundle) {
  const path = join(pkg, file);
  if (!existsSync(path)) continue;
  const hash = hashOf(path);
  renameSync(path, join(pkg, name(hash)));
  lines.push(`${key}: ${hash}`);
}
for (const file of readdirSync(pkg).sort()) {
  const ext = extname(file);
  if (![".js", ".css"].includes(ext) || file.startsWith(`${output}.`) && file.split(".").length > 2) continue;
  const path = join(pkg, file);
  const hash = hashOf(path);
  renameSync(path, join(pkg, `${basename(file, ext)}.${hash}${ext}`));
  lines.push(`${file}: ${hash}`);
}
writeFileSync(join(pkg, "hash.txt"), lines.join("\n") + "\n");

const COMPRESSIBLE = new Set([".js", ".mjs", ".css", ".wasm", ".svg", ".html", ".json", ".txt", ".map"]);
let raw = 0;
let brotli = 0;
const started = Date.now();
function walk(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const info = statSync(path);
    if (info.isDirectory()) { walk(path); continue; }
    if (!COMPRESSIBLE.has(extname(entry)) || info.size <= 1024) continue;
    const data = readFileSync(path);
    // Brotli's best quality takes about 3 s a megabyte here; the debug bundle (~18 MB) gets a
    // faster level so a debug build stays quick.
    const quality = data.length > 4 * 1024 * 1024 ? 5 : constants.BROTLI_MAX_QUALITY;
    const br = brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: quality,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    });
    writeFileSync(`${path}.br`, br);
    writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
    raw += data.length;
    brotli += br.length;
  }
}
walk(site);
console.log(
  `assets: ${lines.length} fingerprinted, ${(raw / 1024).toFixed(0)} KB -> ${(brotli / 1024).toFixed(0)} KB brotli in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
