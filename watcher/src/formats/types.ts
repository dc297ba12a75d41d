/**
 * What a parser makes of one line: a record for the source's topic (its key, its value as JSON
 * text, its event time in epoch ms, and the kinds of oddity it was read past), or the reason it
 * refused the line. A refusal marked `skip` is a valid line the source chose not to count (it does
 * not go to the dead-letter topic; `reason` is then the kind of skip, a metric label).
 */
export type ParseResult =
  | { ok: true; key: string; json: string; ts: number; warnings?: readonly string[] }
  | { ok: false; reason: string; skip?: true };

export interface LineContext {
  sourceFile: string;
  offset: number;
}

export type LineParser = (line: string, ctx: LineContext) => ParseResult;
