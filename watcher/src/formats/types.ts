/** What a parser makes of one line: a record for the source's topic, or the reason it refused it. */
export type ParseResult =
  { ok: true; key: string; value: Record<string, unknown> } | { ok: false; reason: string };

export interface LineContext {
  sourceFile: string;
  offset: number;
}

export type LineParser = (line: string, ctx: LineContext) => ParseResult;
