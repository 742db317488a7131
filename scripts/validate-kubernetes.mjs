// Validates Kubernetes objects against the Kubernetes schemas (npm kubernetes-models).
// Usage: kubectl kustomize DIR | node scripts/validate-kubernetes.mjs
// Prints one line per object ("ok Kind/name" or its errors) and exits 1 if any object is invalid.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const documents = parseAllDocuments(readFileSync(0, "utf8")).map((document) => document.toJSON()).filter(Boolean);
if (documents.length === 0) {
  console.error("no Kubernetes objects on standard input");
  process.exit(1);
}

let invalid = 0;
for (const object of documents) {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : [null, object.apiVersion];
  const modulePath = group ? `kubernetes-models/${group}/${version}/${object.kind}` : `kubernetes-models/${version}/${object.kind}`;
  const name = `${object.kind}/${object.metadata?.name}`;
  // A Secret's data as kustomize writes it: base64 broken into lines, which the API server's decoder (Go's
  // encoding/base64) skips; the schema's "byte" format does not, so the line breaks go before the check.
  if (object.kind === "Secret" && object.data) {
    for (const key of Object.keys(object.data)) object.data[key] = object.data[key].replace(/\s+/g, "");
  }
  try {
    const module = await import(modulePath);
    const Model = module[object.kind] ?? module.default;
    new Model(object).validate();
    console.log(`ok ${name}`);
  } catch (error) {
    invalid++;
    console.log(`INVALID ${name}: ${error.message}`);
  }
}
process.exit(invalid === 0 ? 0 : 1);
