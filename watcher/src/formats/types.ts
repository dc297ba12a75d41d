/**
 * What a parser makes of one line: a record for the source's topic (its key, and its value as
 * JSON text), or the reason it refused the line.
 */
export type ParseResult = { ok: true; key: string; json: string } | { ok: false; reason: string };

export interface LineContext {
  sourceFile: string;
  offset: number;
}

export type LineParser = (line: string, ctx: LineContext) => ParseResult;
