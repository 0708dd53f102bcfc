// Parses Apex class files with the ANTLR Apex grammar; prints "file:line:column: message" per syntax error.
// Usage: node check_apex.cjs FILE.cls [...]; exit status 1 when any file has an error.
const fs = require("fs");
const { ApexParserFactory, ApexErrorListener } = require("@apexdevtools/apex-parser");

class Collect extends ApexErrorListener {
  constructor(file) {
    super();
    this.file = file;
    this.errors = [];
  }
  apexSyntaxError(line, column, msg) {
    this.errors.push(`${this.file}:${line}:${column + 1}: ${msg}`);
  }
}

let failed = false;
for (const file of process.argv.slice(2)) {
  const listener = new Collect(file);
  const { parser } = ApexParserFactory.createLexerAndParser(fs.readFileSync(file, "utf8"), listener);
  parser.compilationUnit();
  for (const error of listener.errors) console.log(error);
  failed = failed || listener.errors.length > 0;
}
process.exit(failed ? 1 : 0);
