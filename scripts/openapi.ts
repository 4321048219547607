/**
 * Writes the HTTP API's OpenAPI 3.1 document to openapi.json at the repository root, generated from
 * the submit function's route table and zod schemas.
 *
 *   npx tsx scripts/openapi.ts           write openapi.json
 *   npx tsx scripts/openapi.ts --check   exit 1 when openapi.json differs from the generated document
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenApiDocument } from '../functions/submit/routes';

const documentPath = fileURLToPath(new URL('../openapi.json', import.meta.url));
const generated = renderOpenApiDocument();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(documentPath, 'utf8');
  } catch {
    // A missing file differs from the generated document like any other.
  }
  if (committed !== generated) {
    console.error(`${documentPath} is out of date; run: npx tsx scripts/openapi.ts`);
    process.exit(1);
  }
  console.log(`${documentPath} is up to date`);
} else {
  writeFileSync(documentPath, generated);
  console.log(`Wrote ${documentPath}`);
}
