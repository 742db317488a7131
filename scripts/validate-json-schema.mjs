// Validates a JSON or YAML file (by its extension) against a JSON schema (draft-07) with ajv.
// Usage: node scripts/validate-json-schema.mjs SCHEMA FILE
// Prints "valid" and exits 0, or prints each error (instance path, message) and exits 1.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { parse as parseYaml } from "yaml";

const [schemaPath, filePath] = process.argv.slice(2);
if (!schemaPath || !filePath) {
  console.error("usage: node scripts/validate-json-schema.mjs SCHEMA FILE");
  process.exit(2);
}

const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
delete schema.$schema; // ajv knows draft-07 without fetching the meta-schema
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
const text = readFileSync(filePath, "utf8");
if (validate(/\.ya?ml$/.test(filePath) ? parseYaml(text) : JSON.parse(text))) {
  console.log("valid");
} else {
  for (const error of validate.errors) {
    console.log(`${error.instancePath || "/"}: ${error.message} ${JSON.stringify(error.params)}`);
  }
  process.exit(1);
}
