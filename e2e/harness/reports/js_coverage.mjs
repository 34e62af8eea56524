// Merge the raw V8 coverage that e2e/harness/reports/js_coverage.py saved (every page, every worker)
// into one report of web/static/js: HTML (MCR's V8 report) and a JSON summary for
// e2e/coverage.py. Usage: node e2e/harness/reports/js_coverage.mjs RAW_DIR OUT_DIR
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import MCR from "monocart-coverage-reports";

const [rawDir, outDir] = process.argv.slice(2);

const counts = ({ covered, total, pct }) => ({ covered, total, pct });

const mcr = MCR({
  name: "DocChat: web/static/js",
  outputDir: path.join(outDir, "js"),
  reports: ["v8"],
  // A module no test loaded still counts, as all uncovered.
  all: { dir: ["web/static/js"] },
  cleanCache: true,
  logging: "error",
  onEnd: async (results) => {
    const snapshot = MCR.getSnapshot(results);
    const files = Object.fromEntries(
      results.files.map((file) => [
        file.sourcePath,
        {
          lines: counts(file.summary.lines),
          branches: counts(file.summary.branches),
          uncoveredLines: snapshot.files[file.sourcePath].uncoveredLines,
        },
      ]),
    );
    const summary = {
      lines: counts(results.summary.lines),
      branches: counts(results.summary.branches),
      files,
    };
    await writeFile(path.join(outDir, "js-summary.json"), JSON.stringify(summary, null, 2));
  },
});

for (const name of await readdir(rawDir)) {
  const entries = JSON.parse(await readFile(path.join(rawDir, name), "utf8"));
  if (entries.length) await mcr.add(entries);
}
await mcr.generate();
