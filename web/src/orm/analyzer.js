// analyzer.js — run_analyzer, as pymilvus's MilvusClient.run_analyzer: the tokens an analyzer
// (analyzer_params, or the standard analyzer) makes of each text, as AnalyzeResult holds them.
// The analyzers and their checks are the core's (src/analyzer.c).

import { engine } from '../core/engine.js';
import { CLIENT_ERROR, ParamError } from '../core/errors.js';

/**
 * @param {string|string[]} texts
 * @param {{ analyzer_params?: object|string, with_hash?: boolean, with_detail?: boolean }} [options]
 * @returns {{tokens: Array}|Array<{tokens: Array}>} one result for a string, a list for a list
 */
export function run_analyzer(texts, options = {}) {
  const { analyzer_params: params, with_hash: hash = false, with_detail: detail = false, ...rest } = options ?? {};
  const unknown = Object.keys(rest);
  if (unknown.length)
    throw new ParamError(CLIENT_ERROR, `run_analyzer: ${unknown.join(', ')} not supported by partita: give analyzer_params`);
  const list = typeof texts === 'string' ? [texts] : texts;
  if (!Array.isArray(list) || list.some((t) => typeof t !== 'string'))
    throw new ParamError(CLIENT_ERROR, 'run_analyzer: texts must be a string or a list of strings');
  const text = params === undefined || params === null ? '' : typeof params === 'string' ? params : JSON.stringify(params);
  const e = engine();
  const results = list.map((t) => ({ tokens: e.runAnalyzer(text, t, detail, hash) }));
  return typeof texts === 'string' ? results[0] : results;
}
